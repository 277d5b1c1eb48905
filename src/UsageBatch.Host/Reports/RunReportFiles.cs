using System.Text;
using UsageBatch.Storage;

namespace UsageBatch.Reports;

/// <summary>Builds a run's report from the ledger and writes its four files (after a run, and for `usagebatch report`).</summary>
internal sealed class RunReportFiles(IReportStore store, string directory)
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>Returns null when the run does not exist.</summary>
    public async Task<ReportPaths?> WriteAsync(long runId, ReportDefaults defaults, CancellationToken cancellationToken)
    {
        var report = await new RunReportBuilder(store, defaults).BuildAsync(runId, cancellationToken);
        if (report is null)
        {
            return null;
        }

        var paths = ReportPaths.For(directory, report.Run.StartedAt, report.Run.Job, report.Run.RunId);
        Directory.CreateDirectory(Path.GetDirectoryName(paths.Html)!);
        await File.WriteAllTextAsync(paths.Html, RunReportHtml.Render(report), Utf8, cancellationToken);
        await File.WriteAllTextAsync(paths.Json, ReportJson.Serialize(report), Utf8, cancellationToken);
        await File.WriteAllBytesAsync(paths.SubmissionsCsv, RunReportCsv.Submissions(report), cancellationToken);
        await File.WriteAllBytesAsync(paths.ExceptionsCsv, RunReportCsv.Exceptions(report), cancellationToken);
        return paths;
    }
}
