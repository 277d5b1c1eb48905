using System.Diagnostics;
using System.Globalization;
using UsageBatch.Benchmarks;

// usage: dotnet run -c Release --project tests/UsageBatch.Benchmarks -- --rows N --groups G [--rate R] [--keep]
//        dotnet run -c Release --project tests/UsageBatch.Benchmarks -- --console [--runs R] [--rows N] [--keep]
// One size per process, so the peak working set belongs to that size alone.
if (args.Length > 0 && args[0] == "--console")
{
    int runs = 10_000, rows = 1_000_000;
    for (var i = 1; i + 1 < args.Length; i++)
    {
        if (args[i] is "--runs" or "--rows")
        {
            var value = int.Parse(args[++i], CultureInfo.InvariantCulture);
            (runs, rows) = args[i - 1] == "--runs" ? (value, rows) : (runs, value);
        }
    }

    return await ConsoleBenchmark.RunAsync(runs, rows, args.Contains("--keep")) ? 0 : 1;
}

var options = BenchmarkOptions.Parse(args);
if (options is null)
{
    Console.Error.WriteLine("usage: --rows N --groups G [--rate R (requests per 1 s window)] [--in-flight K] [--plan passes|group-batches] [--keep]");
    return 2;
}

var result = await Benchmark.RunAsync(options);
return result ? 0 : 1;

namespace UsageBatch.Benchmarks
{
    internal sealed record BenchmarkOptions(int Rows, int Groups, int? Rate, int InFlight, bool Keep, UsageBatch.Storage.Sqlite.SqlitePlan Plan = UsageBatch.Storage.Sqlite.SqlitePlan.Passes)
    {
        public static BenchmarkOptions? Parse(string[] args)
        {
            int rows = 100_000, groups = 10_000, inFlight = 4;
            int? rate = null;
            var keep = false;
            var plan = UsageBatch.Storage.Sqlite.SqlitePlan.Passes;
            for (var i = 0; i < args.Length; i++)
            {
                string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
                switch (args[i])
                {
                    case "--rows": rows = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--groups": groups = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--rate": rate = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--in-flight": inFlight = int.Parse(Next(), CultureInfo.InvariantCulture); break;
                    case "--keep": keep = true; break;
                    // SQL Server's algorithm (group by group, the range settle), run on SQLite: its phase split.
                    case "--plan":
                        switch (Next())
                        {
                            case "passes": plan = UsageBatch.Storage.Sqlite.SqlitePlan.Passes; break;
                            case "group-batches": plan = UsageBatch.Storage.Sqlite.SqlitePlan.GroupBatches; break;
                            default: return null;
                        }

                        break;
                    default: return null;
                }
            }

            return rows < 2 || groups < 2 || groups > rows ? null : new BenchmarkOptions(rows, groups, rate, inFlight, keep, plan);
        }
    }

    internal static class Stopwatches
    {
        public static async Task<TimeSpan> TimeAsync(Func<Task> action)
        {
            var start = Stopwatch.GetTimestamp();
            await action();
            return Stopwatch.GetElapsedTime(start);
        }
    }
}
