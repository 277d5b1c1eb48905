using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Cli;
using UsageBatch.Usage;

namespace UsageBatch.Tests.Culture;

/// <summary>
/// Globalization is on (SqlClient needs it), so the machine's culture is real: nothing the job computes may depend
/// on it. These run under cultures that write 1.234,5 and use other digits and calendars, and expect invariant text.
/// </summary>
public sealed class MachineCultureTests : IDisposable
{
    private readonly CultureInfo _culture = CultureInfo.CurrentCulture;
    private readonly CultureInfo _uiCulture = CultureInfo.CurrentUICulture;
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "usagebatch-culture", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        CultureInfo.CurrentCulture = _culture;
        CultureInfo.CurrentUICulture = _uiCulture;
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static void Use(string name)
    {
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo(name);
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo(name);
    }

    [Theory]
    [InlineData("de-DE")]
    [InlineData("fr-FR")]
    [InlineData("ar-SA")]
    [InlineData("th-TH")]
    public void DecimalsAndTimes_ParseAndFormatInvariantly_WhateverTheMachineCulture(string culture)
    {
        Use(culture);
        Assert.Equal(culture, CultureInfo.CurrentCulture.Name); // really in force: globalization is on
        Assert.Equal(1234.5m, DecimalText.Parse("1234.5"));
        Assert.Equal("1234.5", DecimalText.Format(1234.5m));
        var at = new DateTimeOffset(2026, 1, 15, 9, 30, 0, 250, TimeSpan.Zero);
        Assert.Equal(at, UtcText.Parse(UtcText.Format(at)));
        Assert.StartsWith("2026-01-15T09:30:00.250", UtcText.Format(at), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Demo_UnderAGermanCulture_BillsEverything_AndPrintsInvariantNumbers()
    {
        Use("de-DE");
        Assert.Equal(",", CultureInfo.CurrentCulture.NumberFormat.NumberDecimalSeparator);
        Directory.CreateDirectory(_folder);
        var folder = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(folder, "UsageBatch.sln")))
        {
            folder = Path.GetDirectoryName(folder)!;
        }

        var config = Path.Combine(_folder, "jobs.json");
        File.Copy(Path.Combine(folder, "jobs.json"), config);
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await CliApp.RunAsync(["demo", "--config", config], output, error, _ => null);

        // Billed totals equal the provider's echoed totals only if every amount was sent and read back exactly.
        Assert.True(exit == ExitCodes.Ok, output.ToString() + error);
        Assert.Contains("control check PASS", output.ToString(), StringComparison.Ordinal);
        // No number printed the German way (the demo's deliberately bad row '12,50' is quoted input, not output).
        var printed = System.Text.RegularExpressions.Regex.Replace(output.ToString(), "'[^']*'", "''");
        Assert.DoesNotMatch(@"\d,\d", printed.Replace(", ", " ", StringComparison.Ordinal));
    }
}
