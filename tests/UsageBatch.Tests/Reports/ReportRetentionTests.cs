using UsageBatch.Reports;

namespace UsageBatch.Tests.Reports;

public sealed class ReportRetentionTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-retention", Guid.NewGuid().ToString("N"));

    [Fact]
    public void Prune_DeletesOnlyOurFilesInDayFoldersPastTheRetention()
    {
        var now = new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero);
        Write("2026-09-01/job-run1.html", "2026-09-01/job-run1.json", "2026-09-01/job-run1-submissions.csv"); // 91 days old
        Write("2026-09-02/job-run2.html", "2026-09-02/notes.txt");                                           // 90 days old, and a person's file
        Write("2026-09-03/job-run3.html");                                                                    // 89 days old: kept
        Write("archive/job-run0.html");                                                                       // not a day folder: never touched

        var deleted = ReportRetention.Prune(_folder, 90, now);

        Assert.Equal(4, deleted);
        Assert.False(Directory.Exists(Path.Combine(_folder, "2026-09-01")));
        Assert.Equal(["notes.txt"], Directory.GetFiles(Path.Combine(_folder, "2026-09-02")).Select(Path.GetFileName));
        Assert.True(File.Exists(Path.Combine(_folder, "2026-09-03", "job-run3.html")));
        Assert.True(File.Exists(Path.Combine(_folder, "archive", "job-run0.html")));
    }

    [Fact]
    public void Prune_MissingDirectory_DeletesNothing() =>
        Assert.Equal(0, ReportRetention.Prune(Path.Combine(_folder, "none"), 1, DateTimeOffset.UtcNow));

    private void Write(params string[] paths)
    {
        foreach (var path in paths)
        {
            var full = Path.Combine(_folder, path);
            Directory.CreateDirectory(Path.GetDirectoryName(full)!);
            File.WriteAllText(full, "x");
        }
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }
}
