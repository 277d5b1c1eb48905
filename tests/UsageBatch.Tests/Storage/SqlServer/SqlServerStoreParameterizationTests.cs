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
    private static readonly Type[] SqlHolders = [typeof(SqlServerStatements), typeof(SqlServerSchema)];

    [GeneratedRegex(@"\b(SELECT|INSERT|UPDATE|DELETE|EXEC|MERGE|FROM|WHERE)\b")]
    private static partial Regex SqlKeyword();

    [GeneratedRegex(@"\$@?""(?:""""|[^""])*""|\$@?""""""[\s\S]*?""""""")]
    private static partial Regex InterpolatedString();

    [GeneratedRegex(@"\bconst string \w+ = $")]
    private static partial Regex ConstDeclaration();

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
    public void EveryCommand_OfTheSqlServerFolder_TakesItsTextFromAConstantTemplate()
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

        // The guard's and the schema's own commands, and the session's one command definition (its text is a statement).
        Assert.True(commands > 8, $"only {commands} commands found: is the scan still looking at the right files?");
    }

    [GeneratedRegex(@"(?:session\.(?:ExecuteAsync|ScalarAsync<[^>]+>|QueryAsync|ReaderAsync)\(|BatchStep\.RunAsync\(session,)\s*([^,]+),")]
    private static partial Regex StoreCommand();

    [GeneratedRegex(@"^(?:dialect\.)?Sql\.\w+(?:\[[\w.]+\])?$|^[\w. =]+ \? Sql\.\w+ : Sql\.\w+$")]
    private static partial Regex StatementProperty();

    /// <summary>The store's algorithms send only the dialect's named statements: never text of their own.</summary>
    [Fact]
    public void TheStore_SendsOnlyTheDialectsStatements()
    {
        var files = Directory.GetFiles(RepositoryFiles.PathOf("src", "UsageBatch.Host", "Storage"), "*.cs")
            .Where(f => Path.GetFileName(f).StartsWith("BillingStore", StringComparison.Ordinal) || Path.GetFileName(f) == "GroupBatches.cs").ToList();
        var commands = 0;
        foreach (var file in files)
        {
            foreach (Match match in StoreCommand().Matches(File.ReadAllText(file)))
            {
                commands++;
                Assert.Matches(StatementProperty(), match.Groups[1].Value.Trim());
            }
        }

        Assert.True(commands > 50, $"only {commands} store commands found in {files.Count} files");
    }

    /// <summary>Every statement the SQL Server dialect holds is a constant template expanded (so the statement gate has checked it).</summary>
    [Fact]
    public void EveryStatementOfTheDialect_IsAGatedConstant()
    {
        var dialect = new SqlServerDialect(new SqlServerDatabase("Server=127.0.0.1,1;Database=x", StatementGate.CodeStatements.Schema));
        var gated = StatementGate.CodeStatements.All().Select(s => s.Text).ToHashSet(StringComparer.Ordinal);
        // The gate checks a list parameter as Dapper sends it (IN @Ids expanded); so is it compared here.
        static string AsSent(string text) => Regex.Replace(text, @"\bIN\s+@(\w+)", "IN (@$1_1, @$1_2)", RegexOptions.IgnoreCase);
        var statements = typeof(Statements).GetProperties()
            .SelectMany(p => p.GetValue(dialect.Sql) switch
            {
                string text => [(p.Name, text)],
                PerTable t => UsageBatch.Providers.ProviderRegistry.BuiltIn.Select(m => ($"{p.Name} ({m.Table.Name})", t[m.Table])).ToArray(),
                var other => throw new InvalidOperationException($"{p.Name}: {other}"),
            }).ToList();

        Assert.True(statements.Count > 60);
        Assert.All(statements, s => Assert.True(gated.Contains(AsSent(s.Item2)), $"{s.Item1} is not a gated constant: {s.Item2}"));
    }

    [Fact]
    public void SessionArguments_TimesGoAsDatetime2_TheRestAsGiven()
    {
        var at = new DateTimeOffset(2026, 1, 15, 9, 0, 0, 123, TimeSpan.FromHours(2)).AddTicks(4567);
        var parameters = SqlServerSession.Encode(new { At = at, Missing = (DateTimeOffset?)null, Id = Arg.Ansi("x", 50), Total = 1.5m, Flag = true })!;

        Assert.Equal(new DateTime(2026, 1, 15, 7, 0, 0, 123, DateTimeKind.Utc), parameters.Get<SqlServerDatabase.SqlTime>("At").Value);
        Assert.Null(parameters.Get<SqlServerDatabase.SqlTime>("Missing").Value);
        Assert.True(parameters.Get<Dapper.DbString>("Id").IsAnsi);
        Assert.Equal(1.5m, parameters.Get<decimal>("Total"));
        Assert.True(parameters.Get<bool>("Flag"));
    }

    [Fact]
    public void NoInterpolatedString_InTheStore_IsSql()
    {
        // SqlServerUsageStatements writes a usage table's statements from its description: what it splices are that
        // description's names, which UsageTable refuses unless they are plain lower-case SQL names (tested in
        // UsageTableTests), and constants. The statement gate checks what it writes for every built-in table.
        foreach (var file in SourceFiles().Where(f => Path.GetFileName(f) != "SqlServerUsageStatements.cs"))
        {
            var source = File.ReadAllText(file);
            foreach (Match text in InterpolatedString().Matches(source))
            {
                // A const interpolated string can hold only other constants (the compiler refuses anything else): a
                // shared predicate spliced into templates, never a value.
                var constant = ConstDeclaration().IsMatch(source[..text.Index]);
                Assert.False(!constant && SqlKeyword().IsMatch(text.Value), $"{Path.GetFileName(file)}: interpolated SQL {text.Value}");
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
                template.Contains("$(UsageTable)", StringComparison.Ordinal) ? Tables.Whop.Name : "");
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
