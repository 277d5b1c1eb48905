using System.Text.Json;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Hosting;

/// <summary>Writes a jobs.json next to a harness's database, pointing both providers at its emulator.</summary>
internal static class CliConfig
{
    public const string WhopKeyEnv = "UB_TEST_WHOP_KEY";
    public const string ChargebeeKeyEnv = "UB_TEST_CHARGEBEE_KEY";

    public static string Write(BillingHarness h, string cron = "0 0 3 * * ?")
    {
        var folder = Path.GetDirectoryName(h.Database.DataSource)!;
        var path = Path.Combine(folder, "jobs.json");
        var config = new
        {
            database = new { provider = "sqlite", connectionString = $"Data Source={h.Database.DataSource}" },
            providers = new
            {
                whop = new { type = "whop", baseUrl = h.Emulator.WhopBaseUrl.ToString(), apiKeyEnv = WhopKeyEnv },
                chargebee = new { type = "chargebee", baseUrl = h.Emulator.ChargebeeBaseUrl.ToString(), apiKeyEnv = ChargebeeKeyEnv },
            },
            jobs = new object[]
            {
                new { name = "whop-test", provider = "whop", cron },
                new { name = "chargebee-test", provider = "chargebee", cron },
            },
            scheduler = new { store = "memory" },
            reports = new { directory = "reports" },
            logging = new { directory = "logs" },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(config));
        return path;
    }

    public static string? Environment(string name) => name switch
    {
        WhopKeyEnv => "whop_test_key",
        ChargebeeKeyEnv => "cb_test_key",
        _ => null,
    };
}
