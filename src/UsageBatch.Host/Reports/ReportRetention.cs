using System.Globalization;

namespace UsageBatch.Reports;

/// <summary>
/// Deletes report files older than <c>reports.retainedDays</c>: the day folders (<c>{directory}/{yyyy-MM-dd}</c>)
/// dated before the first day kept. Only files the job writes there (.html, .json, .csv) are removed, and a folder
/// only once it is empty, so anything else a person put there is never lost.
/// </summary>
internal static class ReportRetention
{
    private static readonly string[] Ours = [".html", ".json", ".csv"];

    /// <returns>The number of files deleted.</returns>
    public static int Prune(string directory, int retainedDays, DateTimeOffset now)
    {
        if (!Directory.Exists(directory))
        {
            return 0;
        }

        // A run's folder is dated by its start: with 90 days kept, today and the 89 days before it stay.
        var firstKept = DateOnly.FromDateTime(now.UtcDateTime).AddDays(1 - retainedDays);
        var deleted = 0;
        foreach (var folder in Directory.EnumerateDirectories(directory))
        {
            if (!DateOnly.TryParseExact(Path.GetFileName(folder), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) || day >= firstKept)
            {
                continue;
            }

            foreach (var file in Directory.EnumerateFiles(folder).Where(f => Ours.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase)))
            {
                File.Delete(file);
                deleted++;
            }

            if (!Directory.EnumerateFileSystemEntries(folder).Any())
            {
                Directory.Delete(folder);
            }
        }

        return deleted;
    }
}
