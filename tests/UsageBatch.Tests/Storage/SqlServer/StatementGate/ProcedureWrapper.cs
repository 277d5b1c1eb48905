using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace UsageBatch.Tests.Storage.SqlServer.StatementGate;

/// <summary>
/// Wraps one statement in a stored procedure whose parameters are the statement's free <c>@variables</c> (the
/// ones the code binds), so DacFx resolves every table and column the statement names. The parameter type does
/// not matter for name resolution; sql_variant accepts every value the code sends. A temporary table the
/// statement uses is created first by the code's own statement that creates it, so its columns are checked too.
/// </summary>
internal static class ProcedureWrapper
{
    public static string ProcedureName(CodeStatement statement) => "gate_" + new string([.. statement.Origin.Where(char.IsLetterOrDigit)]);

    public static string Wrap(CodeStatement statement, IReadOnlyList<CodeStatement> all)
    {
        var finder = Find(statement.Text);
        var setup = finder.TempTablesUsed.Except(finder.TempTablesCreated, StringComparer.OrdinalIgnoreCase)
            .Select(t => all.FirstOrDefault(s => Find(s.Text).TempTablesCreated.Contains(t))?.Text ?? "")
            .Where(t => t.Length > 0);
        var parameters = finder.Referenced.Except(finder.Declared, StringComparer.OrdinalIgnoreCase)
            .OrderBy(v => v, StringComparer.OrdinalIgnoreCase)
            .Select(v => $"    {v} sql_variant = NULL");
        return $"""
            CREATE PROCEDURE [{CodeStatements.Schema}].[{ProcedureName(statement)}]
            {string.Join(",\n", parameters)}
            AS
            BEGIN
            {string.Join("\n", setup)}
            {statement.Text}
            END;
            """;
    }

    private static VariableFinder Find(string text)
    {
        var finder = new VariableFinder();
        TSqlParsing.Parse(text).Accept(finder);
        return finder;
    }

    private sealed class VariableFinder : TSqlFragmentVisitor
    {
        private readonly HashSet<VariableReference> _executeParameterNames = [];

        public HashSet<string> Referenced { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> Declared { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> TempTablesCreated { get; } = new(StringComparer.OrdinalIgnoreCase);

        public HashSet<string> TempTablesUsed { get; } = new(StringComparer.OrdinalIgnoreCase);

        public override void Visit(ExecuteParameter node)
        {
            // In EXEC sp_getapplock @Resource = @Resource, the left one names the procedure's parameter.
            if (node.Variable is not null)
            {
                _executeParameterNames.Add(node.Variable);
            }
        }

        public override void Visit(VariableReference node)
        {
            if (!_executeParameterNames.Contains(node))
            {
                Referenced.Add(node.Name);
            }
        }

        public override void Visit(DeclareVariableElement node) => Declared.Add(node.VariableName.Value);

        public override void Visit(DeclareTableVariableBody node) => Declared.Add(node.VariableName.Value);

        public override void Visit(CreateTableStatement node)
        {
            if (node.SchemaObjectName.BaseIdentifier.Value.StartsWith('#'))
            {
                TempTablesCreated.Add(node.SchemaObjectName.BaseIdentifier.Value);
            }
        }

        public override void Visit(SchemaObjectName node)
        {
            if (node.BaseIdentifier?.Value.StartsWith('#') == true)
            {
                TempTablesUsed.Add(node.BaseIdentifier.Value);
            }
        }
    }
}
