using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer.StatementGate;

/// <summary>
/// The statement gate: no SQL Server runs here, so every statement is compiled instead. Every batch of every
/// schema script and every statement the code sends must parse under the SQL Server 2016 grammar and the newest
/// one (ScriptDom), and every table, column and schema they name must resolve in a model of the scripts (DacFx).
/// The last tests prove the gate can fail.
/// </summary>
public sealed class StatementGateTests
{
    [Fact]
    public void SchemaScripts_EveryBatchParses_UnderEachGrammar()
    {
        var failures = SqlServerSchema.Batches(CodeStatements.Schema)
            .SelectMany(s => s.Batches.Select((b, i) => (Where: $"{s.Script.Name} batch {i + 1}", Errors: TSqlParsing.Errors(b))))
            .Where(x => x.Errors.Count > 0)
            .Select(x => $"{x.Where}: {string.Join("; ", x.Errors)}")
            .ToList();

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void ExtraScripts_EveryBatchParses_AndTheSeedResolves()
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Schema"] = CodeStatements.Schema, ["JobUser"] = "usagebatch_job_user", ["JobLogin"] = "usagebatch_job_login",
        };
        var extras = Directory.GetFiles(RepositoryFiles.PathOf("sql", "sqlserver", "extras"), "*.sql").Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(extras);
        var failures = new List<string>();
        var seed = new List<CodeStatement>();
        foreach (var file in extras)
        {
            var batches = SqlCmdScript.Split(File.ReadAllText(file)).Select(b => SqlCmdScript.Substitute(b, variables)).ToList();
            for (var i = 0; i < batches.Count; i++)
            {
                failures.AddRange(TSqlParsing.Errors(batches[i]).Select(e => $"{Path.GetFileName(file)} batch {i + 1}: {e}"));
                if (Path.GetFileName(file).StartsWith("seed", StringComparison.Ordinal) && !batches[i].TrimStart().StartsWith("SET", StringComparison.Ordinal))
                {
                    seed.Add(new CodeStatement($"{Path.GetFileName(file)} batch {i + 1}", batches[i]));
                }
            }
        }

        Assert.NotEmpty(seed);
        failures.AddRange(ResolveProblems(seed));
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void CodeStatements_AreFoundFromTheCode()
    {
        var statements = CodeStatements.All();

        // Not a list to keep up to date: a floor that shows the discovery works, and names that must be among them.
        Assert.True(statements.Count > 40, $"only {statements.Count} statements found");
        Assert.Contains(statements, s => s.Origin == "SqlServerUsageStatements.ClaimBatch (whop_usage)");
        Assert.Contains(statements, s => s.Origin == "SqlServerUsageStatements.Groups (chargebee_usage)");
        Assert.Contains(statements, s => s.Origin == "SqlServerStatements.SettleBatchSql (chargebee_usage)");
        Assert.Contains(statements, s => s.Origin.StartsWith("SqlServerSchema.", StringComparison.Ordinal));
        Assert.All(statements, s => Assert.DoesNotContain("$(", s.Text, StringComparison.Ordinal));
    }

    [Fact]
    public void CodeStatements_EachParses_UnderEachGrammar()
    {
        var failures = CodeStatements.All()
            .Select(s => (s.Origin, Errors: TSqlParsing.Errors(s.Text)))
            .Where(x => x.Errors.Count > 0)
            .Select(x => $"{x.Origin}: {string.Join("; ", x.Errors)}")
            .ToList();

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void SchemaModel_OfTheScripts_IsValid()
    {
        var problems = SchemaModel.Problems(SchemaModel.Build());

        Assert.True(problems.Count == 0, string.Join("\n", problems.Select(p => p.Message)));
    }

    [Fact]
    public void CodeStatements_EachResolves_AgainstTheSchemaModel()
    {
        var failures = ResolveProblems(CodeStatements.All());

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Gate_ReportsBadSyntax()
    {
        var errors = TSqlParsing.Errors("UPDATE TOP (@n) [ub].whop_usage WITH (ROWLOCK SET billing_status = 'claimed';");

        Assert.NotEmpty(errors);
        Assert.Contains(errors, e => e.Contains("TSql130", StringComparison.Ordinal));
    }

    [Fact]
    public void Gate_ReportsSyntaxNewerThanSqlServer2016()
    {
        // GREATEST arrived in SQL Server 2022: the 2016 grammar must refuse what the newest accepts... as a
        // function call it parses, so use a statement form: CREATE OR ALTER is 2016 SP1; DROP … IF EXISTS is 2016;
        // the 2022-only "IS [NOT] DISTINCT FROM" predicate is refused by the 2016 grammar.
        var errors = TSqlParsing.Errors("SELECT id FROM [ub].whop_usage WHERE membership_id IS NOT DISTINCT FROM @MembershipId;");

        Assert.Contains(errors, e => e.StartsWith("SQL Server 2016", StringComparison.Ordinal));
        Assert.DoesNotContain(errors, e => e.StartsWith("newest", StringComparison.Ordinal));
    }

    [Fact]
    public void Gate_ReportsAnUnknownColumn_NamingTheStatement()
    {
        var errors = ResolveErrors(new CodeStatement("Broken.UnknownColumnSql",
            "UPDATE [ub].whop_usage SET billing_statuz = 'claimed' WHERE id = @Id;"));

        Assert.Contains(errors, e => e.Contains("billing_statuz", StringComparison.Ordinal));
    }

    [Fact]
    public void Gate_ReportsAnUnknownTableAndSchema()
    {
        Assert.Contains(ResolveErrors(new CodeStatement("Broken.UnknownTableSql", "SELECT id FROM [ub].whop_usages WHERE id = @Id;")),
            e => e.Contains("whop_usages", StringComparison.Ordinal));
        Assert.Contains(ResolveErrors(new CodeStatement("Broken.UnknownSchemaSql", "SELECT id FROM [nope].whop_usage WHERE id = @Id;")),
            e => e.Contains("nope", StringComparison.Ordinal));
    }

    private static IReadOnlyList<string> ResolveErrors(CodeStatement statement) => ResolveProblems([statement]);

    /// <summary>One model with every statement as a procedure (one validation, not one per statement), each problem named by the statement's origin.</summary>
    private static List<string> ResolveProblems(IReadOnlyList<CodeStatement> statements)
    {
        var all = CodeStatements.All();
        var model = SchemaModel.Build([.. statements.Select(s => ProcedureWrapper.Wrap(s, all))]);
        var byElement = statements.ToDictionary(s => $"[{CodeStatements.Schema}].[{ProcedureWrapper.ProcedureName(s)}]", s => s.Origin, StringComparer.OrdinalIgnoreCase);
        return [.. SchemaModel.Problems(model).Select(p => $"{(byElement.TryGetValue(p.Element, out var origin) ? origin : "schema")}: {p.Message}")];
    }
}
