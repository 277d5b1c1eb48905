using UsageBatch.Billing;
using UsageBatch.Cli;
using UsageBatch.Configuration;
using UsageBatch.Tests.Storage.SqlServer;

namespace UsageBatch.Tests.Cli;

/// <summary>Not every SqlException is "database unreachable": each class of error says what a DBA does about it.</summary>
public sealed class SqlServerFailureTests
{
    [Theory]
    [InlineData(229, "usagebatch: database permission denied (database.connectionString): SQL Server error 229", "usagebatch_job role")]
    [InlineData(207, "usagebatch: database schema does not match this build (database.connectionString): SQL Server error 207", "apply sql/sqlserver/ in order")]
    [InlineData(2628, "usagebatch: database refused a value (database.connectionString): SQL Server error 2628", "SQL Server error 2628")]
    [InlineData(8115, "usagebatch: database refused a value (database.connectionString): SQL Server error 8115", "SQL Server error 8115")]
    [InlineData(53, "usagebatch: database unreachable (database.connectionString): ", "database unreachable")]
    [InlineData(18456, "usagebatch: database unreachable (database.connectionString): ", "database unreachable")]
    public void SqlException_SaysWhatKindOfProblemItIs(int number, string starts, string contains)
    {
        var failure = CliFailure.From(SqlExceptions.WithNumber(number, "the server's own words"));

        var line = Assert.Single(failure.Lines);
        Assert.Equal(ExitCodes.Aborted, failure.ExitCode);
        Assert.StartsWith(starts, line, StringComparison.Ordinal);
        Assert.Contains(contains, line, StringComparison.Ordinal);
    }

    [Fact]
    public void UnclusteredSqlServerScheduler_IsAWarningByKey()
    {
        var options = new AppOptions { Scheduler = { Store = "sqlserver", Clustered = false } };

        Assert.StartsWith("scheduler.clustered: false with store sqlserver", Assert.Single(ConfigValidator.Warnings(options, TimeProvider.System)), StringComparison.Ordinal);
        Assert.Empty(ConfigValidator.Warnings(new AppOptions { Scheduler = { Store = "sqlserver", Clustered = true } }, TimeProvider.System));
        Assert.Empty(ConfigValidator.Warnings(new AppOptions(), TimeProvider.System));
    }
}

/// <summary>Quartz's SQL Server sessions are named like the job's, unless the connection string names its own.</summary>
public sealed class QuartzConnectionTests
{
    [Fact]
    public void QuartzConnection_NamesTheApplication_UnlessTheStringDoes()
    {
        var named = new Microsoft.Data.SqlClient.SqlConnectionStringBuilder(UsageBatch.Hosting.SchedulerRegistration.QuartzConnection("Server=db;Database=billing"));
        Assert.Equal("UsageBatch scheduler", named.ApplicationName);
        Assert.Equal("Server=db;Database=billing;App=mine", UsageBatch.Hosting.SchedulerRegistration.QuartzConnection("Server=db;Database=billing;App=mine"));
    }
}
