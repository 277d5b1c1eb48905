using System.Globalization;

namespace UsageBatch.Configuration;

/// <summary>
/// How long `serve` waits for running jobs on Ctrl+C / SIGTERM. A stopping run lets every request already written
/// finish (each bounded by its account's <c>timeout</c>), then records and settles the outcomes and releases what it
/// never sent: the wait must cover the longest timeout plus that settling, or the host exits under a run that is
/// still settling and the run stays 'running' with its rows claimed until its lease lapses.
/// </summary>
internal static class ShutdownBudget
{
    /// <summary>Recording outcomes, settling rows in batches and releasing unsent claims after the last answer.</summary>
    public static readonly TimeSpan Settling = TimeSpan.FromSeconds(30);

    /// <summary>The longest request timeout of any account an enabled job uses (the default timeout when none).</summary>
    public static TimeSpan LongestRequest(AppOptions options) =>
        options.Jobs.Where(j => j.Enabled && options.Providers.ContainsKey(j.Provider))
            .Select(j => options.AccountOf(j).Timeout)
            .DefaultIfEmpty(new ProviderAccountOptions().Timeout)
            .Max();

    /// <summary>scheduler.shutdownTimeout when set, else the longest request timeout plus <see cref="Settling"/>.</summary>
    public static TimeSpan Effective(AppOptions options) => options.Scheduler.ShutdownTimeout ?? LongestRequest(options) + Settling;

    public static void Validate(AppOptions options, List<string> errors)
    {
        if (options.Scheduler.ShutdownTimeout is not { } configured)
        {
            return;
        }

        var needed = LongestRequest(options) + Settling;
        if (configured > TimeSpan.Zero && configured < needed)
        {
            errors.Add(string.Create(CultureInfo.InvariantCulture,
                $"scheduler.shutdownTimeout: {configured:c} is shorter than the longest provider timeout ({LongestRequest(options):c}) plus {Settling:c} for settling; set at least {needed:c}, or leave it out to use that"));
        }
    }
}
