using Testcontainers.MsSql;

namespace UsageBatch.Tests.TestSupport;

/// <summary>
/// Where the SQL Server tests find a server: the connection string in USAGEBATCH_TEST_SQLSERVER wins; else, where a
/// container engine answers, a throwaway SQL Server container started once for the whole test run (Testcontainers,
/// removed when the run ends); else none, and every SQL Server test is reported skipped, never passed.
/// </summary>
internal static class SqlServerTestSettings
{
    public const string Variable = "USAGEBATCH_TEST_SQLSERVER";

    /// <summary>
    /// Optional: a second login's connection string (same server and database; a SQL login, since its User ID names the
    /// database user). The store contract then runs as that login with only the schema's job role.
    /// </summary>
    public const string JobVariable = "USAGEBATCH_TEST_SQLSERVER_JOB";

    public static string? JobConnectionString => Environment.GetEnvironmentVariable(JobVariable) is { Length: > 0 } value ? value : null;

    /// <summary>The image CI and a developer's container engine run.</summary>
    public const string Image = "mcr.microsoft.com/mssql/server:2022-latest";

    public const string SkipReason = "SQL Server tests need a connection string in " + Variable + " or a container engine (neither is here)";

    private static readonly Lazy<string?> Container = new(StartContainer, LazyThreadSafetyMode.ExecutionAndPublication);

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value
        : ContainerEngineConfigured() ? Container.Value
        : null;

    /// <summary>
    /// Whether a container engine is configured at all (DOCKER_HOST, or the usual socket): only then is a container
    /// tried, so a machine without one does not pay Testcontainers' probe once per test discovered.
    /// </summary>
    internal static bool ContainerEngineConfigured() =>
        Environment.GetEnvironmentVariable("DOCKER_HOST") is { Length: > 0 } || File.Exists("/var/run/docker.sock") || File.Exists(@"\\.\pipe\docker_engine");

    internal static string? StartContainer()
    {
        MsSqlContainer container;
        try
        {
            // Building already looks for the engine (and throws when it does not answer). Test discovery asks
            // synchronously whether a server exists; the start happens once, on the first ask.
            container = new MsSqlBuilder(Image).Build();
            container.StartAsync().GetAwaiter().GetResult();
        }
        catch (DotNet.Testcontainers.Builders.DockerUnavailableException)
        {
            return null; // configured but not answering: the tests are skipped, as without one
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => container.DisposeAsync().AsTask().GetAwaiter().GetResult();
        return container.GetConnectionString();
    }
}
