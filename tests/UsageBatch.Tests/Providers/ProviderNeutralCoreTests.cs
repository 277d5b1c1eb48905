using System.Text;
using System.Text.RegularExpressions;
using UsageBatch.Providers;
using UsageBatch.Tests.Storage.SqlServer;

namespace UsageBatch.Tests.Providers;

/// <summary>
/// The core names no provider: whatever is provider-specific lives in the provider's module (Providers/NAME/) and is
/// reached through <see cref="ProviderRegistry"/>, so a third provider is a folder and a registry line, and a missing
/// case cannot silently take another provider's path. Comments and the text of messages may name providers; code may not.
/// </summary>
public sealed partial class ProviderNeutralCoreTests
{
    // Every folder but Providers (the providers' rooms) and Demo (which seeds sample rows for the built-in providers).
    private static readonly string[] CoreFolders = ["Billing", "Storage", "Reports", "Usage", "Configuration", "Cli", "Hosting", "OperatorConsole", "Metrics", "Progress"];

    [GeneratedRegex(@"\b(Whop\w*|Chargebee\w*|ProviderKind)\b")]
    private static partial Regex ProviderName();

    [Fact]
    public void CoreFolders_NameNoProviderInCode()
    {
        var offending = CoreFolders.SelectMany(LinesNamingAProvider).ToList();

        Assert.True(offending.Count == 0, "provider named in core code:\n" + string.Join("\n", offending));
    }

    [Fact]
    public void TheScanner_SeesCodeButNotCommentsOrText()
    {
        const string source = """
            // Whop in a comment
            var a = "Chargebee in text"; /* Whop */ var b = $"{x} Whop";
            if (kind == ProviderKind.Whop) { }
            var c = "whop";
            """;

        var code = CodeOnly(source).Split('\n').Where(l => ProviderName().IsMatch(l)).ToList();

        Assert.Equal(["if (kind == ProviderKind.Whop) { }"], code.Select(l => l.Trim()));
        Assert.Contains("\"whop\"", source, StringComparison.Ordinal); // a provider's type as a literal is caught below
        Assert.True(NamesAProviderType(source));
    }

    [Fact]
    public void EveryBuiltInProvider_HasItsOwnTypeTableAndFolder()
    {
        Assert.Equal(ProviderRegistry.BuiltIn.Count, ProviderRegistry.BuiltIn.Select(m => m.Type).Distinct().Count());
        Assert.Equal(ProviderRegistry.BuiltIn.Count, ProviderRegistry.BuiltIn.Select(m => m.Table).Distinct().Count());
        foreach (var module in ProviderRegistry.BuiltIn)
        {
            Assert.True(Directory.Exists(RepositoryFiles.PathOf("src", "UsageBatch.Host", "Providers", module.DisplayName)), module.DisplayName);
            Assert.Equal($"UsageBatch.Providers.{module.DisplayName}", module.GetType().Namespace);
        }
    }

    private static IEnumerable<string> LinesNamingAProvider(string folder)
    {
        var root = RepositoryFiles.PathOf("src", "UsageBatch.Host", folder);
        foreach (var file in Directory.GetFiles(root, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var text = File.ReadAllText(file);
            var code = CodeOnly(text).Split('\n');
            for (var i = 0; i < code.Length; i++)
            {
                if (ProviderName().IsMatch(code[i]) || NamesAProviderType(code[i]))
                {
                    yield return $"{Path.GetRelativePath(root, file)}:{i + 1}: {text.Split('\n')[i].Trim()}";
                }
            }
        }
    }

    // A branch on a provider's type spelled as text ("whop" == x) is a branch on a provider too.
    private static bool NamesAProviderType(string code) =>
        ProviderRegistry.BuiltIn.Any(m => code.Contains($"\"{m.Type}\"", StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The source with comments and the insides of string literals blanked (line breaks kept, so line numbers hold).
    /// The quotes of a literal that is exactly a provider's type are kept, so <see cref="NamesAProviderType"/> sees it.
    /// </summary>
    private static string CodeOnly(string source)
    {
        var output = new StringBuilder(source.Length);
        var i = 0;
        while (i < source.Length)
        {
            if (At(source, i, "//"))
            {
                while (i < source.Length && source[i] != '\n')
                {
                    i++;
                }
            }
            else if (At(source, i, "/*"))
            {
                var end = source.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? source.Length : end + 2;
                output.Append(Blank(source[i..end]));
                i = end;
            }
            else if (At(source, i, "\"\"\""))
            {
                var end = source.IndexOf("\"\"\"", i + 3, StringComparison.Ordinal);
                end = end < 0 ? source.Length : end + 3;
                output.Append(Blank(source[i..end]));
                i = end;
            }
            else if (source[i] == '"')
            {
                var verbatim = i > 0 && source[i - 1] == '@' || i > 1 && source[i - 2] == '@';
                var end = i + 1;
                while (end < source.Length && source[end] != '"' && source[end] != '\n')
                {
                    end += !verbatim && source[end] == '\\' ? 2 : 1;
                }

                end = Math.Min(end + 1, source.Length);
                var literal = source[i..end];
                var isType = ProviderRegistry.BuiltIn.Any(m => string.Equals(literal, $"\"{m.Type}\"", StringComparison.OrdinalIgnoreCase));
                output.Append(isType ? literal : Blank(literal));
                i = end;
            }
            else
            {
                output.Append(source[i]);
                i++;
            }
        }

        return output.ToString();
    }

    private static bool At(string text, int index, string token) => string.CompareOrdinal(text, index, token, 0, token.Length) == 0;

    private static string Blank(string text) => new(text.Select(c => c == '\n' ? '\n' : ' ').ToArray());
}
