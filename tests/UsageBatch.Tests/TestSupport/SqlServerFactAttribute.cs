namespace UsageBatch.Tests.TestSupport;

/// <summary>A test that needs a real SQL Server: skipped (reported as skipped, never passed) without USAGEBATCH_TEST_SQLSERVER.</summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false)]
public sealed class SqlServerFactAttribute : FactAttribute
{
    public SqlServerFactAttribute()
    {
        if (SqlServerTestSettings.ConnectionString is null)
        {
            Skip = SqlServerTestSettings.SkipReason;
        }
    }
}
