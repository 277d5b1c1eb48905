using System.Text;
using System.Text.RegularExpressions;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// The part of sqlcmd that <c>db init</c> needs to run the DBAs' own scripts unchanged: batches separated by lines
/// that are exactly <c>GO</c> (any case, optional trailing spaces), and <c>$(Name)</c> variables substituted with
/// values that are checked to be plain identifiers first (the only text ever spliced into SQL). sqlcmd commands
/// (<c>:setvar</c>, <c>:r</c>, …) are refused rather than ignored, so a script never means something else here.
/// </summary>
internal static partial class SqlCmdScript
{
    [GeneratedRegex(@"^GO[ \t]*$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex Separator();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]{0,127}$", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"\$\(([^)]*)\)", RegexOptions.CultureInvariant)]
    private static partial Regex Variable();

    public static bool IsIdentifier(string? value) => value is not null && Identifier().IsMatch(value);

    /// <summary>Throws unless <paramref name="value"/> is a plain identifier (letters, digits, '_'; not starting with a digit; ≤ 128).</summary>
    public static string RequireIdentifier(string value, string what) =>
        IsIdentifier(value) ? value : throw new ArgumentException($"{what} '{value}' is not a plain identifier (^[A-Za-z_][A-Za-z0-9_]{{0,127}}$)", nameof(value));

    /// <summary>The script's batches in order; batches holding only whitespace are dropped.</summary>
    public static IReadOnlyList<string> Split(string script)
    {
        var batches = new List<string>();
        var current = new StringBuilder();
        var lines = script.Split('\n');
        // A final newline ends the last line; it does not start another one.
        foreach (var rawLine in script.EndsWith('\n') ? lines[..^1] : lines)
        {
            var line = rawLine.TrimEnd('\r');
            if (Separator().IsMatch(line))
            {
                Add(batches, current);
                continue;
            }

            if (line.StartsWith(":", StringComparison.Ordinal))
            {
                throw new FormatException($"sqlcmd command '{line}' is not supported by db init; pass variables instead");
            }

            current.Append(line).Append('\n');
        }

        Add(batches, current);
        return batches;
    }

    /// <summary>Replaces every <c>$(Name)</c>; an unknown name or a value that is not a plain identifier throws.</summary>
    public static string Substitute(string text, IReadOnlyDictionary<string, string> variables)
    {
        foreach (var (name, value) in variables)
        {
            RequireIdentifier(value, $"sqlcmd variable {name}");
        }

        return Variable().Replace(text, match => variables.TryGetValue(match.Groups[1].Value, out var value)
            ? value
            : throw new FormatException($"sqlcmd variable '{match.Value}' is not defined"));
    }

    private static void Add(List<string> batches, StringBuilder current)
    {
        var text = current.ToString();
        current.Clear();
        if (!string.IsNullOrWhiteSpace(text))
        {
            batches.Add(text);
        }
    }
}
