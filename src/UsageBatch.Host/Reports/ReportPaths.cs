using System.Globalization;

namespace UsageBatch.Reports;

/// <summary>
/// Where a run's report files go: <c>{directory}/{yyyy-MM-dd}/{job}-run{id}.html|.json</c>,
/// <c>…-submissions.csv</c>, <c>…-exceptions.csv</c>, dated by the run's start (UTC). Known before the files exist,
/// so the run's summary log line can name them.
/// </summary>
internal sealed record ReportPaths(string Html, string Json, string SubmissionsCsv, string ExceptionsCsv)
{
    public static ReportPaths For(string directory, DateTimeOffset startedAt, string job, long runId)
    {
        var stem = Path.Combine(Folder(directory, startedAt), $"{SafeName(job)}-run{runId.ToString(CultureInfo.InvariantCulture)}");
        return new ReportPaths(stem + ".html", stem + ".json", stem + "-submissions.csv", stem + "-exceptions.csv");
    }

    public static string Folder(string directory, DateTimeOffset date) =>
        Path.Combine(directory, date.UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));

    /// <summary>A job name as a file name: anything but letters, digits, '-', '_' and '.' becomes '_'.</summary>
    public static string SafeName(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_').ToArray());

    public IEnumerable<string> All => [Html, Json, SubmissionsCsv, ExceptionsCsv];
}
