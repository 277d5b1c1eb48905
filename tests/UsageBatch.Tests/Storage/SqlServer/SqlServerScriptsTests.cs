using System.Text.RegularExpressions;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>Offline checks of sql/sqlserver: order, batches, versions, and the same tables and columns as SQLite.</summary>
public sealed partial class SqlServerScriptsTests
{
    [GeneratedRegex(@"INSERT INTO \[\$\(Schema\)\]\.ub_schema_version \(version, script\) VALUES \((\d+), N'([^']+)'\)")]
    private static partial Regex VersionInsert();

    [GeneratedRegex(@"CREATE TABLE (?:IF NOT EXISTS )?(?:\[\$\(Schema\)\]\.)?(?<create>\w+) \((?<body>.*?)\n\);|ALTER TABLE (?<from>\w+) RENAME TO (?<renamed>\w+);|ALTER TABLE (?:\[\$\(Schema\)\]\.)?(?<table>\w+) ADD (?:COLUMN )?(?<added>[a-z_]+) [A-Za-z]", RegexOptions.Singleline)]
    private static partial Regex Migration();

    [GeneratedRegex(@"^\s+([a-z_]+)\s", RegexOptions.Multiline)]
    private static partial Regex Column();

    [Fact]
    public void Scripts_AreDiscoveredInAStableNumberedOrder()
    {
        var scripts = SchemaScripts.For("sqlserver");

        Assert.Equal(["001_usage_tables.sql", "002_ledger.sql", "003_quartz.sql", "004_job_role.sql", "005_run_process_and_skips.sql", "006_provider_id_width.sql", "007_report_carry.sql",
                "008_exception_and_reconcile_indexes.sql", "009_schema_job_role.sql", "010_newest_usage.sql"], scripts.Select(s => s.Name));
        Assert.Equal(Enumerable.Range(1, scripts.Count), scripts.Select(s => s.Version));
        Assert.Equal(scripts.Select(s => s.Name), SchemaScripts.For("sqlserver").Select(s => s.Name));
        Assert.Equal(10, SchemaScripts.LatestVersion("sqlserver"));
    }

