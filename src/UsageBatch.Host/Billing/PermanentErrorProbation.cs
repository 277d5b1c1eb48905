using UsageBatch.Providers;

namespace UsageBatch.Billing;

/// <summary>
/// "The first abortAfterSamePermanentErrors submissions of a run all failing with the same permanent code"
/// is fatal (a wrong item, site or key shape, not bad data). Permanent failures among a run's first outcomes are held
/// back here until that is decided, so an abort rejects nothing.
/// </summary>
internal sealed class PermanentErrorProbation(int threshold)
{
    private readonly object _gate = new();
    private readonly List<(LedgerSubmission, ProviderOutcome)> _waiting = [];
    private bool _over = threshold <= 0;
    private bool _fatal;

    public sealed record Verdict(bool Fatal, IReadOnlyList<(LedgerSubmission Submission, ProviderOutcome Outcome)> Released);

    /// <summary>A non-permanent outcome ends the probation.</summary>
    public void Pass()
    {
        lock (_gate)
        {
            _over = true;
        }
    }

    public Verdict Add(LedgerSubmission submission, ProviderOutcome outcome)
    {
        lock (_gate)
        {
            if (_fatal)
            {
                // The run is aborting on a configuration error: answers still arriving are released, not rejected.
                return new Verdict(true, [(submission, outcome)]);
            }

            if (_over)
            {
                return new Verdict(false, [(submission, outcome)]);
            }

            _waiting.Add((submission, outcome));
            var code = CodeOf(outcome);
            if (_waiting.Any(w => CodeOf(w.Item2) != code))
            {
                _over = true;
                return new Verdict(false, TakeAll());
            }

            if (_waiting.Count < threshold)
            {
                return new Verdict(false, []);
            }

            _fatal = true;
            return new Verdict(true, TakeAll());
        }
    }

    /// <summary>Whatever is still waiting when the sends end (fewer outcomes than the threshold) is final.</summary>
    public IReadOnlyList<(LedgerSubmission Submission, ProviderOutcome Outcome)> Drain()
    {
        lock (_gate)
        {
            _over = true;
            return TakeAll();
        }
    }

    private List<(LedgerSubmission, ProviderOutcome)> TakeAll()
    {
        var all = _waiting.ToList();
        _waiting.Clear();
        return all;
    }

    private static string CodeOf(ProviderOutcome outcome) => outcome.ProviderCode ?? $"{outcome.HttpStatus}:{outcome.Message}";
}
