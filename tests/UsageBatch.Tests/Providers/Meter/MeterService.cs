using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using UsageBatch.Providers;

namespace UsageBatch.Tests.Providers.Meter;

/// <summary>
/// The meter provider's side, in memory: events keyed by the client's id (a second POST of the same id is the same
/// event, as idempotent meter APIs answer), each with a receipt. Optionally loses the answer of one POST after
/// recording it, as a timeout would.
/// </summary>
internal sealed class MeterService : IUsageProvider
{
    private static readonly ConcurrentDictionary<string, MeterService> Services = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, ProviderUsage> _events = new(StringComparer.Ordinal);
    private int _posts;

    public static MeterService At(string baseUrl) => Services.GetOrAdd(baseUrl, _ => new MeterService());

    /// <summary>Every event the provider holds.</summary>
    public IReadOnlyCollection<ProviderUsage> Events => [.. _events.Values];

    /// <summary>How many POSTs reached the provider (re-sends included).</summary>
    public int Posts => _posts;

    /// <summary>The 1-based POST whose answer is lost after the event was recorded (0: none).</summary>
    public int LoseAnswerOfPost { get; set; }

    public Task<ProviderOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken cancellationToken)
    {
        var post = Interlocked.Increment(ref _posts);
        var id = submission.UsageId ?? throw new InvalidOperationException("a meter event needs the client's id");
        var recorded = _events.GetOrAdd(id, _ => new ProviderUsage(id, submission.Target, submission.Total, DateTimeOffset.UtcNow, null, "rcpt_" + id));
        if (post == LoseAnswerOfPost)
        {
            return Task.FromResult(ProviderOutcome.Unknown("the answer was lost (test)"));
        }

        return Task.FromResult(recorded.Value == submission.Total && recorded.Target == submission.Target
            ? ProviderOutcome.Confirmed(id, recorded.ReceiptId, recorded.Value, status: 200)
            : ProviderOutcomes.Conflict(id, "an event with this id and other data exists"));
    }

    public Task<ProviderOutcome> ResolveAsync(ProviderSubmission submission, DateTimeOffset attemptedAt, IReadOnlySet<string> ownedUsageIds, CancellationToken cancellationToken) =>
        Task.FromResult(submission.UsageId is { } id && _events.TryGetValue(id, out var e)
            ? ProviderOutcome.Confirmed(id, e.ReceiptId, e.Value, status: 200)
            : ProviderOutcome.NotFound());

    public async IAsyncEnumerable<ProviderUsage> ListAsync(UsageListQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await Task.Yield();
        foreach (var e in _events.Values.Where(e => e.CreatedAt >= query.From && e.CreatedAt < query.To).OrderBy(e => e.Id, StringComparer.Ordinal))
        {
            yield return e;
        }
    }
}
