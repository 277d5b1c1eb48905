namespace UsageBatch.Tests.TestSupport;

/// <summary>Where the SQL Server tests find a server: the connection string in USAGEBATCH_TEST_SQLSERVER, or none.</summary>
internal static class SqlServerTestSettings
{
    public const string Variable = "USAGEBATCH_TEST_SQLSERVER";

    public const string SkipReason = "SQL Server tests need a connection string in " + Variable + " (none is set here)";

    public static string? ConnectionString =>
        Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } value ? value : null;
}
