using System.Net.Http.Json;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Reports;

/// <summary>Whop: reconcile shows each confirmed usage's payment and its status; a refunded or failed one is a difference.</summary>
public sealed class PaymentTieOutTests
{
    [Fact]
    public async Task EachConfirmedUsagesPayment_IsShown_RefundedAndFailedAreDifferences()
    {
        var fixtures = UsageBatch.Emulator.EmulatorFixtures.CreateDefault();
        fixtures.Settings.Whop.ReceiptOnCreate = false;
        await using var h = await BillingHarness.StartAsync(fixtures);
        await h.InsertWhopAsync("alpha", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        await h.InsertWhopAsync("bravo", "mem_Bravo02", null, "bi_ApiCalls01", null, null, "6", BillingHarness.Earlier(2));
        await h.InsertWhopAsync("charlie", "mem_Charlie03", null, "bi_ApiCalls01", null, null, "7", BillingHarness.Earlier(3));
        var job = BillingHarness.Job(ProviderKind.Whop);
        var account = h.Account(ProviderKind.Whop);
        Assert.Equal(3, (await h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None)).Confirmed);
        using var http = new HttpClient { BaseAddress = h.Emulator.BaseAddress };
        async Task<string> ChargeAsync(string membership)
        {
            using var response = await http.PostAsJsonAsync("_emulator/whop/charge", new { membershipId = membership });
            response.EnsureSuccessStatusCode();
            return (await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("payment_id").GetString()!;
        }

        await ChargeAsync("mem_Alpha01");
        var refunded = await ChargeAsync("mem_Bravo02");
        var failed = await ChargeAsync("mem_Charlie03");
        (await http.PostAsync($"_emulator/whop/payments/{refunded}/refund", null)).EnsureSuccessStatusCode();
        (await http.PostAsync($"_emulator/whop/payments/{failed}/fail", null)).EnsureSuccessStatusCode();

        var report = await new Reconciler(h.Store, h.Provider(account), job, account, TimeProvider.System)
            .RunAsync(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None);

        Assert.Equal(
            [(ReconcileKinds.PaymentFailed, "mem_Charlie03", failed), (ReconcileKinds.PaymentRefunded, "mem_Bravo02", refunded)],
            report.Findings.Where(f => ReconcileKinds.IsDifference(f.Kind)).Select(f => (f.Kind, f.CustomerId, f.ReceiptId!)).OrderBy(f => f.Kind, StringComparer.Ordinal));
        Assert.Equal(3, report.Findings.Count(f => f.Kind == ReconcileKinds.ReceiptAssigned)); // each receipt (payment id) written back
        Assert.Equal(["failed", "paid", "refunded"], report.Payments!.Select(p => p.Status).Order(StringComparer.Ordinal));
        Assert.All(report.Payments!, p => Assert.Equal(1, p.OurRows));
        var html = ReconcileHtml.Render(report);
        Assert.Contains("Payments: whether what we billed was paid", html, StringComparison.Ordinal);
        Assert.Contains(">refunded<", html, StringComparison.Ordinal);
        Assert.False(report.Clean);
    }
}
