using System.Reflection;
using System.Text.RegularExpressions;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// Offline proof that every statement the SQL Server store runs is parameterized: SQL lives only in compile-time
/// constants (which cannot hold a runtime value), the only text spliced into them is the schema (checked as a
/// plain identifier) and one of the two fixed usage-table names, and every command the code runs takes its text
/// from those constants.
/// </summary>
public sealed partial class SqlServerStoreParameterizationTests
{
    private static readonly Type[] SqlHolders = [typeof(SqlServerBillingStore), typeof(SqlServerSchema)];

    [GeneratedRegex(@"\b(SELECT|INSERT|UPDATE|DELETE|EXEC|MERGE|FROM|WHERE)\b")]
    private static partial Regex SqlKeyword();

    [GeneratedRegex(@"\$@?""(?:""""|[^""])*""|\$@?""""""[\s\S]*?""""""")]
    private static partial Regex InterpolatedString();

    [GeneratedRegex(@"new CommandDefinition\(\s*((?:_?database\.Sql|Ledger)\([^()]*\)|[^,()\s]+)")]
    private static partial Regex CommandText();

    [GeneratedRegex(@"CommandText = ([^;]+);")]
    private static partial Regex CommandTextAssignment();

    // A constant, a constant expanded for the schema (and a usage table), a choice between two constants, or (in
    // SqlServerSchema only) a batch of the DBAs' own scripts after the checked substitution.
    [GeneratedRegex(@"^(_?database\.Sql\([A-Z]\w*Sql(, [\w.]+)?\)|(_database\.Sql|Ledger)\([\w.]+ == [\w.]+ \? [A-Z]\w*Sql : [A-Z]\w*Sql\)|Ledger\([A-Z]\w*Sql\)|[A-Z]\w*Sql|batch)$")]
    private static partial Regex AllowedCommandText();

    [GeneratedRegex(@"'[^']*'")]
    private static partial Regex Literal();

    private static IEnumerable<string> SourceFiles() =>
        Directory.GetFiles(RepositoryFiles.PathOf("src", "UsageBatch.Host", "Storage", "SqlServer"), "*.cs");

    private static IEnumerable<(string Name, string Template)> Templates() =>
        SqlHolders.SelectMany(t => t.GetFields(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Sql", StringComparison.Ordinal))
            .Select(f => ($"{f.DeclaringType!.Name}.{f.Name}", (string)f.GetRawConstantValue()!));

    [Fact]
    public void EveryCommand_TakesItsTextFromAConstantTemplate()
    {
        var commands = 0;
        foreach (var file in SourceFiles())
        {
            var source = File.ReadAllText(file);
            foreach (Match match in CommandText().Matches(source).Concat(CommandTextAssignment().Matches(source)))
            {
                commands++;
                Assert.Matches(AllowedCommandText(), match.Groups[1].Value.Trim());
            }
        }

        Assert.True(commands > 30, $"only {commands} commands found: is the scan still looking at the right files?");
    }

    [Fact]
    public void NoInterpolatedString_InTheStore_IsSql()
    {
        foreach (var file in SourceFiles())
        {
            foreach (Match text in InterpolatedString().Matches(File.ReadAllText(file)))
            {
                Assert.False(SqlKeyword().IsMatch(text.Value), $"{Path.GetFileName(file)}: interpolated SQL {text.Value}");
            }
        }
    }

    [Fact]
    public void Templates_SpliceOnlyTheSchemaAndTheUsageTable_AndHoldNoValues()
    {
        var templates = Templates().ToList();
        Assert.True(templates.Count > 30);
        foreach (var (name, template) in templates)
        {
            var placeholders = Regex.Matches(template, @"\$\((\w+)\)").Select(m => m.Groups[1].Value).Distinct();
            Assert.All(placeholders, p => Assert.Contains(p, new[] { "Schema", "UsageTable", "SubmissionColumns" }));
            Assert.DoesNotContain("{", template, StringComparison.Ordinal);
            // Literals are fixed words of the schema (states, field names, lock modes), never data.
            foreach (Match literal in Literal().Matches(template))
            {
                Assert.Matches(@"^'[A-Za-z_ ()`,;:\-0-9\[\]$.]*'$", literal.Value);
            }

            var expanded = SqlServerDatabase.Expand(template.Replace("$(SubmissionColumns)", "s.id", StringComparison.Ordinal), "dbo",
                template.Contains("$(UsageTable)", StringComparison.Ordinal) ? UsageTable.Whop.Name : "");
            Assert.DoesNotContain("$(", expanded, StringComparison.Ordinal);
            _ = name;
        }
    }

    [Fact]
    public void Expand_UnknownUsageTable_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => SqlServerDatabase.Expand("SELECT 1 FROM [$(Schema)].$(UsageTable)", "dbo", "users; DROP TABLE x"));
        Assert.Throws<InvalidOperationException>(() => SqlServerDatabase.Expand("SELECT 1 FROM [$(Schema)].$(UsageTable)", "dbo", ""));
    }

    [Fact]
    public void DateTimeParameters_AreTypedDatetime2_AndTruncatedToMilliseconds()
    {
        using var command = new Microsoft.Data.SqlClient.SqlCommand();
        SqlServerDatabase.Time(new DateTimeOffset(2026, 1, 15, 9, 0, 0, 123, TimeSpan.FromHours(2)).AddTicks(4567)).AddParameter(command, "At");
        SqlServerDatabase.Time((DateTimeOffset?)null).AddParameter(command, "Null");

        Assert.Equal(System.Data.DbType.DateTime2, command.Parameters["At"].DbType);
        Assert.Equal(new DateTime(2026, 1, 15, 7, 0, 0, 123, DateTimeKind.Utc), command.Parameters["At"].Value);
        Assert.Equal((System.Data.DbType.DateTime2, (object)DBNull.Value), (command.Parameters["Null"].DbType, command.Parameters["Null"].Value));
    }
}
