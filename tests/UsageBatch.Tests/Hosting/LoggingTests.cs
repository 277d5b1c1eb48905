using Microsoft.Extensions.Logging;
using UsageBatch.Cli;
using UsageBatch.Configuration;

namespace UsageBatch.Tests.Hosting;

public sealed class LoggingTests
{
    [Fact]
    public void Create_LineInsideRunScope_CarriesJobRunIdAndProviderInTheDailyFile()
    {
        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
        try
        {
            using (var loggers = Logging.Create(new LoggingOptions { Directory = folder, RetainedDays = 3 }, console: false))
            {
                var logger = loggers.CreateLogger("UsageBatch.Run");
                using (logger.BeginScope(new Dictionary<string, object> { ["Job"] = "whop-nightly", ["RunId"] = 42L, ["Provider"] = "whop" }))
                {
                    logger.LogInformation("Sending submission {SubmissionId}", 7);
                }
            }

            var file = Assert.Single(Directory.GetFiles(folder, Logging.FilePrefix + "*.log"));
            var line = File.ReadAllText(file).Replace(" ", "", StringComparison.Ordinal);
            Assert.Contains("\"Job\":\"whop-nightly\"", line, StringComparison.Ordinal);
            Assert.Contains("\"RunId\":42", line, StringComparison.Ordinal);
            Assert.Contains("\"Provider\":\"whop\"", line, StringComparison.Ordinal);
            Assert.Contains("Sendingsubmission7", line, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
