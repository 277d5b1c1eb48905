using System.Reflection;
using System.Text.RegularExpressions;

namespace UsageBatch.Storage;

/// <summary>The numbered schema scripts of <c>sql/{dialect}/</c>, embedded in the executable, in apply order.</summary>
internal static partial class SchemaScripts
{
    [GeneratedRegex(@"^(\d{3})_[a-z0-9_]+\.sql$", RegexOptions.CultureInvariant)]
    private static partial Regex ScriptName();

    public sealed record Script(int Version, string Name, string Text);

    public static IReadOnlyList<Script> For(string dialect)
    {
        var assembly = Assembly.GetExecutingAssembly();
        var prefix = $"sql/{dialect}/";
        var scripts = new List<Script>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..];
            var match = ScriptName().Match(name);
            if (!match.Success)
            {
                throw new InvalidOperationException($"schema script '{resource}' is not named NNN_name.sql");
            }

            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new Script(int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }

        return scripts.OrderBy(s => s.Version).ToList();
    }

    /// <summary>The schema version this build of the job needs.</summary>
    public static int LatestVersion(string dialect) => For(dialect).Max(s => s.Version);
}
