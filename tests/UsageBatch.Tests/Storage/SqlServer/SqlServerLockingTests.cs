using Microsoft.SqlServer.TransactSql.ScriptDom;
using UsageBatch.Configuration;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;
using UsageBatch.Tests.Storage.SqlServer.StatementGate;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// Locking read as a DBA reads it, from the schema scripts and the statements themselves (no server needed):
/// how many key locks a changed row takes on each index, the hints that keep racing runs apart under every
/// isolation setting, and the claim's shape.
/// </summary>
public sealed class SqlServerLockingTests
{
    private static readonly string[] UsageTables = [Tables.Whop.Name, Tables.Chargebee.Name];

    [Fact]
    public void EveryUsageTableUpdate_StaysUnderTheEscalationThreshold_OnEveryIndex()
    {
        var (tables, others) = SchemaModel.Ddl();
        var worst = 0;
        var checkedStatements = 0;
        foreach (var statement in CodeStatements.All())
        {
            foreach (var update in Updates(statement.Text).Where(u => UsageTables.Contains(u.Table)))
            {
                checkedStatements++;
                var locks = LocksPerRow(tables[$"{CodeStatements.Schema}.{update.Table}"], IndexesOf(others, update.Table), update.SetColumns);
                var busiest = locks.MaxBy(l => l.Value);
                worst = Math.Max(worst, busiest.Value);
                Assert.True(busiest.Value <= SqlServerLocking.MaxKeyLocksPerRowOnOneIndex,
                    $"{statement.Origin} takes {busiest.Value} key locks per row on {busiest.Key}; SqlServerLocking allows {SqlServerLocking.MaxKeyLocksPerRowOnOneIndex}");
            }
        }

        Assert.True(checkedStatements >= 8, $"only {checkedStatements} updates of a usage table found");
        Assert.Equal(SqlServerLocking.MaxKeyLocksPerRowOnOneIndex, worst); // the bound is tight: the claim really takes two
        Assert.True(SqlServerLocking.MaxRowsPerStatement * SqlServerLocking.MaxKeyLocksPerRowOnOneIndex <= SqlServerLocking.KeyLockBudget);
        Assert.True(SqlServerLocking.KeyLockBudget < SqlServerLocking.EscalationThreshold);
    }

    [Fact]
    public void TheClaim_TakesTwoKeyLocksPerRow_OnTheSubmissionIndex()
    {
        // The defect this guards against: 4,000 rows per claim were ~8,000 key locks on ix_*_submission.
        var (tables, others) = SchemaModel.Ddl();
        var claim = CodeStatements.All().Single(s => s.Origin == "SqlServerUsageStatements.ClaimBatch (whop_usage)");
        var update = Assert.Single(Updates(claim.Text));

        var locks = LocksPerRow(tables[$"{CodeStatements.Schema}.whop_usage"], IndexesOf(others, "whop_usage"), update.SetColumns);

        Assert.Equal(2, locks["ix_whop_usage_submission"]);
        Assert.Equal(1, locks["ix_whop_usage_pending"]);
        Assert.Equal(1, locks["PK_whop_usage"]);
        Assert.Equal(0, locks["UQ_whop_usage_source_key"]);
    }

    [Fact]
    public void BatchSize_IsLimitedByTheLocksARowTakes()
    {
        Assert.Equal(2000, SqlServerLocking.MaxRowsPerStatement);
        Assert.Equal(SqlServerLocking.MaxRowsPerStatement, new JobOptions().BatchSize);
        Assert.Equal(SqlServerLocking.MaxRowsPerStatement, SqlServerLocking.RowsPerStatement(1_000_000));
        Assert.Equal(500, SqlServerLocking.RowsPerStatement(500));
    }

