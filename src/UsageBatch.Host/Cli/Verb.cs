using UsageBatch.Configuration;

namespace UsageBatch.Cli;

/// <summary>Runs a verb's body and answers every failure it throws the same way (<see cref="CliFailure"/>).</summary>
internal static class Verb
{
    public static async Task<int> RunAsync(string configPath, TextWriter error, Func<Task<int>> body)
    {
        try
        {
            return await body();
        }
        catch (OperationCanceledException)
        {
            throw;
        }
        catch (Exception ex)
        {
            var failure = CliFailure.From(ex, DatabaseKeyOf(configPath));
            if (failure.LogDetails && LoggingOf(configPath) is { } logging)
            {
                Log(logging, ex);
                await error.WriteLineAsync(string.Join(Environment.NewLine, failure.Lines) + $" (details in the log under {logging.Directory})");
            }
            else
            {
                await error.WriteLineAsync(string.Join(Environment.NewLine, failure.Lines));
            }

            return failure.ExitCode;
        }
    }

    /// <summary>The setting the database connection came from, as the operator wrote it.</summary>
    private static string DatabaseKeyOf(string configPath)
    {
        try
        {
            return ConfigLoader.Load(configPath).Database.ConnectionStringEnv is { } env
                ? $"database.connectionStringEnv: environment variable {env}"
                : "database.connectionString";
        }
        catch (ConfigurationException)
        {
            return "database.connectionString";
        }
    }

    private static LoggingOptions? LoggingOf(string configPath)
    {
        try
        {
            return ConfigLoader.Load(configPath).Logging;
        }
        catch (ConfigurationException)
        {
            return null;
        }
    }

    /// <summary>The stack trace is for whoever reads the log file, never for the terminal.</summary>
    private static void Log(LoggingOptions logging, Exception exception)
    {
        using var logger = Logging.CreateLogger(logging, consoleLevel: null);
        logger.Error(exception, "The command failed");
    }
}
