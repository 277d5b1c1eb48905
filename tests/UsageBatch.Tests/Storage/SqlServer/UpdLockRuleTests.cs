using Microsoft.SqlServer.TransactSql.ScriptDom;
using UsageBatch.Storage;
using UsageBatch.Tests.Storage.SqlServer.StatementGate;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// UPDLOCK on a usage table is held to the commit on every row the statement reads, not only the rows it changes
/// (TOP limits rows updated, not rows read). So it may stand only where the rows read are the rows changed: on the
/// UPDATE's own target, not joined to anything, reading through the index its INDEX hint names with that index's
/// leading key bound by equality (plainly, or null-safe as EXISTS (SELECT col INTERSECT SELECT @value)). A hold step
/// that read every pending row under UPDLOCK held them all, and escalated to a table lock every run.
/// </summary>
public sealed class UpdLockRuleTests
{
    private static readonly string[] UsageTables = [Tables.Whop.Name, Tables.Chargebee.Name];

    [Fact]
    public void UpdLock_OnAUsageTable_OnlyOnTheUpdateTarget_UnjoinedAndSeekingItsIndex()
    {
        var failures = new List<string>();
        var found = 0;
        foreach (var statement in CodeStatements.All())
        {
            failures.AddRange(Check(statement.Origin, statement.Text, ref found));
        }

        Assert.True(found >= 2, $"only {found} UPDLOCK claims found"); // the two claims
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void TheRule_CatchesTheHoldStepThatLockedEveryPendingRow()
    {
        // The shape the hold step had: UPDLOCK on the usage table, joined to the ledger, filtered on status only.
        var found = 0;
        var failures = Check("old hold step", """
            UPDATE TOP (@BatchSize) u SET billing_status = 'held'
            FROM dbo.whop_usage AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK)
            JOIN dbo.ub_submission AS s ON s.id = u.billing_submission_id
            WHERE u.billing_status = 'pending' AND s.status IN ('confirmed', 'zero', 'held');
            """, ref found);
        var unbound = Check("claim on status only", """
            UPDATE TOP (@BatchSize) u SET billing_status = 'claimed'
            FROM dbo.whop_usage AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK, INDEX(ix_whop_usage_pending))
            WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff;
            """, ref found);

        Assert.Equal(["old hold step: UPDLOCK on whop_usage outside an unjoined UPDATE of it"], failures);
        Assert.Equal(["claim on status only: UPDLOCK read through ix_whop_usage_pending does not bind its leading key membership_id by equality"], unbound);
    }

    private static readonly Lazy<Dictionary<string, string>> LeadingKeys = new(() =>
    {
        var (_, ddl) = SchemaModel.Ddl();
        return ddl.OfType<CreateIndexStatement>()
            .ToDictionary(i => i.Name.Value, i => i.Columns[0].Column.MultiPartIdentifier.Identifiers[^1].Value, StringComparer.OrdinalIgnoreCase);
    });

    private static List<string> Check(string origin, string text, ref int found)
    {
        var failures = new List<string>();
        var script = TSqlParsing.Parse(text);
        var updates = new UpdateSpecifications();
        script.Accept(updates);
        var allowed = new HashSet<NamedTableReference>();
        foreach (var update in updates.Found)
        {
            if (update.FromClause?.TableReferences is not [NamedTableReference table] || !IsUsageTable(table) || !HasUpdLock(table))
            {
                continue;
            }

            found++;
            allowed.Add(table);
            var targetName = ((NamedTableReference)update.Target).SchemaObject.BaseIdentifier.Value;
            if (targetName != (table.Alias?.Value ?? table.SchemaObject.BaseIdentifier.Value))
            {
                failures.Add($"{origin}: UPDLOCK on {table.SchemaObject.BaseIdentifier.Value}, which is not the UPDATE's target");
            }

            var index = table.TableHints.OfType<IndexTableHint>().SelectMany(h => h.IndexValues).Select(v => v.Identifier?.Value).FirstOrDefault();
            if (index is null || !LeadingKeys.Value.TryGetValue(index, out var key))
            {
                failures.Add($"{origin}: UPDLOCK read of {table.SchemaObject.BaseIdentifier.Value} names no index of the scripts");
            }
            else if (!BindsByEquality(update.WhereClause, key))
            {
                failures.Add($"{origin}: UPDLOCK read through {index} does not bind its leading key {key} by equality");
            }
        }

        var hinted = new UsageTableReferences();
        script.Accept(hinted);
        failures.AddRange(hinted.Found.Where(t => HasUpdLock(t) && !allowed.Contains(t))
            .Select(t => $"{origin}: UPDLOCK on {t.SchemaObject.BaseIdentifier.Value} outside an unjoined UPDATE of it"));
        return failures;
    }

    private static bool IsUsageTable(NamedTableReference table) => UsageTables.Contains(table.SchemaObject.BaseIdentifier.Value);

    private static bool HasUpdLock(NamedTableReference table) => table.TableHints.Any(h => h.HintKind == TableHintKind.UpdLock);

    /// <summary>col = @value, or EXISTS (SELECT col INTERSECT SELECT @value), among the WHERE's AND-ed conditions.</summary>
    private static bool BindsByEquality(WhereClause? where, string column)
    {
        var conditions = new List<BooleanExpression>();
        Flatten(where?.SearchCondition, conditions);
        return conditions.Any(c => c switch
        {
            BooleanComparisonExpression { ComparisonType: BooleanComparisonType.Equals } e => IsColumn(e.FirstExpression, column) && e.SecondExpression is VariableReference
                || IsColumn(e.SecondExpression, column) && e.FirstExpression is VariableReference,
            ExistsPredicate { Subquery.QueryExpression: BinaryQueryExpression { BinaryQueryExpressionType: BinaryQueryExpressionType.Intersect } q } =>
                q.FirstQueryExpression is QuerySpecification { SelectElements: [SelectScalarExpression left] } && IsColumn(left.Expression, column)
                && q.SecondQueryExpression is QuerySpecification { SelectElements: [SelectScalarExpression right] } && right.Expression is VariableReference,
            _ => false,
        });
    }

    private static void Flatten(BooleanExpression? expression, List<BooleanExpression> into)
    {
        switch (expression)
        {
            case BooleanBinaryExpression { BinaryExpressionType: BooleanBinaryExpressionType.And } and:
                Flatten(and.FirstExpression, into);
                Flatten(and.SecondExpression, into);
                break;
            case BooleanParenthesisExpression parenthesis:
                Flatten(parenthesis.Expression, into);
                break;
            case { } other:
                into.Add(other);
                break;
        }
    }

    private static bool IsColumn(ScalarExpression expression, string column) =>
        expression is ColumnReferenceExpression c && string.Equals(c.MultiPartIdentifier.Identifiers[^1].Value, column, StringComparison.OrdinalIgnoreCase);

    private sealed class UpdateSpecifications : TSqlFragmentVisitor
    {
        public List<UpdateSpecification> Found { get; } = [];

        public override void Visit(UpdateSpecification node) => Found.Add(node);
    }

    private sealed class UsageTableReferences : TSqlFragmentVisitor
    {
        public List<NamedTableReference> Found { get; } = [];

        public override void Visit(NamedTableReference node)
        {
            if (IsUsageTable(node))
            {
                Found.Add(node);
            }
        }
    }
}
