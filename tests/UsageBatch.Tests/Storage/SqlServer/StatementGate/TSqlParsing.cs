using Microsoft.SqlServer.TransactSql.ScriptDom;

namespace UsageBatch.Tests.Storage.SqlServer.StatementGate;

/// <summary>Parses T-SQL with the oldest grammar the product supports (SQL Server 2016) and the newest one.</summary>
internal static class TSqlParsing
{
    public static readonly IReadOnlyList<(string Name, Func<TSqlParser> Create)> Grammars =
    [
        ("SQL Server 2016 (TSql130)", () => new TSql130Parser(initialQuotedIdentifiers: true)),
        ("newest (TSql180)", () => new TSql180Parser(initialQuotedIdentifiers: true)),
    ];

    /// <summary>Every parse error of <paramref name="text"/> under every grammar, as readable lines.</summary>
    public static IReadOnlyList<string> Errors(string text)
    {
        var errors = new List<string>();
        foreach (var (name, create) in Grammars)
        {
            using var reader = new StringReader(text);
            create().Parse(reader, out var found);
            errors.AddRange(found.Select(e => $"{name}: line {e.Line}, column {e.Column}: {e.Message}"));
        }

        return errors;
    }

    /// <summary>The parsed fragment under the SQL Server 2016 grammar; throws when it does not parse.</summary>
    public static TSqlScript Parse(string text)
    {
        using var reader = new StringReader(text);
        var fragment = new TSql130Parser(initialQuotedIdentifiers: true).Parse(reader, out var errors);
        if (errors.Count > 0)
        {
            throw new InvalidOperationException(string.Join("; ", errors.Select(e => $"line {e.Line}, column {e.Column}: {e.Message}")));
        }

        return (TSqlScript)fragment;
    }
}
