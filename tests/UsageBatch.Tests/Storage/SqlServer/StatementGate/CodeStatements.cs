using System.Reflection;
using System.Text.RegularExpressions;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;

namespace UsageBatch.Tests.Storage.SqlServer.StatementGate;

/// <summary>One T-SQL statement the product sends, as the server receives it, and where it came from.</summary>
internal sealed record CodeStatement(string Origin, string Text);

/// <summary>
/// Every statement the SQL Server code can send, found from the code itself: each <c>const string</c> named
/// <c>…Sql</c> of every type in the Host assembly's SQL Server namespace (the parameterization tests prove no
/// command takes its text from anywhere else), expanded the way the store expands it. A new statement is checked
/// the moment it is written, without anyone adding it to a list.
/// </summary>
internal static partial class CodeStatements
{
    [GeneratedRegex(@"\bIN\s+@(\w+)", RegexOptions.IgnoreCase)]
    private static partial Regex DapperList();

    public const string Schema = "ub";

    public static IReadOnlyList<CodeStatement> All() =>
    [
        .. typeof(SqlServerStatements).Assembly.GetTypes()
            .Where(t => t.Namespace == typeof(SqlServerStatements).Namespace)
            .SelectMany(t => t.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Sql", StringComparison.Ordinal))
                .SelectMany(f => Expand(t, f)))
            .Concat(UsageTableStatements())
            .OrderBy(s => s.Origin, StringComparer.Ordinal),
    ];

    /// <summary>
    /// The statements written from each built-in provider's usage table description (the tables the schema scripts
    /// create). A provider registered at run time brings its own table, which these scripts do not know.
    /// </summary>
    private static IEnumerable<CodeStatement> UsageTableStatements() =>
        UsageBatch.Providers.ProviderRegistry.BuiltIn.SelectMany(m => SqlServerUsageStatements.All(m.Table)
            .Select(s => new CodeStatement($"{nameof(SqlServerUsageStatements)}.{s.Name} ({m.Table.Name})",
                SqlServerDatabase.Expand(DapperList().Replace(s.Template, "IN (@$1_1, @$1_2)"), Schema, m.Table.Name))));

    private static IEnumerable<CodeStatement> Expand(Type type, FieldInfo field)
    {
        var template = (string)field.GetRawConstantValue()!;
        // Fragments a template names as $(Name) are constants of the same type (the ledger's column list).
        foreach (var fragment in type.GetFields(BindingFlags.Static | BindingFlags.NonPublic | BindingFlags.Public)
                     .Where(f => f.IsLiteral && f.FieldType == typeof(string) && template.Contains($"$({f.Name})", StringComparison.Ordinal)))
        {
            template = template.Replace($"$({fragment.Name})", (string)fragment.GetRawConstantValue()!, StringComparison.Ordinal);
        }

        // Dapper expands a list parameter written `IN @Ids` into `IN (@Ids1, @Ids2, …)` before sending it.
        template = DapperList().Replace(template, "IN (@$1_1, @$1_2)");
        var origin = $"{type.Name}.{field.Name}";
        if (!template.Contains("$(UsageTable)", StringComparison.Ordinal))
        {
            yield return new CodeStatement(origin, SqlServerDatabase.Expand(template, Schema, ""));
            yield break;
        }

        foreach (var table in UsageBatch.Providers.ProviderRegistry.BuiltIn.Select(m => m.Table))
        {
            yield return new CodeStatement($"{origin} ({table.Name})", SqlServerDatabase.Expand(template, Schema, table.Name));
        }
    }
}
