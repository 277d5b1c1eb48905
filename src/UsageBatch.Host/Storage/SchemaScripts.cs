using System.Reflection;
using System.Text.RegularExpressions;

namespace UsageBatch.Storage;

/// <summary>
/// The numbered schema scripts of <c>sql/{dialect}/</c>, embedded in the executable, in apply order. Files in
/// sub-folders (<c>sql/sqlserver/extras/</c>: the login grant, the sample seed) are embedded too but are never
/// part of the schema: only a DBA runs them.
/// </summary>
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
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            // %(RecursiveDir) in the logical name is '\'-separated when built on Windows.
            var normalized = resource.Replace('\\', '/');
            if (!normalized.StartsWith(prefix, StringComparison.Ordinal) || normalized.IndexOf('/', prefix.Length) >= 0)
            {
                continue;
            }

            var name = normalized[prefix.Length..];
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
