using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>
/// Where the SQL Server tests get a server from. Here (no connection string, no container engine) every one of them
/// is reported skipped, never passed; a container engine that is configured but does not answer skips them too.
/// </summary>
public sealed class SqlServerFixtureTests
{
    [Fact]
    public void WithoutAConnectionStringOrAContainerEngine_ThereIsNoServer_AndTheReasonSaysWhy()
    {
        if (Environment.GetEnvironmentVariable(SqlServerTestSettings.Variable) is { Length: > 0 } || SqlServerTestSettings.ContainerEngineConfigured())
        {
            return; // a machine with a server: the SQL Server tests themselves run there
        }

        Assert.Null(SqlServerTestSettings.ConnectionString);
        Assert.Contains(SqlServerTestSettings.Variable, SqlServerTestSettings.SkipReason, StringComparison.Ordinal);
        Assert.Contains("container engine", SqlServerTestSettings.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void ContainerEngineThatDoesNotAnswer_GivesNoServer_InsteadOfFailingTheRun()
    {
        var before = Environment.GetEnvironmentVariable("DOCKER_HOST");
        Environment.SetEnvironmentVariable("DOCKER_HOST", "tcp://127.0.0.1:9"); // the discard port: nothing answers
        try
        {
            Assert.Null(SqlServerTestSettings.StartContainer());
        }
        finally
        {
            Environment.SetEnvironmentVariable("DOCKER_HOST", before);
        }
    }

    [Fact]
    public void TheServerWorkflow_RunsOnDefaultsUnderSnapshotAndAsTheLeastPrivilegeLogin()
    {
        var workflow = File.ReadAllText(RepositoryFiles.PathOf(".github", "workflows", "sqlserver.yml"));

        Assert.Contains("- { rcsi: \"OFF\", login: \"admin\" }", workflow, StringComparison.Ordinal);
        Assert.Contains("- { rcsi: \"ON\", login: \"admin\" }", workflow, StringComparison.Ordinal);
        Assert.Contains("- { rcsi: \"OFF\", login: \"job\" }", workflow, StringComparison.Ordinal);
        Assert.Contains(SqlServerTestSettings.Variable + ":", workflow, StringComparison.Ordinal);
        Assert.Contains(SqlServerTestSettings.JobVariable + "=", workflow, StringComparison.Ordinal);
        Assert.DoesNotContain("\t", workflow, StringComparison.Ordinal); // YAML refuses tabs
    }
}
