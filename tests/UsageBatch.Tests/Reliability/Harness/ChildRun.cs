using System.Diagnostics;
using System.Text;

namespace UsageBatch.Reliability;

/// <summary>One `usagebatch` child process, its output kept for a failure message.</summary>
internal sealed class ChildRun : IDisposable
{
    private readonly StringBuilder _output = new();

    public ChildRun(ProcessStartInfo start)
    {
        Started = DateTime.UtcNow;
        Process = System.Diagnostics.Process.Start(start) ?? throw new InvalidOperationException("usagebatch did not start");
        Process.OutputDataReceived += (_, e) => Append(e.Data);
        Process.ErrorDataReceived += (_, e) => Append(e.Data);
        Process.BeginOutputReadLine();
        Process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public DateTime Started { get; }

    public DateTime? Exited { get; private set; }

    public bool Killed { get; private set; }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>SIGKILL the process (and anything it started): no handler runs, exactly like kill -9.</summary>
    public async Task KillAsync()
    {
        try
        {
            if (!Process.HasExited)
            {
                Process.Kill(entireProcessTree: true);
                Killed = true;
            }
        }
        catch (InvalidOperationException)
        {
            // It exited between the check and the kill.
        }

        await Process.WaitForExitAsync();
        Exited ??= DateTime.UtcNow;
    }

    /// <summary>Waits for a normal exit; kills it and throws past <paramref name="timeout"/>.</summary>
    public async Task<int> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            await KillAsync();
            throw new TimeoutException($"usagebatch did not finish within {timeout}:\n{Output}");
        }

        Process.WaitForExit(); // flushes the redirected output
        Exited ??= DateTime.UtcNow;
        return Process.ExitCode;
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            if (_output.Length < 200_000)
            {
                _output.AppendLine(line);
            }
        }
    }

    public void Dispose() => Process.Dispose();
}
