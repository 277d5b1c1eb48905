using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>003_quartz.sql must stay exactly what Quartz 4 itself would create (not Quartz 3's tables).</summary>
public sealed class QuartzScriptTests
{
    private const string Resource = "Quartz.Impl.AdoJobStore.Schema.create_sqlServer.sql";

    [Fact]
    public void QuartzScript_IsTheStatementsQuartzDllEmbeds_WithOurPrefix()
    {
        var assembly = typeof(Quartz.IScheduler).Assembly;
        Assert.Contains(Resource, assembly.GetManifestResourceNames());
        using var stream = assembly.GetManifestResourceStream(Resource)!;
        using var reader = new StreamReader(stream);
        var quartz = reader.ReadToEnd().Replace("\r\n", "\n", StringComparison.Ordinal);

        // Quartz separates statements with lines reading exactly '--;;'; the first piece is its header comment.
        var pieces = new List<string>();
        var current = new List<string>();
        foreach (var line in quartz.Split('\n'))
        {
            if (line == "--;;")
            {
                pieces.Add(string.Join('\n', current));
                current.Clear();
            }
            else
            {
                current.Add(line);
            }
        }

        pieces.Add(string.Join('\n', current));
        var expected = pieces.Skip(1)
            .Select(p => p.Trim('\n').Replace("{0}", "[$(Schema)].QRTZ_", StringComparison.Ordinal).Replace("{1}", "QRTZ_", StringComparison.Ordinal))
            .ToList();

        var ours = SqlCmdScript.Split(SchemaScripts.For("sqlserver").Single(s => s.Name == "003_quartz.sql").Text)
            .Select(b => b.Trim('\n')).ToList();

        // ours = the SET batch, Quartz's statements, the version insert
        Assert.Equal(expected, ours.Skip(1).Take(ours.Count - 2));
        Assert.Equal(15, expected.Count(s => s.Contains("CREATE TABLE", StringComparison.Ordinal)));
    }
}
