using UsageBatch.Usage;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;
using RestSharp;
using UsageBatch.Configuration;
using UsageBatch.Providers.Http;
using UsageBatch.Providers.Pacing;

namespace UsageBatch.Providers.Whop;

/// <summary>
/// Whop v5 billing usages. Whop has no idempotency key and no client id, so a POST is sent at most once per
/// call: an unknown outcome is returned as Unknown and the run resolves it by listing.
/// </summary>
internal sealed class WhopProvider : IUsageProvider, IDisposable
{
    private const string UsagesResource = "app/billing_usages";

    /// <summary>Whop's documented maximum page size; resolving lists every page, so fewer, larger pages save quota.</summary>
    internal const int PageSize = 50;

    /// <summary>A runaway pager (a server that always says "next") must not loop forever.</summary>
    private const int MaxPages = 10_000;

    private readonly ProviderCaller _caller;
    private readonly ProviderAccountOptions _options;
    private readonly ILogger _logger;
    private readonly string _account;

    public WhopProvider(string account, ProviderCaller caller, ProviderAccountOptions options, ILogger logger)
    {
        _account = account;
        _caller = caller;
        _options = options;
        _logger = logger;
        _payments = new WhopPayments(caller, options);
    }

    private readonly WhopPayments _payments;

    public IAsyncEnumerable<ProviderPayment> ListPaymentsAsync(CancellationToken cancellationToken) => _payments.ListAsync(cancellationToken);

    /// <summary>The account's pacer (tests observe the account-wide pause through it).</summary>
    internal ProviderPacer Pacer => _caller.Pacer;

    public async Task<ProviderOutcome> SubmitAsync(ProviderSubmission submission, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        if (Guard(submission) is { } refused)
        {
            return refused;
        }

        var body = WhopJson.CreateBody(submission.Target, submission.Total);
        var call = await _caller.SendAsync(
            () => new RestRequest(UsagesResource, Method.Post).AddStringBody(body, ContentType.Json),
            submission.SubmissionId,
            _options.MaxAttempts,
            cancellationToken,
            letRequestFinish: true);

        var outcome = call.Failure ?? (WhopResponseClassifier.ParseCreated(call.Reply, submission.Target.ValueField) with { Attempts = call.Attempts });
        Log(submission, outcome);
        return outcome;
    }

    public async Task<ProviderOutcome> ResolveAsync(
        ProviderSubmission submission,
        DateTimeOffset attemptedAt,
        IReadOnlySet<string> ownedUsageIds,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(ownedUsageIds);
        var target = submission.Target;
        var since = attemptedAt - _options.ClockSkew;
        var candidates = new List<WhopUsage>();
        var failure = await ForEachPageAsync(
            target.CustomerField, target.CustomerId, target.ItemField, target.ItemId, submission.SubmissionId,
            page => candidates.AddRange(page.Where(u => IsCandidate(u, submission, since, ownedUsageIds))),
            cancellationToken);
        if (failure is not null)
        {
            Log(submission, failure);
            return failure;
        }

        var outcome = candidates.Count switch
        {
            0 => ProviderOutcome.NotFound($"no unowned {target} usage of {DecimalText.Format(submission.Total)} created since {since:O}"),
            1 => ProviderOutcome.Confirmed(candidates[0].Id, candidates[0].ReceiptId, candidates[0].Value(target.ValueField)),
            _ => ProviderOutcomes.Ambiguous(candidates.Select(u => u.Id).ToList()),
        };
        Log(submission, outcome);
        return outcome;
    }

    public async IAsyncEnumerable<ProviderUsage> ListAsync(UsageListQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var page = 1;
        while (true)
        {
            var (usages, hasNext, failure) = await FetchPageAsync(query.CustomerField, query.CustomerId, query.ItemField, query.ItemId, page, null, cancellationToken);
            if (failure is not null)
            {
                throw new ProviderListException(failure);
            }

            // Whop's list has no date filter (the provider's API docs): the range is applied here.
            foreach (var usage in usages.Where(u => u.CreatedAt >= query.From && u.CreatedAt < query.To))
            {
                yield return usage.ToProviderUsage();
            }

            if (!hasNext || ++page > MaxPages)
            {
                yield break;
            }
        }
    }

