using System.Globalization;

namespace UsageBatch.Reliability;

/// <summary>
/// The crash harness: over and over, start the real `usagebatch run` (Whop, Chargebee or both, on a job whose run
/// guard is free), sleep a random moment while sends are in flight, SIGKILL it; new rows arrive between kills and,
/// when asked, the emulator is programmed with faults. Every round ends with the faults cleared, the killed runs'
/// leases left to expire, and one final run that must finish (exit 0 or 1); then <see cref="InvariantCheck"/>.
/// Seeded: the same seed replays the same schedule of rows, kinds of runs, delays and faults.
/// </summary>
internal static class ChaosCampaign
{
    private static readonly TimeSpan FinalRunTimeout = TimeSpan.FromMinutes(5);

    public static async Task<ChaosSummary> RunAsync(ChaosOptions options)
    {
        var random = new Random(options.Seed);
        var seeder = new UsageSeeder(random);
        var faults = new Dictionary<string, int>(StringComparer.Ordinal);
        var catalog = FaultCatalog.All((int)options.World.Timeout.TotalMilliseconds);
        var faultOrder = new Queue<int>();
        var problems = new List<string>();
        int kills = 0, finished = 0, rounds = 0;
        var names = new Dictionary<string, string>(StringComparer.Ordinal); // fault key -> kind name
        var matches = new Dictionary<string, int>(StringComparer.Ordinal); // kind name -> requests it was programmed to hit
        var used = new Dictionary<string, int>(StringComparer.Ordinal); // kind name -> requests it actually hit
        CheckResult? last = null;
        await using var world = await ReliabilityWorld.StartAsync(options.World);
        await using (var connection = await world.OpenAsync())
        {
            await seeder.SeedAsync(connection, options.InitialRows, options.InitialRows);
        }

        var iteration = 0;
        while (kills < options.Kills)
        {
            iteration++;
            await using (var connection = await world.OpenAsync())
            {
                await seeder.SeedAsync(connection, random.Next(options.RowsPerIteration + 1), random.Next(options.RowsPerIteration + 1));
            }

            if (options.FaultRate > 0 && random.NextDouble() < options.FaultRate)
            {
                for (var n = random.Next(options.MinFaultsPerIteration, options.MinFaultsPerIteration + 3); n > 0; n--)
                {
                    // Cycle through a shuffled catalog so every kind is programmed early and evenly.
                    if (faultOrder.Count == 0)
                    {
                        foreach (var k in Enumerable.Range(0, catalog.Count).OrderBy(_ => random.Next()))
                        {
                            faultOrder.Enqueue(k);
                        }
                    }

                    var fault = catalog[faultOrder.Dequeue()](random);
                    await world.Emulator.AddFaultAsync(fault);
                    faults[fault.Name] = faults.GetValueOrDefault(fault.Name) + 1;
                    names[fault.Key] = fault.Name;
                    matches[fault.Name] = matches.GetValueOrDefault(fault.Name) + fault.Count;
                }
            }

            var job = await world.FreeJobAsync(random);
            if (job is null)
            {
                await Task.Delay(200);
                continue;
            }

            string[] jobs = random.Next(3) switch
            {
                0 => [ReliabilityWorld.WhopJob(job.Value)],
                1 => [ReliabilityWorld.ChargebeeJob(job.Value)],
                _ => [ReliabilityWorld.WhopJob(job.Value), ReliabilityWorld.ChargebeeJob(job.Value)],
            };
            var delay = random.Next(options.MaxKillDelayMs);
            var killedNow = false;
            using (var run = world.StartRun(jobs))
            {
                await Task.WhenAny(run.Process.WaitForExitAsync(), Task.Delay(delay));
                await run.KillAsync();
                if (run.Killed)
                {
                    kills++;
                    killedNow = true;
                }
                else
                {
                    finished++;
                    if (run.Process.ExitCode is not (0 or 1 or 3 or 4))
                    {
                        problems.Add($"iteration {iteration}: {string.Join(",", jobs)} exited {run.Process.ExitCode}:\n{run.Output}");
                    }
                }

                if (options.Log is not null)
                {
                    var left = await InFlightAsync(world);
                    options.Log.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  #{iteration} {string.Join("+", jobs)} after {delay} ms: {(run.Killed ? "killed" : $"exited {run.Process.ExitCode}")}; left {left}"));
                }
            }

            if (killedNow && (kills % options.KillsPerRound == 0 || kills >= options.Kills))
            {
                rounds++;
                await CountUsedAsync(world, names, matches, used);
                last = await FinishRoundAsync(world, seeder.Rows, problems, options.Log);
                options.Log?.WriteLine($"round {rounds} after {kills} kills: {last}");
                if (!last.Ok)
                {
                    break;
                }
            }
        }

        if (last is null || rounds == 0)
        {
            rounds++;
            await CountUsedAsync(world, names, matches, used);
            last = await FinishRoundAsync(world, seeder.Rows, problems, options.Log);
        }

        problems.AddRange(last.Problems);
        world.Keep = problems.Count > 0; // the database, logs and final-run output stay for a look
        return new ChaosSummary(options.Seed, kills, finished, rounds, faults, used, last.Rows, last.ProviderUsages, last.DoubleBilled, last.Lost, problems);
    }

    /// <summary>Before a round's faults are cleared: how many requests each kind hit (programmed minus what is left).</summary>
    private static async Task CountUsedAsync(ReliabilityWorld world, Dictionary<string, string> names, Dictionary<string, int> matches, Dictionary<string, int> used)
    {
        var remaining = await world.Emulator.RemainingFaultsAsync();
        foreach (var (name, programmed) in matches)
        {
            var left = remaining.Where(r => names.GetValueOrDefault(r.Key) == name).Sum(r => r.Value);
            used[name] = used.GetValueOrDefault(name) + programmed - left;
        }

        matches.Clear();
    }

    /// <summary>What the kills left behind so far (shows that kills land mid-send): unsettled submissions by status, claimed rows.</summary>
    private static async Task<string> InFlightAsync(ReliabilityWorld world)
    {
        await using var connection = await world.OpenAsync();
        using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT (SELECT group_concat(status || '=' || n, ' ') FROM (SELECT status, count(*) AS n FROM ub_submission WHERE settled_at IS NULL GROUP BY status)),
                   (SELECT count(*) FROM whop_usage WHERE billing_status = 'claimed') + (SELECT count(*) FROM chargebee_usage WHERE billing_status = 'claimed')
            """;
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return string.Create(CultureInfo.InvariantCulture, $"unsettled [{(reader.IsDBNull(0) ? "" : reader.GetString(0))}], {reader.GetInt64(1)} rows claimed");
    }

    private static async Task<CheckResult> FinishRoundAsync(ReliabilityWorld world, int seededRows, List<string> problems, TextWriter? log)
    {
        await world.Emulator.ClearFaultsAsync();
        // Recovery adopts only runs whose lease expired: wait one lease (plus slack) for the last killed run's.
        await Task.Delay(world.Settings.LeaseDuration + TimeSpan.FromMilliseconds(500));
        using var final = world.StartRun(ReliabilityWorld.WhopJob(0), ReliabilityWorld.ChargebeeJob(0));
        var exit = await final.WaitAsync(FinalRunTimeout);
        await File.AppendAllTextAsync(Path.Combine(world.Folder, "final-runs.log"), final.Output);
        log?.WriteLine($"  final run exited {exit} (output in {world.Folder}/final-runs.log)");
        if (exit is not (0 or 1))
        {
            problems.Add($"the final run exited {exit}:\n{final.Output}");
        }

        return await InvariantCheck.RunAsync(world, seededRows);
    }
}
