using System.Collections;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;

namespace UsageBatch.Configuration;

/// <summary>
/// Reads jobs.json, lets environment variables override any key (DATABASE__CONNECTIONSTRING, JOBS__0__SETTLEDELAY),
/// binds every key strictly (<see cref="StrictBinder"/>) and resolves relative paths against the config file's folder.
/// </summary>
internal static class ConfigLoader
{
    /// <summary>The top-level sections; only environment variables that start with one of them are overrides.</summary>
    private static readonly string[] Sections = typeof(AppOptions).GetProperties()
        .Where(p => p.GetSetMethod() is not null).Select(p => p.Name).ToArray();

    // The same reading Microsoft's JSON configuration provider does, so what parses here loads there.
    private static readonly JsonDocumentOptions JsonReading = new() { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true };

    /// <param name="environmentVariables">Null: the process's own. Tests pass their own.</param>
    public static AppOptions Load(string path, IDictionary? environmentVariables = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new ConfigurationException([$"config: file '{path}' does not exist (give another with --config PATH)"]);
        }

        CheckJson(path, fullPath);
        var overrides = Overrides(environmentVariables ?? Environment.GetEnvironmentVariables());
        IConfigurationRoot configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .AddJsonFile(fullPath, optional: false, reloadOnChange: false)
                .AddInMemoryCollection(overrides.Select(o => new KeyValuePair<string, string?>(o.Key, o.Value.Value)))
                .Build();
        }
        catch (Exception ex) when (ex is FormatException or InvalidDataException)
        {
            // What the syntax check lets through: a key written twice in one object, for instance.
            throw new ConfigurationException([$"config: '{path}': {(ex.InnerException ?? ex).Message}"]);
        }

        var binder = new StrictBinder(key => overrides.TryGetValue(key, out var o) ? o.Variable : null);
        var options = binder.Bind<AppOptions>(configuration);
        if (binder.Errors.Count > 0)
        {
            throw new ConfigurationException(binder.Errors);
        }

        options.BaseDirectory = Path.GetDirectoryName(fullPath)!;
        try
        {
            ResolvePaths(options);
        }
        catch (ArgumentException ex)
        {
            throw new ConfigurationException([$"database.connectionString: not a SQLite connection string ({ex.Message}); write e.g. Data Source=data/usagebatch.db"]);
        }

        return options;
    }

    private static void CheckJson(string path, string fullPath)
    {
        var bytes = File.ReadAllBytes(fullPath);
        try
        {
            using var document = JsonDocument.Parse(bytes, JsonReading);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException([$"config: '{path}' must hold one JSON object {{ … }}, not a {document.RootElement.ValueKind.ToString().ToLowerInvariant()}"]);
            }
        }
        catch (JsonException ex)
        {
            // LineNumber and BytePositionInLine count from 0; editors count from 1.
            var line = (ex.LineNumber ?? 0) + 1;
            var column = (ex.BytePositionInLine ?? 0) + 1;
            var reason = ex.Message.Split(" LineNumber:", 2)[0].Split(" Path:", 2)[0].TrimEnd('.', ' ');
            throw new ConfigurationException([$"config: '{path}' is not valid JSON at line {line}, column {column}: {reason}"]);
        }
    }

    /// <summary>Configuration key (Jobs:0:SettleDelay) to its value and the variable it came from.</summary>
    private static Dictionary<string, (string Value, string Variable)> Overrides(IDictionary variables)
    {
        var overrides = new Dictionary<string, (string, string)>(StringComparer.OrdinalIgnoreCase);
        foreach (DictionaryEntry entry in variables)
        {
            var name = (string)entry.Key;
            var parts = name.Split("__");
            if (parts.Length < 2 || !Sections.Contains(parts[0], StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            overrides[string.Join(ConfigurationPath.KeyDelimiter, parts)] = ((string?)entry.Value ?? "", name);
        }

        return overrides;
    }

    private static void ResolvePaths(AppOptions options)
    {
        options.Reports.Directory = Path.GetFullPath(options.Reports.Directory, options.BaseDirectory);
        options.Logging.Directory = Path.GetFullPath(options.Logging.Directory, options.BaseDirectory);
        if (options.Database.Provider == "sqlite" && options.Database.ConnectionString is null && options.Database.ConnectionStringEnv is null)
        {
            options.Database.ConnectionString = DatabaseOptions.EmbeddedDefault;
        }

        if (options.Database.Provider == "sqlite" && options.Database.ConnectionString is { } cs)
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