    private ProviderOutcome? Guard(ProviderSubmission submission)
    {
        var field = submission.Target.ValueField;
        if (field is not ("quantity" or "amount"))
        {
            throw new ArgumentException($"Whop value field must be quantity or amount, not '{field}'", nameof(submission));
        }

        if (submission.Total <= 0)
        {
            return ProviderOutcomes.Refused("not_positive", $"{field} {DecimalText.Format(submission.Total)} is not positive; Whop takes only positive usage", field);
        }

        var places = field == "amount" ? _options.EffectiveAmountDecimals : _options.EffectiveQuantityDecimals;
        return DecimalText.Places(submission.Total) > places
            ? ProviderOutcomes.Refused("too_many_decimals", $"{field} {DecimalText.Format(submission.Total)} has more than {places} decimal places", field)
            : null;
    }

    private static bool IsCandidate(WhopUsage usage, ProviderSubmission submission, DateTimeOffset since, IReadOnlySet<string> owned)
    {
        var target = submission.Target;
        // The list is filtered server-side; checking again costs nothing and guards against a filter being ignored.
        var customerMatches = target.CustomerField == "membership_id" ? usage.MembershipId == target.CustomerId : usage.CompanyId == target.CustomerId;
        var itemMatches = target.ItemField == "billing_item_id"
            ? usage.BillingItemId == target.ItemId
            : usage.BillingItemIdentifier is null || usage.BillingItemIdentifier == target.ItemId;
        return customerMatches && itemMatches
            && usage.Value(target.ValueField) == submission.Total
            && usage.CreatedAt >= since
            && !owned.Contains(usage.Id);
    }

    /// <summary>Visits every page; returns the failure that stopped it, or null.</summary>
    private async Task<ProviderOutcome?> ForEachPageAsync(
        string? customerField, string? customerId, string? itemField, string? itemId, long? submissionId,
        Action<IReadOnlyList<WhopUsage>> visit, CancellationToken cancellationToken)
    {
        for (var page = 1; page <= MaxPages; page++)
        {
            var (usages, hasNext, failure) = await FetchPageAsync(customerField, customerId, itemField, itemId, page, submissionId, cancellationToken);
            if (failure is not null)
            {
                return failure;
            }

            visit(usages);
            if (!hasNext)
            {
                return null;
            }
        }

        return null;
    }

    private async Task<(IReadOnlyList<WhopUsage> Usages, bool HasNext, ProviderOutcome? Failure)> FetchPageAsync(
        string? customerField, string? customerId, string? itemField, string? itemId, int page, long? submissionId, CancellationToken cancellationToken)
    {
        RestRequest Build()
        {
            var request = new RestRequest(UsagesResource);
            if (customerField is not null && customerId is not null)
            {
                request.AddQueryParameter(customerField, customerId);
            }

            if (itemField is not null && itemId is not null)
            {
                request.AddQueryParameter(itemField, itemId);
            }

            return request
                .AddQueryParameter("page", page.ToString(CultureInfo.InvariantCulture))
                .AddQueryParameter("per", PageSize.ToString(CultureInfo.InvariantCulture));
        }

        var call = await _caller.SendAsync(Build, submissionId, _options.MaxAttempts, cancellationToken);
        if (call.Failure is not null)
        {
            return ([], false, call.Failure);
        }

        return WhopJson.ParsePage(call.Reply.Body, page) is { } parsed
            ? (parsed.Usages, parsed.HasNext, null)
            : ([], false, ProviderOutcome.Unknown($"HTTP {call.Reply.Status}: the usage list could not be read", call.Reply.Status));
    }

    private void Log(ProviderSubmission submission, ProviderOutcome outcome)
    {
        var level = outcome.Kind switch
        {
            OutcomeKind.Confirmed or OutcomeKind.NotFound => LogLevel.Information,
            OutcomeKind.Fatal => LogLevel.Error,
            _ => LogLevel.Warning,
        };
        _logger.Log(
            level,
            "{Account} submission {Submission}: {Outcome} ({Status} {Code}) usage {UsageId} after {Attempts} attempt(s): {Message}",
            _account, submission.SubmissionId, outcome.Kind, outcome.HttpStatus, outcome.ProviderCode, outcome.UsageId, outcome.Attempts, outcome.Message);
    }

    public void Dispose() => _caller.Dispose();
}
