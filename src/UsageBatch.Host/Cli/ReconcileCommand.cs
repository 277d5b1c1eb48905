using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Configuration;
using UsageBatch.Providers;
using UsageBatch.Reports;
using UsageBatch.Storage;

namespace UsageBatch.Cli;

/// <summary>
/// `usagebatch reconcile --job NAME --from DATE --to DATE`: our ledger vs the provider's own list over [from, to), UTC.
/// Exit 0 clean, 1 differences, 2 bad arguments, 3 provider or database failure.
/// </summary>
internal static class ReconcileCommand
{
    public static async Task<int> RunAsync(string configPath, string? jobName, string? fromText, string? toText, TextWriter output,
        Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TryDay(fromText, out var from) || !TryDay(toText, out var to) || from >= to)
        {
            throw new UsageException("usagebatch: reconcile needs --from and --to as ISO dates (yyyy-MM-dd, UTC) with from before to");
        }

        var options = ConfigLoader.Load(configPath);
        var job = Commands.SelectJobs(options, [jobName!], configPath)[0];
        Commands.Check(options, environment, requireKeys: true, [job.Name]);
        var store = Composition.CreateStore(options, environment, DatabaseUse.Read);

        var account = options.AccountOf(job);
        using var loggers = Logging.Create(options.Logging);
        var provider = Composition.CreateProvider(job.Provider, account, environment, time, loggers);
        try
        {
            await ((IBillingStore)store).EnsureSchemaAsync(cancellationToken);
            var report = await new Reconciler(store, provider, job, account, time).RunAsync(from, to, cancellationToken);
            foreach (var path in await ReconcileFiles.WriteAsync(report, options.Reports.Directory, cancellationToken))
            {
                await output.WriteLineAsync(path);
            }

            await output.WriteLineAsync(ReconcileSummary.Line(report));
            return report.Clean ? ExitCodes.Ok : ExitCodes.Attention;
        }
        catch (ProviderListException ex)
        {
            // The provider's failure, not ours: one line, exit 3 (the log file has the detail).
            throw new InvalidOperationException($"the provider's list failed: {ex.Message}", ex);
        }
        finally
        {
            (provider as IDisposable)?.Dispose();
        }
    }

    private static bool TryDay(string? text, out DateTimeOffset value)
    {
        var ok = DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day);
        value = ok ? new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero) : default;
        return ok;
    }
}
