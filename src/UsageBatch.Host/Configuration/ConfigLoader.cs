using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace UsageBatch.Configuration;

/// <summary>
/// Reads jobs.json through Microsoft.Extensions.Configuration (environment variables override any key, e.g.
/// DATABASE__CONNECTIONSTRING) and resolves relative paths against the config file's folder.
/// </summary>
internal static class ConfigLoader
{
    public static AppOptions Load(string path, IDictionary<string, string?>? overrides = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new ConfigurationException([$"config: file '{path}' does not exist"]);
        }

        IConfigurationRoot configuration;
        try
        {
            var builder = new ConfigurationBuilder()
                .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
                .AddEnvironmentVariables();
            if (overrides is not null)
            {
                builder.AddInMemoryCollection(overrides);
            }

            configuration = builder.Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException or System.Text.Json.JsonException)
        {
            throw new ConfigurationException([$"config: '{path}' is not valid JSON: {ex.Message}"]);
        }

        var options = new AppOptions();
        var errors = new List<string>();
        try
        {
            configuration.Bind(options);
        }
        catch (InvalidOperationException ex)
        {
            // A value of the wrong shape (e.g. "window": "ten seconds"): the binder names the key in its message.
            errors.Add($"config: {ex.Message}{(ex.InnerException is null ? "" : " " + ex.InnerException.Message)}");
        }

        if (errors.Count > 0)
        {
            throw new ConfigurationException(errors);
        }

        options.BaseDirectory = Path.GetDirectoryName(fullPath)!;
        ResolvePaths(options);
        return options;
    }

    private static void ResolvePaths(AppOptions options)
    {
        options.Reports.Directory = Path.GetFullPath(options.Reports.Directory, options.BaseDirectory);
        options.Logging.Directory = Path.GetFullPath(options.Logging.Directory, options.BaseDirectory);
        if (options.Database.Provider.Equals("sqlite", StringComparison.OrdinalIgnoreCase) && options.Database.ConnectionString is { } cs)
        {
            options.Database.ConnectionString = ResolveSqlitePath(cs, options.BaseDirectory);
        }
    }

    /// <summary>Makes a relative SQLite Data Source absolute against the config folder.</summary>
    public static string ResolveSqlitePath(string connectionString, string baseDirectory)
    {
        var builder = new SqliteConnectionStringBuilder(connectionString);
        if (!string.IsNullOrEmpty(builder.DataSource) && builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
        {
            builder.DataSource = Path.GetFullPath(builder.DataSource, baseDirectory);
        }

        return builder.ToString();
    }
}