    [Fact]
    public void SchemaCheck_LooksForTheWorkOfEveryScriptAfterTheFirstFour()
    {
        // The version alone cannot say it (5 once named another script): each later script's objects are checked.
        foreach (var script in SchemaScripts.For("sqlserver").Where(s => s.Version >= 5))
        {
            Assert.Contains($"N'{script.Name}'", SqlServerSchema.MissingScriptsSql, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Scripts_EachDeclaresItsOwnVersionInItsLastBatch()
    {
        foreach (var script in SchemaScripts.For("sqlserver"))
        {
            var last = SqlCmdScript.Split(script.Text)[^1];
            var match = VersionInsert().Match(last);
            Assert.True(match.Success, $"{script.Name} does not insert its version in its last batch");
            Assert.Equal((script.Version.ToString(System.Globalization.CultureInfo.InvariantCulture), script.Name), (match.Groups[1].Value, match.Groups[2].Value));
            Assert.Contains($"WHERE version = {script.Version})", last, StringComparison.Ordinal); // re-runnable
        }
    }

    [Fact]
    public void Scripts_SplitAndSubstituteCleanly_WithNoSqlcmdCommands()
    {
        var all = SqlServerSchema.Batches("dbo").ToList();

        Assert.Equal(10, all.Count);
        Assert.All(all, s => Assert.True(s.Batches.Count > 1, s.Script.Name));
        Assert.All(all.SelectMany(s => s.Batches), b => Assert.DoesNotContain("$(", b, StringComparison.Ordinal));
        Assert.All(all.SelectMany(s => s.Batches), b => Assert.DoesNotMatch(@"(?im)^\s*GO\s*$", b));
    }

    [Fact]
    public void Scripts_ExtrasAreNotPartOfTheSchema()
    {
        Assert.DoesNotContain(SchemaScripts.For("sqlserver"), s => s.Name.Contains("seed", StringComparison.Ordinal) || s.Name.Contains("grant", StringComparison.Ordinal));
        Assert.True(File.Exists(RepositoryFiles.PathOf("sql", "sqlserver", "extras", "grant_job_login.sql")));
        Assert.True(File.Exists(RepositoryFiles.PathOf("sql", "sqlserver", "extras", "seed_sample.sql")));
        foreach (var extra in Directory.GetFiles(RepositoryFiles.PathOf("sql", "sqlserver", "extras"), "*.sql"))
        {
            var variables = new Dictionary<string, string> { ["Schema"] = "dbo", ["JobLogin"] = "usagebatch_app", ["JobUser"] = "usagebatch_app" };
            Assert.All(SqlCmdScript.Split(File.ReadAllText(extra)), b => SqlCmdScript.Substitute(b, variables));
        }
    }

    [Fact]
    public void Scripts_HaveTheSameTablesAndColumnsAsSqlite()
    {
        // The tables as the scripts leave them, in order: CREATE TABLE, a later ALTER TABLE … ADD column, and
        // SQLite's rebuild (CREATE TABLE t_vN …; ALTER TABLE t_vN RENAME TO t).
        static Dictionary<string, List<string>> Tables(string dialect)
        {
            var tables = new Dictionary<string, List<string>>(StringComparer.Ordinal);
            foreach (var script in SchemaScripts.For(dialect))
            {
                foreach (Match m in Migration().Matches(script.Text))
                {
                    if (m.Groups["create"].Success)
                    {
                        tables[m.Groups["create"].Value] = Column().Matches(m.Groups["body"].Value).Select(c => c.Groups[1].Value)
                            .Where(c => c is not ("constraint" or "check")).ToList();
                    }
                    else if (m.Groups["renamed"].Success && tables.Remove(m.Groups["from"].Value, out var moved))
                    {
                        tables[m.Groups["renamed"].Value] = moved;
                    }
                    else if (m.Groups["added"].Success)
                    {
                        Assert.True(tables.TryGetValue(m.Groups["table"].Value, out var columns), $"{script.Name} alters unknown table {m.Groups["table"].Value}");
                        columns.Add(m.Groups["added"].Value);
                    }
                }
            }

            return tables.Where(t => !t.Key.StartsWith("QRTZ_", StringComparison.Ordinal)).ToDictionary();
        }

        var sqlite = Tables("sqlite");
        var sqlServer = Tables("sqlserver");

        Assert.Equal(sqlite.Keys.Order(), sqlServer.Keys.Order());
        foreach (var (table, columns) in sqlite)
        {
            Assert.Equal(columns, sqlServer[table]);
        }
    }

    [Fact]
    public void UsageTables_UseTheDesignsSqlServerTypes()
    {
        var text = SchemaScripts.For("sqlserver")[0].Text;
        Assert.Matches(@"amount\s+decimal\(28, 10\)", text);
        Assert.Matches(@"occurred_at\s+datetime2\(3\)", text);
        Assert.Matches(@"source_key\s+nvarchar\(200\).*UNIQUE", text);
        Assert.Matches(@"id\s+bigint IDENTITY", text);
        Assert.Matches(@"(?s)ix_whop_usage_pending.*WHERE billing_status = 'pending'", text);
        Assert.Matches(@"(?s)ix_chargebee_usage_pending.*WHERE billing_status = 'pending'", text);
        Assert.Contains("ON [$(Schema)].whop_usage (billing_submission_id)", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Role_GrantsOnlyWhatTheJobNeeds()
    {
        var role = SchemaScripts.For("sqlserver").Single(s => s.Name == "004_job_role.sql").Text;
        var grants = role.Split('\n').Where(l => l.StartsWith("GRANT", StringComparison.Ordinal)).ToList();

        Assert.Contains("GRANT SELECT, UPDATE ON OBJECT::[$(Schema)].whop_usage TO usagebatch_job;", grants);
        Assert.Contains("GRANT SELECT, UPDATE ON OBJECT::[$(Schema)].chargebee_usage TO usagebatch_job;", grants);
        Assert.Contains("GRANT SELECT ON OBJECT::[$(Schema)].ub_schema_version TO usagebatch_job;", grants);
        Assert.All(grants, g => Assert.Matches(@"^GRANT (SELECT|SELECT, UPDATE|SELECT, INSERT, UPDATE, DELETE) ON OBJECT::\[\$\(Schema\)\]\.(ub_|QRTZ_|whop_usage|chargebee_usage)", g));
        Assert.DoesNotContain(grants, g => g.Contains("EXECUTE", StringComparison.Ordinal) || g.Contains("ALTER", StringComparison.Ordinal) || g.Contains("CONTROL", StringComparison.Ordinal));
        Assert.Equal(15, grants.Count(g => g.Contains("QRTZ_", StringComparison.Ordinal)));
    }

    [Fact]
    public void SchemaRole_GrantsTheSameOnThisSchemaOnly_AndTheSharedRoleLosesThemOnceEmpty()
    {
        var scripts = SchemaScripts.For("sqlserver");
        var shared = scripts.Single(s => s.Name == "004_job_role.sql").Text.Split('\n').Where(l => l.StartsWith("GRANT", StringComparison.Ordinal)).ToList();
        var perSchema = scripts.Single(s => s.Name == "009_schema_job_role.sql").Text;
        var grants = perSchema.Split('\n').Where(l => l.StartsWith("GRANT", StringComparison.Ordinal)).ToList();
        var revokes = perSchema.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("REVOKE", StringComparison.Ordinal)).ToList();

        // Exactly 004's privileges, to the schema's own role; every one revoked from the shared role when it is empty.
        Assert.Equal(shared.Select(g => g.Replace(" TO usagebatch_job;", " TO [usagebatch_job_$(Schema)];", StringComparison.Ordinal)), grants);
        Assert.Equal(shared.Select(g => "REVOKE " + g["GRANT ".Length..].Replace(" TO usagebatch_job;", " FROM usagebatch_job;", StringComparison.Ordinal)), revokes);
        Assert.Contains("NOT EXISTS (SELECT 1 FROM sys.database_role_members WHERE role_principal_id = DATABASE_PRINCIPAL_ID(N'usagebatch_job'))", perSchema, StringComparison.Ordinal);
        Assert.Contains("ALTER ROLE [usagebatch_job_$(Schema)] ADD MEMBER", File.ReadAllText(RepositoryFiles.PathOf("sql", "sqlserver", "extras", "grant_job_login.sql")), StringComparison.Ordinal);
    }
}
