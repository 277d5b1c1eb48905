using Dapper;
using Microsoft.Data.SqlClient;
using UsageBatch.Storage;
using UsageBatch.Storage.SqlServer;
using UsageBatch.Tests.TestSupport;

namespace UsageBatch.Tests.Storage.SqlServer;

/// <summary>Against a real server (USAGEBATCH_TEST_SQLSERVER): the DBAs' scripts, as sqlcmd would run them.</summary>
public sealed class SqlServerScriptsApplyTests
{
    [SqlServerFact]
    public async Task EveryScript_AppliedTwiceInARow_Succeeds()
    {
        var connectionString = SqlServerTestSettings.ConnectionString!;
        var schema = "ubt_" + Guid.NewGuid().ToString("N")[..16];
        var variables = new Dictionary<string, string> { ["Schema"] = schema };
        try
        {
            await using var connection = new SqlConnection(connectionString);
            await connection.OpenAsync();
            var files = Directory.GetFiles(RepositoryFiles.PathOf("sql", "sqlserver"), "*.sql").Order(StringComparer.Ordinal)
                .Append(RepositoryFiles.PathOf("sql", "sqlserver", "extras", "seed_sample.sql")).ToList();
            for (var pass = 0; pass < 2; pass++)
            {
                foreach (var file in files)
                {
                    // Batch by batch, outside any transaction, exactly as `sqlcmd -b -v Schema=…` sends them.
                    foreach (var batch in SqlCmdScript.Split(await File.ReadAllTextAsync(file)))
                    {
                        await connection.ExecuteAsync(SqlCmdScript.Substitute(batch, variables));
                    }
                }
            }

            var database = new SqlServerDatabase(connectionString, schema);
            Assert.Equal(SchemaScripts.LatestVersion("sqlserver"), await new BillingStore(new SqlServerDialect(database)).EnsureSchemaAsync(CancellationToken.None));
            Assert.Equal(4, await connection.ExecuteScalarAsync<int>(database.Sql("SELECT COUNT(*) FROM [$(Schema)].whop_usage")));
            Assert.Equal(15, await connection.ExecuteScalarAsync<int>("SELECT COUNT(*) FROM sys.tables WHERE schema_id = SCHEMA_ID(@schema) AND name LIKE 'QRTZ[_]%'", new { schema }));
        }
        finally
        {
            await SqlServerStoreTestDatabase.DropSchemaAsync(connectionString, schema);
        }
    }

    [SqlServerFact]
    public async Task EnsureSchema_OnAnEmptySchema_FailsAndCreatesNothing()
    {
        await using var db = await SqlServerStoreTestDatabase.CreateAsync(applySchema: false);

        var error = await Assert.ThrowsAsync<UsageBatch.Configuration.ConfigurationException>(() => db.Store.EnsureSchemaAsync(CancellationToken.None));

        Assert.Contains("version 0", string.Join("\n", error.Errors), StringComparison.Ordinal);
        Assert.Equal(0, await db.ScalarAsync<int>("SELECT COUNT(*) FROM sys.tables WHERE schema_id = SCHEMA_ID(N'$(Schema)')"));
    }
}
