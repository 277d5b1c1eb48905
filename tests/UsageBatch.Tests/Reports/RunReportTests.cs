using System.Text;
using System.Text.Json;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Storage;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Reports;

/// <summary>
/// One real Whop run with confirmed (quantity and amount), zero-sum, negative (rejected), held (above the guard),
/// provider-rejected and validation-rejected groups, some carrying hostile strings, rendered to all four files.
/// </summary>
public sealed class RunReportFixture : IAsyncLifetime
{
    public const string Hyperlink = "=HYPERLINK(\"http://evil.example\",\"x\")";
    public const string Script = "<script>alert(1)</script>";

    private BillingHarness _h = null!;
    private string _folder = null!;
    private RunSummary _summary = null!;
    private ReportPaths _paths = null!;

    internal BillingHarness H => _h;
    internal string Folder => _folder;
    internal RunSummary Summary => _summary;
    internal ReportPaths Paths => _paths;

    public async Task InitializeAsync()
    {
        _h = await BillingHarness.StartAsync();
        _folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
        await _h.InsertWhopAsync("q1", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "5", BillingHarness.Earlier(1));
        await _h.InsertWhopAsync("q2", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "7.25", BillingHarness.Earlier(2));
        await _h.InsertWhopAsync("a1", "mem_Bravo02", null, "bi_Overage03", null, "2.50", null, BillingHarness.Earlier(3));
        await _h.InsertWhopAsync("a2", "mem_Bravo02", null, "bi_Overage03", null, "1.25", null, BillingHarness.Earlier(4));
        await _h.InsertWhopAsync("z1", "mem_Charlie03", null, "bi_StorageGb02", null, null, "4", BillingHarness.Earlier(5));
        await _h.InsertWhopAsync("z2", "mem_Charlie03", null, "bi_StorageGb02", null, null, "-4", BillingHarness.Earlier(6));
        await _h.InsertWhopAsync("n1", "mem_Bravo02", null, "bi_ApiCalls01", null, null, "1", BillingHarness.Earlier(7));
        await _h.InsertWhopAsync("n2", "mem_Bravo02", null, "bi_ApiCalls01", null, null, "-3", BillingHarness.Earlier(8));
        await _h.InsertWhopAsync("big", "mem_Alpha01", null, "bi_StorageGb02", null, null, "5000", BillingHarness.Earlier(9));
        await _h.InsertWhopAsync("evil-item", "mem_Charlie03", null, null, Hyperlink, null, "2", BillingHarness.Earlier(10));
        await _h.InsertWhopAsync(Script, null, null, "bi_ApiCalls01", null, null, "1", BillingHarness.Earlier(11));
        await _h.InsertWhopAsync("+cmd|' /C calc'!A0", "mem_Alpha01", null, "bi_ApiCalls01", null, "12,50", null, BillingHarness.Earlier(12));
        await _h.InsertWhopAsync("@SUM(1+1)", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "1", "yesterday");

        var job = BillingHarness.Job(ProviderKind.Whop);
        job.MaxQuantityPerSubmission = 1000;
        var account = _h.Account(ProviderKind.Whop);
        account.Currency = "USD";
        _summary = await _h.Run(job, account).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        _paths = (await new RunReportFiles(_h.Store, _folder).WriteAsync(_summary.RunId, new ReportDefaults("EUR"), CancellationToken.None))!;
    }

    public async Task DisposeAsync()
    {
        await _h.DisposeAsync();
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}

public sealed class RunReportTests(RunReportFixture fixture) : IClassFixture<RunReportFixture>
{
    private const string Hyperlink = RunReportFixture.Hyperlink;
    private const string Script = RunReportFixture.Script;
    private readonly BillingHarness _h = fixture.H;
    private readonly string _folder = fixture.Folder;
    private readonly RunSummary _summary = fixture.Summary;
    private readonly ReportPaths _paths = fixture.Paths;

    [Fact]
    public void Files_AreNamedByStartDateJobAndRun()
    {
        var day = _summary.StartedAt.UtcDateTime.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var stem = Path.Combine(_folder, day, $"whop-test-run{_summary.RunId}");
        Assert.Equal(new ReportPaths(stem + ".html", stem + ".json", stem + "-submissions.csv", stem + "-exceptions.csv"), _paths);
        Assert.All(_paths.All, p => Assert.True(File.Exists(p), p));
    }