    [Fact]
    public void EveryReadPast_GoesWithReadCommittedLock()
    {
        // Under READ_COMMITTED_SNAPSHOT (Azure SQL's default) a plain read is versioned: READPAST is refused or
        // ignored there unless the read takes locks.
        var failures = new List<string>();
        var found = 0;
        foreach (var statement in CodeStatements.All())
        {
            var tables = new HintedTables();
            TSqlParsing.Parse(statement.Text).Accept(tables);
            foreach (var table in tables.Found.Where(t => t.TableHints.Any(h => h.HintKind == TableHintKind.ReadPast)))
            {
                found++;
                if (!table.TableHints.Any(h => h.HintKind == TableHintKind.ReadCommittedLock))
                {
                    failures.Add($"{statement.Origin}: READPAST on {table.SchemaObject.BaseIdentifier.Value} without READCOMMITTEDLOCK");
                }
            }
        }

        Assert.True(found >= 6, $"only {found} READPAST reads found");
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void NoStatement_OutputsFromAnyTable_WithoutInto()
    {
        // A plain OUTPUT clause is refused (Msg 334) once a DBA adds a trigger to the table, on any of them.
        var failures = new List<string>();
        foreach (var statement in CodeStatements.All())
        {
            var outputs = new PlainOutputs();
            TSqlParsing.Parse(statement.Text).Accept(outputs);
            failures.AddRange(outputs.Targets.Select(t => $"{statement.Origin}: OUTPUT without INTO on {t}"));
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Theory]
    [InlineData("SqlServerUsageStatements.ClaimBatch (whop_usage)", "whop_usage")]
    [InlineData("SqlServerUsageStatements.ClaimBatch (chargebee_usage)", "chargebee_usage")]
    public void TheClaim_IsPinnedToTheFilteredPendingIndex(string origin, string table)
    {
        var claim = CodeStatements.All().Single(s => s.Origin == origin);
        var hinted = new HintedTables();
        TSqlParsing.Parse(claim.Text).Accept(hinted);
        var target = hinted.Found.Single(t => t.SchemaObject.BaseIdentifier.Value == table);
        var index = Assert.IsType<IndexTableHint>(target.TableHints.Single(h => h.HintKind == TableHintKind.Index), exactMatch: false);
        var name = Assert.Single(index.IndexValues).Identifier.Value;

        var definition = IndexesOf(SchemaModel.Ddl().Others, table).Single(i => i.Name.Value == name);
        Assert.NotNull(definition.FilterPredicate); // the pending-only filtered index, whose keys lead with the group's
        Assert.Contains(TableHintKind.ReadPast, target.TableHints.Select(h => h.HintKind));
        Assert.Contains(TableHintKind.UpdLock, target.TableHints.Select(h => h.HintKind));
        Assert.Contains(TableHintKind.Rowlock, target.TableHints.Select(h => h.HintKind));
    }

    [Fact]
    public void ProviderIdColumns_HaveOneWidth_InTheLedgerItsEventsAndBothUsageTables()
    {
        var (tables, _) = SchemaModel.Ddl();
        foreach (var table in new[] { "ub_submission", "ub_submission_event", "whop_usage", "chargebee_usage" })
        {
            foreach (var column in new[] { "provider_usage_id", "provider_receipt_id" })
            {
                Assert.Equal((table, column, 200), (table, column, Length(tables[$"{CodeStatements.Schema}.{table}"], column)));
            }
        }

        Assert.Equal(200, Length(tables[$"{CodeStatements.Schema}.ub_submission"], "provider_code"));
        Assert.Equal(200, Length(tables[$"{CodeStatements.Schema}.ub_submission_event"], "provider_code"));
        Assert.Equal("abc", Arg.Bounded("abc", 200));
        Assert.Equal(200, Arg.Bounded(new string('x', 300), 200)!.Length);
        Assert.EndsWith("…", Arg.Bounded(new string('x', 300), 200), StringComparison.Ordinal);
    }

    private static int Length(CreateTableStatement table, string column)
    {
        var type = (SqlDataTypeReference)table.Definition.ColumnDefinitions.Single(c => c.ColumnIdentifier.Value == column).DataType;
        return int.Parse(type.Parameters[0].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    private static List<CreateIndexStatement> IndexesOf(IReadOnlyList<TSqlStatement> ddl, string table) =>
        [.. ddl.OfType<CreateIndexStatement>().Where(i => i.OnName.BaseIdentifier.Value == table)];

    /// <summary>
    /// Key locks one updated row takes per index: the clustered key one (the row changes in place); a
    /// nonclustered index two when one of its keys changes (the old entry out, the new one in), one when only its
    /// filter or included columns change (the row enters or leaves it, or its entry is rewritten), none otherwise.
    /// </summary>
    private static Dictionary<string, int> LocksPerRow(CreateTableStatement table, List<CreateIndexStatement> indexes, IReadOnlySet<string> set)
    {
        var locks = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var column in table.Definition.ColumnDefinitions)
        {
            foreach (var constraint in column.Constraints.OfType<UniqueConstraintDefinition>())
            {
                var clustered = constraint.IsPrimaryKey && constraint.Clustered != false;
                locks[constraint.ConstraintIdentifier.Value] = clustered ? 1 : set.Contains(column.ColumnIdentifier.Value) ? 2 : 0;
            }
        }

        foreach (var index in indexes)
        {
            var keys = index.Columns.Select(c => c.Column.MultiPartIdentifier.Identifiers[^1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var included = index.IncludeColumns.Select(c => c.MultiPartIdentifier.Identifiers[^1].Value);
            var filter = new ColumnNames();
            index.FilterPredicate?.Accept(filter);
            locks[index.Name.Value] = keys.Overlaps(set) ? 2
                : filter.Names.Overlaps(set) || included.Any(set.Contains) ? 1
                : 0;
        }

        return locks;
    }

    private sealed record Update(string Table, IReadOnlySet<string> SetColumns);

    private static List<Update> Updates(string text)
    {
        var finder = new UpdateFinder();
        TSqlParsing.Parse(text).Accept(finder);
        return finder.Found;
    }

    private sealed class UpdateFinder : TSqlFragmentVisitor
    {
        public List<Update> Found { get; } = [];

        public override void Visit(UpdateSpecification node)
        {
            var target = ((NamedTableReference)node.Target).SchemaObject.BaseIdentifier.Value;
            // UPDATE alias … FROM table AS alias: the alias names the table.
            var aliased = new HintedTables();
            node.FromClause?.Accept(aliased);
            var table = aliased.Found.FirstOrDefault(t => t.Alias?.Value == target)?.SchemaObject.BaseIdentifier.Value ?? target;
            var columns = node.SetClauses.OfType<AssignmentSetClause>()
                .Select(c => c.Column.MultiPartIdentifier.Identifiers[^1].Value).ToHashSet(StringComparer.OrdinalIgnoreCase);
            Found.Add(new Update(table, columns));
        }
    }

    private sealed class HintedTables : TSqlFragmentVisitor
    {
        public List<NamedTableReference> Found { get; } = [];

        public override void Visit(NamedTableReference node) => Found.Add(node);
    }

    private sealed class ColumnNames : TSqlFragmentVisitor
    {
        public HashSet<string> Names { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override void Visit(ColumnReferenceExpression node) => Names.Add(node.MultiPartIdentifier.Identifiers[^1].Value);
    }

    private sealed class PlainOutputs : TSqlFragmentVisitor
    {
        public List<string> Targets { get; } = [];

        public override void Visit(UpdateSpecification node) => Add(node.OutputClause, node.Target, node.FromClause);

        public override void Visit(DeleteSpecification node) => Add(node.OutputClause, node.Target, node.FromClause);

        public override void Visit(InsertSpecification node) => Add(node.OutputClause, node.Target, null);

        private void Add(OutputClause? output, TableReference target, FromClause? from)
        {
            if (output is null || target is not NamedTableReference named)
            {
                return;
            }

            var aliased = new HintedTables();
            from?.Accept(aliased);
            var name = named.SchemaObject.BaseIdentifier.Value;
            Targets.Add(aliased.Found.FirstOrDefault(t => t.Alias?.Value == name)?.SchemaObject.BaseIdentifier.Value ?? name);
        }
    }
}
