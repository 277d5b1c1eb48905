using System.Globalization;
using UsageBatch.Billing;
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
    public static async Task<int> RunAsync(string configPath, string? jobName, string? fromText, string? toText, TextWriter output, TextWriter error,
        Func<string, string?> environment, TimeProvider time, CancellationToken cancellationToken)
    {
        if (!TryDay(fromText, out var from) || !TryDay(toText, out var to) || from >= to)
        {
            await error.WriteLineAsync("usagebatch: reconcile needs --from and --to as ISO dates (yyyy-MM-dd, UTC) with from before to");
            return ExitCodes.BadConfiguration;
        }

        if (!Commands.TryLoad(configPath, environment, error, requireKeys: true, out var options))
        {
            return ExitCodes.BadConfiguration;
        }

        var job = options.Jobs.FirstOrDefault(j => j.Name == jobName);
        if (job is null)
        {
            await error.WriteLineAsync($"usagebatch: --job: no job named {jobName} in {configPath}");
            return ExitCodes.BadConfiguration;
        }

        if (Composition.CreateStore(options, environment) is not IReportStore store)
        {
            await error.WriteLineAsync($"usagebatch: database.provider '{options.Database.Provider}' cannot reconcile in this build");
            return ExitCodes.BadConfiguration;
        }

        var account = options.Providers[job.Provider];
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

            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{job.Name}: {report.LedgerSubmissions} ledger submissions, {report.ProviderUsages} provider usages; {report.Differences} differences, {report.Findings.Count - report.Differences} receipts written"));
            return report.Clean ? ExitCodes.Ok : ExitCodes.Attention;
        }
        catch (ProviderListException ex)
        {
            await error.WriteLineAsync($"usagebatch: the provider's list failed: {ex.Message}");
            return ExitCodes.Aborted;
        }
        catch (Exception ex) when (ex is not OperationCanceledException and not Configuration.ConfigurationException)
        {
            await error.WriteLineAsync($"usagebatch: reconcile failed: {ex.Message}");
            return ExitCodes.Aborted;
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