    [Fact]
    public async Task Json_TotalsToTheCent_PerKindWithCurrency_AndControlCheckPasses()
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(_paths.Json));
        var root = json.RootElement;
        var byProvider = root.GetProperty("totalsByProvider").EnumerateArray().ToList();
        Assert.Equal(2, byProvider.Count);
        var amount = byProvider.Single(t => t.GetProperty("valueKind").GetString() == "amount");
        Assert.Equal("3.75", amount.GetProperty("total").GetRawText());
        Assert.Equal("USD", amount.GetProperty("unit").GetString());
        var quantity = byProvider.Single(t => t.GetProperty("valueKind").GetString() == "quantity");
        Assert.Equal("12.25", quantity.GetProperty("total").GetRawText());
        Assert.Equal("units", quantity.GetProperty("unit").GetString());
        Assert.Equal(2, quantity.GetProperty("submissions").GetInt32()); // the confirmed group and the zero-sum group
        Assert.Equal(4, quantity.GetProperty("rows").GetInt32());

        var customers = root.GetProperty("totalsByCustomer").EnumerateArray().Select(t => (t.GetProperty("key").GetString(), t.GetProperty("total").GetRawText())).ToList();
        Assert.Contains(("mem_Alpha01", "12.25"), customers);
        Assert.Contains(("mem_Bravo02", "3.75"), customers);
        Assert.Contains(("mem_Charlie03", "0"), customers);

