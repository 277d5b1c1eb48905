using System.Text.RegularExpressions;

namespace UsageBatch.Emulator.Faults;

/// <summary>Faults in the order added; the first that matches a request consumes one of its count.</summary>
internal sealed class FaultStore
{
    private static readonly TimeSpan RegexTimeout = TimeSpan.FromSeconds(1);
    private readonly Lock _gate = new();
    private readonly List<(Fault Fault, Regex? Regex)> _faults = [];

    /// <summary>Validates and appends; returns a problem description, or null when added.</summary>
    public string? Add(Fault fault)
    {
        if (!FaultActions.All.Contains(fault.Action))
        {
            return $"action must be one of {string.Join(", ", FaultActions.All)}";
        }

        Regex? regex = null;
        if (!string.IsNullOrEmpty(fault.PathRegex))
        {
            try
            {
                regex = new Regex(fault.PathRegex, RegexOptions.CultureInvariant, RegexTimeout);
            }
            catch (ArgumentException e)
            {
                return "pathRegex is not a valid regular expression: " + e.Message;
            }
        }

        fault.Count = Math.Max(1, fault.Count);
        lock (_gate)
        {
            _faults.Add((fault, regex));
        }

        return null;
    }

    public Fault? Take(string method, string path)
    {
        lock (_gate)
        {
            var index = _faults.FindIndex(f => Matches(f.Fault, f.Regex, method, path));
            if (index < 0)
            {
                return null;
            }

            var fault = _faults[index].Fault;
            if (--fault.Count == 0)
            {
                _faults.RemoveAt(index);
            }

            return fault;
        }
    }

    /// <summary>Copies of the faults still waiting, in order, each with the matches it has left.</summary>
    public IReadOnlyList<Fault> Snapshot()
    {
        lock (_gate)
        {
            return _faults.Select(f => new Fault
            {
                Method = f.Fault.Method, PathPrefix = f.Fault.PathPrefix, PathRegex = f.Fault.PathRegex, Count = f.Fault.Count, Action = f.Fault.Action,
                Status = f.Fault.Status, Headers = f.Fault.Headers, Body = f.Fault.Body, DelayMs = f.Fault.DelayMs,
            }).ToList();
        }
    }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _faults.Count;
            }
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _faults.Clear();
        }
    }

    private static bool Matches(Fault fault, Regex? regex, string method, string path) =>
        (string.IsNullOrEmpty(fault.Method) || string.Equals(fault.Method, method, StringComparison.OrdinalIgnoreCase))
        && (string.IsNullOrEmpty(fault.PathPrefix) || path.StartsWith(fault.PathPrefix, StringComparison.Ordinal))
        && (regex is null || regex.IsMatch(path));
}
