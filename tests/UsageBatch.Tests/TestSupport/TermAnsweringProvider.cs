using UsageBatch.Providers;

namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// The real provider client, whose answer about terms is the test's: <paramref name="answer"/> says where each usage
/// date stands. Counts the questions, so a test can see what was (not) asked.
/// </summary>
internal sealed class TermAnsweringProvider(IUsageProvider inner, Func<ProviderSubmission, TermCheck> answer) : IUsageProvider, IDisposable
{
    private int _asked;

    public int Asked => Volatile.Read(ref _asked);

    public Task<TermCheck> CheckTermAsync(ProviderSubmission submission, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _asked);
        return Task.FromResult(answer(submission));
    }

    public Task<ProviderOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken cancellationToken) => inner.SubmitAsync(submission, cancellationToken);

    public Task<ProviderOutcome> ResolveAsync(ProviderSubmission submission, DateTimeOffset attemptedAt, IReadOnlySet<string> ownedUsageIds, CancellationToken cancellationToken) =>
        inner.ResolveAsync(submission, attemptedAt, ownedUsageIds, cancellationToken);

    public IAsyncEnumerable<ProviderUsage> ListAsync(UsageListQuery query, CancellationToken cancellationToken) => inner.ListAsync(query, cancellationToken);

    public void Dispose() => (inner as IDisposable)?.Dispose();

    /// <summary>
    /// A subscription whose current term started at <paramref name="currentStart"/>: earlier dates are
    /// <paramref name="before"/> (late on a closed invoice, inactive, or on a pending invoice).
    /// </summary>
    public static Func<ProviderSubmission, TermCheck> Terms(DateTimeOffset currentStart, TermStanding before, string invoiceStatus = "posted") => s =>
        s.UsageDate < currentStart
            ? new TermCheck(before, before switch
                {
                    TermStanding.Inactive => "usage_date is after the subscription was cancelled",
                    TermStanding.PendingInvoice => "usage_date is in the term before, whose invoice inv_T1 is still pending: it lands on that invoice",
                    _ => $"usage_date is in the term before, whose invoice inv_T1 is {invoiceStatus}: Chargebee would store the usage and never invoice it",
                }, "inv_T1", currentStart, currentStart.AddMonths(1))
            : new TermCheck(TermStanding.CurrentTerm, "in the current term", null, currentStart, currentStart.AddMonths(1));
}