        var control = root.GetProperty("controlCheck").EnumerateArray().ToList();
        Assert.Equal(2, control.Count);
        Assert.All(control, c => Assert.Equal("PASS", c.GetProperty("result").GetString()));
        Assert.True(root.GetProperty("controlPassed").GetBoolean());
        Assert.Equal(_summary.RunId, root.GetProperty("summary").GetProperty("runId").GetInt64());
        Assert.Equal("USD", root.GetProperty("run").GetProperty("currency").GetString());
    }

    [Fact]
    public async Task Json_ListsEverySubmissionAndEveryException_WithReasons()
    {
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync(_paths.Json));
        var statuses = json.RootElement.GetProperty("submissions").EnumerateArray().Select(s => s.GetProperty("status").GetString()).OrderBy(s => s).ToList();
        Assert.Equal(["confirmed", "confirmed", "held", "rejected", "rejected", "zero"], statuses);
        var confirmed = json.RootElement.GetProperty("submissions").EnumerateArray().Where(s => s.GetProperty("status").GetString() == "confirmed").ToList();
        Assert.All(confirmed, s => Assert.StartsWith("bu_", s.GetProperty("providerUsageId").GetString(), StringComparison.Ordinal));
        Assert.All(confirmed, s => Assert.StartsWith("pay_", s.GetProperty("providerReceiptId").GetString(), StringComparison.Ordinal));

        var exceptions = json.RootElement.GetProperty("exceptions").EnumerateArray()
            .Select(e => (Scope: e.GetProperty("scope").GetString(), Kind: e.GetProperty("kind").GetString(), Key: e.GetProperty("sourceKey").GetString(), Reason: e.GetProperty("reason").GetString()!))
            .ToList();
        Assert.Contains(exceptions, e => e is { Scope: "submission", Kind: "held" } && e.Reason.Contains("maxQuantityPerSubmission", StringComparison.Ordinal));
        Assert.Contains(exceptions, e => e is { Scope: "submission", Kind: "rejected" } && e.Reason.Contains("negative", StringComparison.Ordinal));
        Assert.Contains(exceptions, e => e is { Scope: "row", Kind: "rejected" } && e.Key == Script);
        Assert.Contains(exceptions, e => e is { Scope: "row", Kind: "rejected" } && e.Key == "@SUM(1+1)" && e.Reason.Contains("occurred_at", StringComparison.Ordinal));
        Assert.Contains(exceptions, e => e is { Scope: "row", Kind: "held" } && e.Key == "big");
        Assert.Equal(2, exceptions.Count(e => e is { Scope: "row", Kind: "rejected" } && e.Key is "n1" or "n2"));
    }

    [Fact]
    public async Task Csv_FormulaCellsAreInert_NumbersStayNumbers()
    {
        var exceptions = await File.ReadAllBytesAsync(_paths.ExceptionsCsv);
        Assert.Equal([0xEF, 0xBB, 0xBF], exceptions[..3]);
        var text = Encoding.UTF8.GetString(exceptions[3..]);
        Assert.Contains("\r\n", text, StringComparison.Ordinal);
        Assert.Contains(",\"'+cmd|' /C calc'!A0\",", text, StringComparison.Ordinal);
        Assert.Contains(",\"'@SUM(1+1)\",", text, StringComparison.Ordinal);
        Assert.Contains("," + Script + ",", text, StringComparison.Ordinal);

        var submissions = Encoding.UTF8.GetString((await File.ReadAllBytesAsync(_paths.SubmissionsCsv))[3..]);
        Assert.Contains(",\"'=HYPERLINK(\"\"http://evil.example\"\",\"\"x\"\")\",", submissions, StringComparison.Ordinal);
        // The negative group's total is a plain number, not escaped text.
        Assert.Contains(",units,2,-2,,", submissions, StringComparison.Ordinal);
        foreach (var cell in AllCells(text).Concat(AllCells(submissions)))
        {
            Assert.False(cell.Length > 0 && "=+@\t\r".Contains(cell[0], StringComparison.Ordinal), cell);
            Assert.False(cell.StartsWith('-') && !decimal.TryParse(cell, System.Globalization.CultureInfo.InvariantCulture, out _), cell);
        }
    }

    [Fact]
    public async Task Html_IsSelfContained_AndEncodesHostileText()
    {
        var html = await File.ReadAllTextAsync(_paths.Html);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("src=", html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("&lt;script&gt;alert(1)&lt;/script&gt;", html, StringComparison.Ordinal);
        Assert.Contains("=HYPERLINK(&quot;http://evil.example&quot;", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"pass\">PASS</td>", html, StringComparison.Ordinal);
        Assert.Contains("12.25", html, StringComparison.Ordinal);
        Assert.Contains("3.75", html, StringComparison.Ordinal);
        Assert.Contains("USD", html, StringComparison.Ordinal);
        Assert.Contains("usagebatch requeue --submission", html, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReRender_AfterLaterRunsAndReceipts_IsByteIdentical()
    {
        // Later activity must not change this run's report: another run, and a receipt written by reconcile.
        await _h.InsertWhopAsync("later", "mem_Alpha01", null, "bi_ApiCalls01", null, null, "3", BillingHarness.Earlier(1));
        await _h.Run(BillingHarness.Job(ProviderKind.Whop), _h.Account(ProviderKind.Whop)).ExecuteAsync(DateTimeOffset.UtcNow, CancellationToken.None);
        var confirmed = (await _h.Store.SubmissionsOfRunAsync(_summary.RunId, CancellationToken.None)).First(s => s.Status == SubmissionStatus.Confirmed);
        await _h.Store.RecordReceiptAsync(confirmed.Id, "rec_Later", DateTimeOffset.UtcNow, CancellationToken.None);

        var again = Path.Combine(_folder, "again");
        var paths = (await new RunReportFiles(_h.Store, again).WriteAsync(_summary.RunId, new ReportDefaults("GBP"), CancellationToken.None))!;

        foreach (var (first, second) in _paths.All.Zip(paths.All))
        {
            Assert.Equal(await File.ReadAllBytesAsync(first), await File.ReadAllBytesAsync(second));
        }
    }

    private static IEnumerable<string> AllCells(string csv)
    {
        // Good enough for these files: split on commas outside quotes, then unquote.
        foreach (var line in csv.Split("\r\n"))
        {
            var cells = new List<string>();
            var current = new StringBuilder();
            var quoted = false;
            for (var i = 0; i < line.Length; i++)
            {
                var c = line[i];
                if (c == '"')
                {
                    if (quoted && i + 1 < line.Length && line[i + 1] == '"')
                    {
                        current.Append('"');
                        i++;
                    }
                    else
                    {
                        quoted = !quoted;
                    }
                }
                else if (c == ',' && !quoted)
                {
                    cells.Add(current.ToString());
                    current.Clear();
                }
                else
                {
                    current.Append(c);
                }
            }

            cells.Add(current.ToString());
            foreach (var cell in cells)
            {
                yield return cell;
            }
        }
    }
}
