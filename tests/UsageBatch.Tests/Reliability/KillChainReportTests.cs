using System.Text.Json;
using Dapper;
using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// Three real `usagebatch run`s killed with -9 mid-send in a row (several requests in flight each), each followed
/// at once by the next, then a clean run: every final submission appears in exactly one written report, every report's
/// provider echo equals its billed totals, and the reports' billed totals equal the billed rows.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class KillChainReportTests
{
    private static readonly string[] Final = ["confirmed", "zero", "rejected", "held", "released", "void"];

    [Theory]
    [InlineData("chargebee")]
    [InlineData("whop")]
    public async Task ThreeKillsInARowThenACleanRun_EveryFinalSubmissionInExactlyOneReport(string provider)
    {
        await using var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings
        {
            LatencyMs = 300, MaxInFlight = 4, LeaseDuration = TimeSpan.FromMinutes(5), Timeout = TimeSpan.FromSeconds(5),
        });
        await using (var connection = await world.OpenAsync())
        {
            await new UsageSeeder(new Random(11)).SeedAsync(connection, 400, 1200);
        }

        var job = provider == "whop" ? ReliabilityWorld.WhopJob(0) : ReliabilityWorld.ChargebeeJob(0);
        for (var kill = 1; kill <= 3; kill++)
        {
            var before = await world.CountAsync(Confirmed);
            using var run = world.StartRun(job);
            await world.WaitUntilAsync(Confirmed, before + 3, run);
            await run.KillAsync();
        }

        using (var clean = world.StartRun(job))
        {
            var exit = await clean.WaitAsync(TimeSpan.FromMinutes(3));
            Assert.True(exit is 0 or 1, $"exit {exit}:\n{clean.Output}");
        }

        await ConcurrentProcessTests.AssertConvergedAsync(world);

        var reported = new Dictionary<long, int>();
        var reportedBilled = 0m;
        foreach (var file in Directory.GetFiles(Path.Combine(world.Folder, "reports"), "*.json", SearchOption.AllDirectories))
        {
            using var report = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            foreach (var submission in report.RootElement.GetProperty("submissions").EnumerateArray())
            {
                var status = submission.GetProperty("status").GetString()!;
                if (!Final.Contains(status))
                {
                    continue;
                }

                var id = submission.GetProperty("id").GetInt64();
                reported[id] = reported.GetValueOrDefault(id) + 1;
                if (status is "confirmed" or "zero")
                {
                    var total = submission.GetProperty("total").GetDecimal();
                    reportedBilled += total;
                    if (status == "confirmed")
                    {
                        Assert.Equal(total, submission.GetProperty("echoedTotal").GetDecimal());
                    }
                }
            }
        }

        await using var db = await world.OpenAsync();
        var ledger = (await db.QueryAsync<long>(
            "SELECT id FROM ub_submission WHERE settled_at IS NOT NULL AND status IN ('confirmed', 'zero', 'rejected', 'held', 'released', 'void')")).ToList();
        var billedValues = (await db.QueryAsync<string>("SELECT COALESCE(amount, quantity) FROM whop_usage WHERE billing_status = 'billed'"))
            .Concat(await db.QueryAsync<string>("SELECT quantity FROM chargebee_usage WHERE billing_status = 'billed'"));
        var billedRows = billedValues.Sum(v => decimal.Parse(v, System.Globalization.CultureInfo.InvariantCulture));

        Assert.NotEmpty(ledger);
        Assert.Empty(ledger.Where(id => reported.GetValueOrDefault(id) != 1).Select(id => $"submission {id} in {reported.GetValueOrDefault(id)} reports"));
        Assert.Equal(billedRows, reportedBilled);
        Assert.Equal(3, await db.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM ub_run WHERE status = 'dead'"));
    }

    private const string Confirmed = "SELECT COUNT(*) FROM ub_submission WHERE status = 'confirmed'";
}
