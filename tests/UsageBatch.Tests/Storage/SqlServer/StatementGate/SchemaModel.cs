using Microsoft.SqlServer.Dac;
using Microsoft.SqlServer.Dac.Model;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer.StatementGate;

/// <summary>
/// A DacFx model of what <c>sql/sqlserver</c> creates, so statements can be resolved against real tables and
/// columns without a server. The scripts are re-runnable (every CREATE sits inside an IF, the schema is created
/// through EXEC), which a declarative model does not accept, so the DDL is lifted out of them: each CREATE TABLE
/// and CREATE INDEX as written, later ALTER TABLE … ALTER COLUMN / ADD folded into the table they change, in
/// script order, exactly as a server that ran every script would end up.
/// </summary>
internal static class SchemaModel
{
    public static TSqlModel Build(params string[] extraObjects)
    {
        var (tables, others) = Ddl();

        var generator = new Sql130ScriptGenerator(new SqlScriptGeneratorOptions { IncludeSemicolons = true });
        var model = new TSqlModel(SqlServerVersion.Sql130, new TSqlModelOptions());
        model.AddObjects($"CREATE SCHEMA [{CodeStatements.Schema}];");
        foreach (var statement in tables.Values.Cast<TSqlStatement>().Concat(others))
        {
            generator.GenerateScript(statement, out var text);
            model.AddObjects(text);
        }

        foreach (var extra in extraObjects)
        {
            model.AddObjects(extra);
        }

        return model;
    }

    /// <summary>
    /// What DacFx finds wrong: every error, and every unresolved reference (SQL71501/SQL71502, which DacFx files as
    /// warnings) to anything but the system procedures the code calls, which live in master (no master.dacpac here).
    /// </summary>
    public static IReadOnlyList<(string Element, string Message)> Problems(TSqlModel model) =>
        [.. model.Validate()
            .Where(m => m.MessageType == DacMessageType.Error || m.Number is 71501 or 71502)
            .Where(m => !SystemProcedures.Any(p => m.Message.Contains($"[{p}]", StringComparison.OrdinalIgnoreCase)))
            .Select(m => (ElementOf(m.Message), $"{m.Prefix}{m.Number}: {m.Message}"))];

    /// <summary>System procedures of master the code calls by name; DacFx cannot see them without master.dacpac.</summary>
    private static readonly string[] SystemProcedures = ["sp_getapplock", "sp_releaseapplock"];

    private static string ElementOf(string message)
    {
        var start = message.IndexOf("element [", StringComparison.Ordinal);
        if (start < 0)
        {
            return "";
        }

        var end = message.IndexOf("]:", start, StringComparison.Ordinal);
        return end < 0 ? "" : message[(start + "element ".Length)..(end + 1)];
    }

    /// <summary>Every table as it stands after all the scripts (by "schema.table"), and every index.</summary>
    public static (IReadOnlyDictionary<string, CreateTableStatement> Tables, IReadOnlyList<TSqlStatement> Others) Ddl()
    {
        var tables = new Dictionary<string, CreateTableStatement>(StringComparer.OrdinalIgnoreCase);
        var others = new List<TSqlStatement>();
        foreach (var (_, batches) in SqlServerSchema.Batches(CodeStatements.Schema))
        {
            foreach (var batch in batches)
            {
                TSqlParsing.Parse(batch).Accept(new DdlCollector(tables, others));
            }
        }

        return (tables, others);
    }

    public static string Key(SchemaObjectName name) => $"{name.SchemaIdentifier?.Value}.{name.BaseIdentifier.Value}";

    private sealed class DdlCollector(Dictionary<string, CreateTableStatement> tables, List<TSqlStatement> others) : TSqlFragmentVisitor
    {
        public override void ExplicitVisit(CreateTableStatement node) => tables[Key(node.SchemaObjectName)] = node;

        public override void ExplicitVisit(CreateIndexStatement node) => others.Add(node);

        public override void ExplicitVisit(AlterTableAlterColumnStatement node)
        {
            var table = tables[Key(node.SchemaObjectName)];
            var column = table.Definition.ColumnDefinitions.Single(c => c.ColumnIdentifier.Value.Equals(node.ColumnIdentifier.Value, StringComparison.OrdinalIgnoreCase));
            column.DataType = node.DataType ?? column.DataType;
            column.Collation = node.Collation ?? column.Collation;
        }

        public override void ExplicitVisit(AlterTableDropTableElementStatement node)
        {
            var table = tables[Key(node.SchemaObjectName)];
            foreach (var element in node.AlterTableDropTableElements)
            {
                var name = element.Name.Value;
                RemoveAll(table.Definition.TableConstraints, c => c.ConstraintIdentifier?.Value == name);
                foreach (var column in table.Definition.ColumnDefinitions)
                {
                    RemoveAll(column.Constraints, c => c.ConstraintIdentifier?.Value == name);
                }

                if (element.TableElementType == TableElementType.Column)
                {
                    RemoveAll(table.Definition.ColumnDefinitions, c => c.ColumnIdentifier.Value == name);
                }
            }
        }

        private static void RemoveAll<T>(IList<T> items, Func<T, bool> match)
        {
            for (var i = items.Count - 1; i >= 0; i--)
            {
                if (match(items[i]))
                {
                    items.RemoveAt(i);
                }
            }
        }

        public override void ExplicitVisit(AlterTableAddTableElementStatement node)
        {
            var table = tables[Key(node.SchemaObjectName)];
            foreach (var column in node.Definition.ColumnDefinitions)
            {
                table.Definition.ColumnDefinitions.Add(column);
            }

            foreach (var constraint in node.Definition.TableConstraints)
            {
                table.Definition.TableConstraints.Add(constraint);
            }
        }
    }
}
