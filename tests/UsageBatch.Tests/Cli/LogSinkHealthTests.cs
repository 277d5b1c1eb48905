using Microsoft.Extensions.Diagnostics.HealthChecks;
using UsageBatch.Cli;
using UsageBatch.Configuration;
using UsageBatch.OperatorConsole.Health;

namespace UsageBatch.Tests.Cli;

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class LogSinkCollection
{
    public const string Name = "Serilog's SelfLog (process-wide)";
}

/// <summary>A log folder that cannot be written is said once on standard error and degrades readiness; nothing else stops.</summary>
[Collection(LogSinkCollection.Name)]
public sealed class LogSinkHealthTests
{
    [Fact]
    public async Task LogFolderUnderAFile_SaidOnceOnStandardError_AndReadinessDegraded()
    {
        var folder = Path.Combine(Path.GetTempPath(), "usagebatch-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var blocker = Path.Combine(folder, "not-a-folder");
        await File.WriteAllTextAsync(blocker, "x");
        var error = new StringWriter();
        var previous = LogSinkHealth.Output;
        LogSinkHealth.Reset();
        LogSinkHealth.Output = error;
        try
        {
            using (var logger = Logging.CreateLogger(new LoggingOptions { Directory = Path.Combine(blocker, "logs") }, consoleLevel: null))
            {
                for (var i = 0; i < 5; i++)
                {
                    logger.Information("line {N}", i);
                }
            }

            var lines = error.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
            var line = Assert.Single(lines);
            Assert.StartsWith($"usagebatch: log files under logging.directory '{Path.Combine(blocker, "logs")}' are not being written: ", line, StringComparison.Ordinal);
            var health = await new LogFilesCheck().CheckHealthAsync(new HealthCheckContext());
            Assert.Equal(HealthStatus.Degraded, health.Status);
        }
        finally
        {
            LogSinkHealth.Output = previous;
            LogSinkHealth.Reset();
            Directory.Delete(folder, recursive: true);
        }

        Assert.Equal(HealthStatus.Healthy, (await new LogFilesCheck().CheckHealthAsync(new HealthCheckContext())).Status);
    }
}
