using System.Globalization;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Storage;

namespace UsageBatch.Billing;

/// <summary>
/// `usagebatch requeue`: releases held rows and submissions, but only after asking the provider what it holds, so
/// a release can never bill anything twice. Each requeue is recorded as a short run of its own (ub_run), so the
/// ledger shows who released what and the next run's recovery picks up what was reopened.
/// </summary>
internal sealed class Requeue(
    IBillingStore store, IRequeueStore requeueStore, AppOptions options, Func<string, IUsageProvider> providerFor, TimeProvider time, TextWriter output)
{
    public async Task<int> SubmissionAsync(long submissionId, CancellationToken cancellationToken) => await SubmissionAsync(submissionId, false, cancellationToken);

    /// <param name="intoCurrentTerm">A held, never-sent group is re-dated into its subscription's current term first (late usage).</param>
    public async Task<int> SubmissionAsync(long submissionId, bool intoCurrentTerm, CancellationToken cancellationToken)
    {
        var submission = await store.GetSubmissionAsync(submissionId, cancellationToken);
        if (submission is null)
        {
            await output.WriteLineAsync($"requeue: submission {submissionId} does not exist");
            return ExitCodes.BadConfiguration;
        }

        if (submission.Status != SubmissionStatus.Held)
        {
            await output.WriteLineAsync($"requeue: submission {submissionId} is {SubmissionStatusText.ToText(submission.Status)}, not held; nothing to release");
            return ExitCodes.BadConfiguration;
        }

        if (intoCurrentTerm && submission.FirstSentAt is not null)
        {
            await output.WriteLineAsync($"requeue: submission {submissionId} was sent before it was held; it may exist at the provider under its date, so it is not re-dated (requeue it without --into-current-term)");
            return ExitCodes.BadConfiguration;
        }

        var runId = await StartAdminRunAsync(submission.Job, submission.ProviderAccount, submission.UsageTable, cancellationToken);
        var now = time.GetUtcNow();
        if (intoCurrentTerm)
        {
            return await IntoCurrentTermAsync(submission, runId, now, cancellationToken);
        }

        if (submission.FirstSentAt is null)
        {
            // Held before any send (a guard, the cap, a full bucket): nothing can exist at the provider.
            // Reopening it is the operator's approval: the next run sends it as it is.
            await requeueStore.ReopenSubmissionAsync(submissionId, runId, SubmissionStatus.Prepared, $"approved by requeue (was held: {submission.StatusReason})", null, null, null, now, cancellationToken);
            return await FinishAsync(runId, ExitCodes.Ok,
                $"requeue: submission {submissionId} was never sent; approved, the next run of {submission.Job} sends it ({submission.RowCount} rows, {submission.Target.ValueField} {submission.Total.ToString(CultureInfo.InvariantCulture)})");
        }

        var provider = providerFor(submission.ProviderAccount);
        var owned = await store.OwnedUsageIdsAsync(submission.ProviderAccount, submission.Target, cancellationToken);
        var outcome = await provider.ResolveAsync(
            new ProviderSubmission(submission.Id, submission.Target, submission.Total, submission.UsageId, submission.UsageDate,
                string.Create(CultureInfo.InvariantCulture, $"usagebatch job={submission.Job} run={submission.CreatedRunId} submission={submission.Id} rows={submission.RowCount}")),
            submission.LastAttemptAt ?? now, owned, cancellationToken);
        switch (outcome.Kind)
        {
            case OutcomeKind.Confirmed:
                await requeueStore.ReopenSubmissionAsync(submissionId, runId, SubmissionStatus.Confirmed, "confirmed at the provider by requeue", outcome.UsageId, outcome.ReceiptId, outcome.EchoedTotal, now, cancellationToken);
                var rows = await store.SettleRowsAsync(submissionId, runId, BatchSize(submission.Job), time.GetUtcNow(), cancellationToken);
                return await FinishAsync(runId, ExitCodes.Ok, $"requeue: submission {submissionId} exists at the provider as {outcome.UsageId}; {rows} rows marked billed");
            case OutcomeKind.NotFound:
                await requeueStore.ReopenSubmissionAsync(submissionId, runId, SubmissionStatus.Prepared, "not found at the provider by requeue; to be sent again", null, null, null, now, cancellationToken);
                return await FinishAsync(runId, ExitCodes.Ok, $"requeue: submission {submissionId} does not exist at the provider; the next run of {submission.Job} sends it");
            case OutcomeKind.Ambiguous or OutcomeKind.Conflict:
                return await FinishAsync(runId, ExitCodes.Attention,
                    $"requeue: submission {submissionId} stays held: {outcome.Message}{(outcome.Candidates is { Count: > 0 } c ? " (candidates: " + string.Join(", ", c) + ")" : "")}");
            default:
                return await FinishAsync(runId, ExitCodes.Aborted, $"requeue: could not check the provider: {outcome}");
        }
    }

    /// <summary>
    /// Late usage: the subscription's current term is read from the provider, the group gets a free usage date inside
    /// it (as a run would choose it), and it is released; the next run sends it, its note naming the rows' dates.
    /// Reopened first, then re-dated, each its own transaction: a crash between leaves it prepared under its old date,
    /// and the next run holds it as late again (nothing is sent that the provider would not invoice).
    /// </summary>
    private async Task<int> IntoCurrentTermAsync(LedgerSubmission submission, long runId, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var provider = providerFor(submission.ProviderAccount);
        var check = await provider.CheckTermAsync(
            new ProviderSubmission(submission.Id, submission.Target, submission.Total, submission.UsageId, submission.UsageDate, SubmissionNote.For(submission)),
            cancellationToken);
        if (check.Failure is { } failure)
        {
            return await FinishAsync(runId, ExitCodes.Aborted, $"requeue: could not read the subscription's terms: {failure}");
        }

        if (check.Standing == TermStanding.Inactive)
        {
            return await FinishAsync(runId, ExitCodes.Attention, $"requeue: submission {submission.Id} stays held: {check.Detail}; another date would not change that");
        }

        if (check.CurrentTermStart is null)
        {
            return await FinishAsync(runId, ExitCodes.Attention, $"requeue: submission {submission.Id} stays held: the provider names no current term for its subscription ({check.Detail})");
        }

        var date = await TermGate.IntoCurrentTermAsync(store, submission.ProviderAccount, submission, check, now);
        if (date is null)
        {
            return await FinishAsync(runId, ExitCodes.Attention, $"requeue: submission {submission.Id} stays held: every second of the current term up to now already has a usage of {submission.Target}");
        }

        var was = submission.UsageDate is { } old ? Usage.UtcText.Format(old) : "no date";
        await requeueStore.ReopenSubmissionAsync(submission.Id, runId, SubmissionStatus.Prepared,
            $"released into the current term by requeue (was held: {submission.StatusReason})", null, null, null, now, cancellationToken);
        await store.MoveUsageDateAsync(submission.Id, runId, date.Value, TermGate.RedatedEvent,
            $"re-dated into the current term as {Usage.UtcText.Format(date.Value)} by requeue; was {was}: {check.Detail}", now, cancellationToken);
        return await FinishAsync(runId, ExitCodes.Ok,
            $"requeue: submission {submission.Id} re-dated from {was} into the current term as {Usage.UtcText.Format(date.Value)} and released; the next run of {submission.Job} sends it ({submission.RowCount} rows, {submission.Target.ValueField} {submission.Total.ToString(CultureInfo.InvariantCulture)})");
    }

    /// <param name="table">The usage table (row ids count from 1 in each); null looks in the tables of every configured job.</param>
    public async Task<int> RowAsync(long rowId, UsageTable? table, CancellationToken cancellationToken)
    {
        IReadOnlyList<UsageTable> tables = table is not null ? [table] : options.Jobs.Select(options.TableOf).Distinct().ToList();
        var held = await requeueStore.FindHeldRowsAsync(rowId, tables, cancellationToken);
        if (held.Count != 1)
        {
            await output.WriteLineAsync(held.Count == 0
                ? $"requeue: no held row {rowId} in {string.Join(" or ", tables.Select(t => t.Name))}"
                : $"requeue: row {rowId} is held in {held.Count} usage tables; name one: --table {string.Join(" or --table ", held.Select(r => r.Table.Name))} (or --job NAME)");
            return ExitCodes.BadConfiguration;
        }

        var row = held[0];
        var submission = row.SubmissionId is { } id ? await store.GetSubmissionAsync(id, cancellationToken) : null;
        if (submission?.Status == SubmissionStatus.Held)
        {
            return await SubmissionAsync(submission.Id, cancellationToken);
        }

        if (submission is not null && submission.Status.IsInFlight())
        {
            // Its outcome is not known yet: releasing the row now could bill it a second time. Nothing is changed.
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"requeue: row {rowId} stays held: its submission {submission.Id} is still {SubmissionStatusText.ToText(submission.Status)} (run {submission.OwnerRunId}); once a run of {submission.Job} has settled it, run this again"));
            return ExitCodes.Attention;
        }

        var job = submission?.Job ?? options.Jobs.FirstOrDefault(j => options.TableOf(j) == row.Table)?.Name ?? "requeue";
        var account = submission?.ProviderAccount ?? options.Jobs.First(j => j.Name == job).Provider;
        var runId = await StartAdminRunAsync(job, account, row.Table.Name, cancellationToken);
        var now = time.GetUtcNow();
        if (submission is null || submission.Status != SubmissionStatus.Confirmed || submission.ProviderUsageId is null)
        {
            await requeueStore.ReleaseRowAsync(row.Table, row.RowId, runId, "released by requeue: its earlier submission was not billed at the provider", now, cancellationToken);
            return await FinishAsync(runId, ExitCodes.Ok, $"requeue: row {rowId} released to pending; the next run bills it");
        }

        // The row was re-queued after it was billed. Only if the provider no longer has that usage may it be billed again.
        var exists = await ExistsAsync(providerFor(submission.ProviderAccount), submission, now, cancellationToken);
        if (exists is null)
        {
            return await FinishAsync(runId, ExitCodes.Aborted, $"requeue: could not list the provider's usages to check {submission.ProviderUsageId}");
        }

        if (exists.Value)
        {
            await requeueStore.RestoreBilledRowAsync(row.Table, row.RowId, runId, submission.ProviderUsageId, submission.ProviderReceiptId, now, cancellationToken);
            // The operator's question is answered and the row is final again: nothing is left to do, so exit 0.
            return await FinishAsync(runId, ExitCodes.Ok,
                $"requeue: row {rowId} is already billed by {submission.ProviderUsageId}, which still exists at the provider; restored to billed, not sent again");
        }

        await requeueStore.ReleaseRowAsync(row.Table, row.RowId, runId, $"released by requeue: usage {submission.ProviderUsageId} no longer exists at the provider", now, cancellationToken);
        return await FinishAsync(runId, ExitCodes.Ok, $"requeue: usage {submission.ProviderUsageId} no longer exists at the provider; row {rowId} released to pending");
    }

    private static async Task<bool?> ExistsAsync(IUsageProvider provider, LedgerSubmission submission, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var from = submission.UsageDate ?? DateTimeOffset.UnixEpoch;
        var to = submission.UsageDate?.AddSeconds(1) ?? now.AddDays(1); // Whop lists have no date filter: any time up to now
        try
        {
            await foreach (var usage in provider.ListAsync(new UsageListQuery(from, to, submission.Target.CustomerField, submission.Target.CustomerId,
                               submission.Target.ItemField, submission.Target.ItemId), cancellationToken))
            {
                if (usage.Id == submission.ProviderUsageId)
                {
                    return true;
                }
            }

            return false;
        }
        catch (ProviderListException)
        {
            return null;
        }
    }

    private int BatchSize(string job) => options.Jobs.FirstOrDefault(j => j.Name == job)?.BatchSize ?? Storage.SqlServer.SqlServerLocking.MaxRowsPerStatement;

    private async Task<long> StartAdminRunAsync(string job, string account, string table, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return await store.StartRunAsync(new RunRecord(job, account, table, false, now, now, now, TimeSpan.FromMinutes(5), Environment.MachineName, Environment.ProcessId, ProcessIdentity.CurrentStart), cancellationToken);
    }

    private async Task<int> FinishAsync(long runId, int exitCode, string message)
    {
        await output.WriteLineAsync(message);
        await store.FinishRunAsync(runId, exitCode == ExitCodes.Ok ? RunOutcome.Succeeded : exitCode == ExitCodes.Attention ? RunOutcome.Attention : RunOutcome.Aborted, exitCode, message, "{}", time.GetUtcNow(), CancellationToken.None);
        return exitCode;
    }
}
