using Microsoft.Extensions.Logging.Abstractions;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Billing;

/// <summary>
/// Chargebee stores a usage dated in a term whose invoice is closed, or when the subscription was not active, and never
/// invoices it: the run asks before sending and follows the job's lateUsage policy (inactive usage is always held).
/// </summary>
public sealed class LateUsageTests
{
    private static readonly DateTimeOffset CurrentTermStart = DateTimeOffset.UtcNow.AddHours(-1);

    private static async Task<(BillingHarness H, JobOptions Job, ProviderAccountOptions Account)> SeedAsync(string lateUsage = "hold")
    {
        var h = await BillingHarness.StartAsync();
        await h.InsertChargebeeAsync("late-1", "sub_Acme", "api-calls-USD-monthly", "3", BillingHarness.Earlier(10));
        await h.InsertChargebeeAsync("late-2", "sub_Acme", "api-calls-USD-monthly", "4", BillingHarness.Earlier(20));
        var job = BillingHarness.Job(ProviderKind.Chargebee);
        job.LateUsage = lateUsage;
        return (h, job, h.Account(ProviderKind.Chargebee));
    }

    private static async Task<(RunSummary Summary, TermAnsweringProvider Provider)> RunAsync(BillingHarness h, JobOptions job, ProviderAccountOptions account,
        Func<ProviderSubmission, TermCheck> answer)
    {
        using var provider = new TermAnsweringProvider(h.Provider(account), answer);
        var run = new BillingRun(h.Store, provider, job, account, TimeProvider.System, NullLogger.Instance, new RunOptions());
        return (await run.ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None), provider);
    }

    private static async Task<RunReport> ReportAsync(BillingHarness h, long runId) =>
        (await new RunReportBuilder(h.Store, new ReportDefaults(null)).BuildAsync(runId, CancellationToken.None))!;

    [Fact]
    public async Task Late_UnderHold_IsHeldNamingTheInvoice_NothingIsSent_AndTheRunNeedsAttention()
    {
        var (h, job, account) = await SeedAsync();
        await using var _ = h;

        var (summary, provider) = await RunAsync(h, job, account, TermAnsweringProvider.Terms(CurrentTermStart, TermStanding.Late));

        Assert.Equal(1, provider.Asked);
        Assert.Empty((await h.ProviderLedgerAsync()).Chargebee);
        Assert.Equal((1, 2), (summary.Held, summary.RowsHeld));
        Assert.True(summary.NeedsAttention);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("held", r.BillingStatus));
        var submission = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        Assert.Equal(SubmissionStatus.Held, submission.Status);
        Assert.Contains("inv_T1 is posted", submission.StatusReason, StringComparison.Ordinal);
        Assert.Contains($"usagebatch requeue --submission {submission.Id} --into-current-term", submission.StatusReason, StringComparison.Ordinal);

        var report = await ReportAsync(h, summary.RunId);
        var line = Assert.Single(report.LateUsage!);
        Assert.Equal(("late", "held"), (line.Standing, line.Status));
        Assert.Contains("--into-current-term", line.WayOut, StringComparison.Ordinal);
        var html = RunReportHtml.Render(report);
        Assert.Contains("Late and inactive usage", html, StringComparison.Ordinal);
        Assert.Contains("--into-current-term", Assert.Single(report.Exceptions, e => e.Scope == "submission").WhatToDo, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Late_UnderCurrentTerm_IsSentReDatedInsideTheCurrentTerm_AndTheNoteNamesTheRowsDates()
    {
        var (h, job, account) = await SeedAsync("currentTerm");
        await using var _ = h;

        var (summary, _) = await RunAsync(h, job, account, TermAnsweringProvider.Terms(CurrentTermStart, TermStanding.Late));

        Assert.Equal(1, summary.Confirmed);
        var submission = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        Assert.InRange(submission.UsageDate!.Value, CurrentTermStart, DateTimeOffset.UtcNow);
        Assert.True(submission.UsageDate > submission.LastOccurredAt);
        var sent = Assert.Single((await h.ProviderLedgerAsync()).Chargebee);
        Assert.Equal(7m, sent.Value);
        Assert.Contains("re-dated; rows dated", SubmissionNote.For(submission), StringComparison.Ordinal);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("billed", r.BillingStatus));
        var line = Assert.Single((await ReportAsync(h, summary.RunId)).LateUsage!);
        Assert.Equal(("late, re-dated into the current term", "confirmed"), (line.Standing, line.Status));
    }

    [Fact]
    public async Task Late_UnderSend_IsSentAsDated_AndTheReportFlagsIt()
    {
        var (h, job, account) = await SeedAsync("send");
        await using var _ = h;

        var (summary, _) = await RunAsync(h, job, account, TermAnsweringProvider.Terms(CurrentTermStart, TermStanding.Late));

        Assert.Equal(1, summary.Confirmed);
        var submission = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        Assert.True(submission.UsageDate < submission.BucketEnd); // as dated
        var line = Assert.Single((await ReportAsync(h, summary.RunId)).LateUsage!);
        Assert.Equal("late, sent as dated", line.Standing);
        Assert.Contains("will not invoice it", line.WayOut, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("hold")]
    [InlineData("currentTerm")]
    [InlineData("send")]
    public async Task Inactive_IsHeldWhateverThePolicy(string policy)
    {
        var (h, job, account) = await SeedAsync(policy);
        await using var _ = h;

        var (summary, _) = await RunAsync(h, job, account, TermAnsweringProvider.Terms(CurrentTermStart, TermStanding.Inactive));

        Assert.Equal(1, summary.Held);
        Assert.Empty((await h.ProviderLedgerAsync()).Chargebee);
        var submission = (await h.Store.SubmissionsOfRunAsync(summary.RunId, CancellationToken.None)).Single();
        Assert.StartsWith("inactive: usage_date is after the subscription was cancelled", submission.StatusReason, StringComparison.Ordinal);
        Assert.Equal("inactive", Assert.Single((await ReportAsync(h, summary.RunId)).LateUsage!).Standing);
    }

    [Fact]
    public async Task OnAPendingInvoice_IsSent_AndTheLedgerNamesTheInvoiceItLandsOn()
    {
        var (h, job, account) = await SeedAsync();
        await using var _ = h;

        var (summary, _) = await RunAsync(h, job, account, TermAnsweringProvider.Terms(CurrentTermStart, TermStanding.PendingInvoice));

        Assert.Equal(1, summary.Confirmed);
        Assert.False(summary.NeedsAttention);
        var line = Assert.Single((await ReportAsync(h, summary.RunId)).LateUsage!);
        Assert.Equal("on a pending invoice", line.Standing);
        Assert.Contains("inv_T1 is still pending", line.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InTheCurrentTerm_IsSentWithNoFinding()
    {
        var (h, job, account) = await SeedAsync();
        await using var _ = h;

        var (summary, _) = await RunAsync(h, job, account, TermAnsweringProvider.Terms(DateTimeOffset.UtcNow.AddDays(-3), TermStanding.Late));

        Assert.Equal(1, summary.Confirmed);
        Assert.Null((await ReportAsync(h, summary.RunId)).LateUsage);
    }

    [Theory]
    [InlineData("throttled")]
    [InlineData("not sent")]
    public async Task TermsThatCannotBeRead_ReleaseTheGroupUnsent_ForTheNextRun(string kind)
    {
        var (h, job, account) = await SeedAsync();
        await using var _ = h;
        var failure = kind == "throttled"
            ? ProviderOutcomes.Throttled(429, "api_request_limit_exceeded", "rate limited", TimeSpan.FromSeconds(1))
            : ProviderOutcome.NotSent("connection refused");

        var (summary, _) = await RunAsync(h, job, account, _ => TermCheck.Failed(failure));

        Assert.Equal(1, summary.Released);
        Assert.Empty((await h.ProviderLedgerAsync()).Chargebee);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("pending", r.BillingStatus));
    }

    [Fact]
    public async Task TermsReadRefusedForTheKey_AbortsTheRun_AndSendsNothing()
    {
        var (h, job, account) = await SeedAsync();
        await using var _ = h;

        var (summary, _) = await RunAsync(h, job, account, _ => TermCheck.Failed(ProviderOutcome.Fatal("Sorry, authentication failed. Invalid api key", 401, "api_authentication_failed")));

        Assert.Equal((RunOutcome.Aborted, ExitCodes.Aborted), (summary.Outcome, summary.ExitCode));
        Assert.Contains("check the API key in environment variable", summary.Message, StringComparison.Ordinal);
        Assert.Empty((await h.ProviderLedgerAsync()).Chargebee);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("pending", r.BillingStatus));
    }

    [Fact]
    public async Task AProviderThatDoesNotInvoiceByTerm_IsNeverAsked()
    {
        await using var h = await BillingHarness.StartAsync();
        await h.InsertWhopAsync("w", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        var job = BillingHarness.Job(ProviderKind.Whop);

        var (summary, provider) = await RunAsync(h, job, h.Account(ProviderKind.Whop), TermAnsweringProvider.Terms(DateTimeOffset.UtcNow, TermStanding.Late));

        Assert.Equal((1, 0), (summary.Confirmed, provider.Asked));
    }

    [Fact]
    public async Task RequeueIntoCurrentTerm_ReDatesAHeldLateGroup_AndTheNextRunSendsItInsideTheTerm()
    {
        var (h, job, account) = await SeedAsync();
        await using var _ = h;
        var answer = TermAnsweringProvider.Terms(CurrentTermStart, TermStanding.Late);
        var (held, _) = await RunAsync(h, job, account, answer);
        var submissionId = (await h.Store.SubmissionsOfRunAsync(held.RunId, CancellationToken.None)).Single().Id;
        var output = new StringWriter();
        var options = new AppOptions { Providers = { [job.Provider] = account }, Jobs = [job] };
        using var asking = new TermAnsweringProvider(h.Provider(account), answer);

        var exit = await new Requeue(h.Store, h.Store, options, _ => asking, TimeProvider.System, output).SubmissionAsync(submissionId, true, CancellationToken.None);
        var (next, _) = await RunAsync(h, job, account, answer);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Contains("re-dated from", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(1, next.Confirmed);
        var submission = (await h.Store.GetSubmissionAsync(submissionId, CancellationToken.None))!;
        Assert.Equal(SubmissionStatus.Confirmed, submission.Status);
        Assert.InRange(submission.UsageDate!.Value, CurrentTermStart, DateTimeOffset.UtcNow);
        Assert.Equal(7m, Assert.Single((await h.ProviderLedgerAsync()).Chargebee).Value);
        Assert.All(await h.RowsAsync(Tables.Chargebee), r => Assert.Equal("billed", r.BillingStatus));
    }

    [Fact]
    public async Task RequeueIntoCurrentTerm_OfAnInactiveGroup_LeavesItHeld()
    {
        var (h, job, account) = await SeedAsync();
        await using var _ = h;
        var answer = TermAnsweringProvider.Terms(CurrentTermStart, TermStanding.Inactive);
        var (held, _) = await RunAsync(h, job, account, answer);
        var submissionId = (await h.Store.SubmissionsOfRunAsync(held.RunId, CancellationToken.None)).Single().Id;
        var options = new AppOptions { Providers = { [job.Provider] = account }, Jobs = [job] };
        using var asking = new TermAnsweringProvider(h.Provider(account), answer);
        var output = new StringWriter();

        var exit = await new Requeue(h.Store, h.Store, options, _ => asking, TimeProvider.System, output).SubmissionAsync(submissionId, true, CancellationToken.None);

        Assert.Equal(ExitCodes.Attention, exit);
        Assert.Contains("stays held", output.ToString(), StringComparison.Ordinal);
        Assert.Equal(SubmissionStatus.Held, (await h.Store.GetSubmissionAsync(submissionId, CancellationToken.None))!.Status);
    }
}
