using System.Text.Json;
using Dapper;
using UsageBatch.Reliability;

namespace UsageBatch.Tests.Reliability;

/// <summary>
/// What a run leaves behind must not fail silently. Through the real binary: a mistyped reports or log folder is
/// refused by `validate` by its key path; a reports folder that breaks during a run ends that run 'attention'
/// (exit 1) with one line naming reports.directory, the other job still bills, and the next run's report carries
/// what the unwritten report would have shown.
/// </summary>
[Collection(ReliabilityCollection.Name)]
public sealed class ReportFolderTests
{
    [Theory]
    [InlineData("reports")]
    [InlineData("logging")]
    public async Task Validate_FolderUnderAFile_IsRefusedByItsKeyPath(string section)
    {
        await using var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings());
        var blocker = Path.Combine(world.Folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        var config = JsonDocument.Parse(await File.ReadAllTextAsync(world.ConfigPath)).RootElement;
        var edited = System.Text.Json.Nodes.JsonNode.Parse(config.GetRawText())!;
        edited[section] ??= new System.Text.Json.Nodes.JsonObject();
        edited[section]!["directory"] = "not-a-folder/" + section;
        await File.WriteAllTextAsync(world.ConfigPath, edited.ToJsonString());

        using var validate = world.Start("validate");
        var exit = await validate.WaitAsync(TimeSpan.FromMinutes(1));

        Assert.True(exit == 2, $"exit {exit}:\n{validate.Output}");
        Assert.Contains($"{section}.directory: '{Path.Combine(world.Folder, "not-a-folder", section)}' cannot be created: '{blocker}' is a file", validate.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReportsFolderBrokenDuringTheRun_Exit1_BothJobsBilled_NextReportCarriesThem()
    {
        await using var world = await ReliabilityWorld.StartAsync(new ReliabilitySettings { LatencyMs = 200, MaxInFlight = 1, LeaseDuration = TimeSpan.FromSeconds(20), Timeout = TimeSpan.FromSeconds(5) });
        await using (var connection = await world.OpenAsync())
        {
            await new UsageSeeder(new Random(3)).SeedAsync(connection, 40, 40);
        }

        var reports = Path.Combine(world.Folder, "reports");
        using (var run = world.StartRun(ReliabilityWorld.WhopJob(0), ReliabilityWorld.ChargebeeJob(0)))
        {
            // Once it is billing, the folder becomes a file: a disk swapped, a mount gone, a mistyped symlink.
            await world.WaitUntilAsync("SELECT COUNT(*) FROM ub_submission WHERE first_sent_at IS NOT NULL", 1, run);
            if (Directory.Exists(reports))
            {
                Directory.Delete(reports, recursive: true);
            }

            await File.WriteAllTextAsync(reports, "not a folder");
            var exit = await run.WaitAsync(TimeSpan.FromMinutes(3));

            Assert.True(exit == 1, $"exit {exit}:\n{run.Output}");
            Assert.Contains("report not written: reports.directory '" + reports + "'", run.Output, StringComparison.Ordinal);
        }

        await using (var connection = await world.OpenAsync())
        {
            // Both jobs billed: the first job's missing report did not stop the second.
            Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM whop_usage WHERE billing_status = 'billed'") > 0);
            Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM chargebee_usage WHERE billing_status = 'billed'") > 0);
            Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT (SELECT COUNT(*) FROM whop_usage WHERE billing_status = 'claimed') + (SELECT COUNT(*) FROM chargebee_usage WHERE billing_status = 'claimed')"));
            Assert.Equal(new[] { ("attention", 1L), ("attention", 1L) }, (await connection.QueryAsync<(string, long)>("SELECT status, exit_code FROM ub_run ORDER BY id")).ToArray());
        }

        File.Delete(reports);
        using (var next = world.StartRun(ReliabilityWorld.WhopJob(0), ReliabilityWorld.ChargebeeJob(0)))
        {
            Assert.Equal(0, await next.WaitAsync(TimeSpan.FromMinutes(3)));
        }

        await using (var connection = await world.OpenAsync())
        {
            var confirmed = (await connection.QueryAsync<long>("SELECT id FROM ub_submission WHERE status = 'confirmed'")).ToHashSet();
            var carried = new HashSet<long>();
            foreach (var file in Directory.GetFiles(reports, "*.json", SearchOption.AllDirectories))
            {
                using var report = JsonDocument.Parse(await File.ReadAllTextAsync(file));
                carried.UnionWith(report.RootElement.GetProperty("submissions").EnumerateArray()
                    .Where(s => s.GetProperty("status").GetString() == "confirmed").Select(s => s.GetProperty("id").GetInt64()));
            }

            Assert.NotEmpty(confirmed);
            Assert.Equal(confirmed.Order(), carried.Order());
        }
    }
}
