using System.Data;
using Dapper;
using Microsoft.Data.SqlClient;

namespace UsageBatch.Storage.SqlServer;

/// <summary>
/// Applies <c>sql/sqlserver/NNN_*.sql</c> (for <c>db init</c>: developers and first installs; DBAs may run the same
/// files with sqlcmd instead) and checks the schema version (for everything else, which may run under the
/// least-privilege role and must never create anything).
/// </summary>
internal static class SqlServerSchema
{
    public const string Dialect = "sqlserver";

    // Wait up to a minute for another installer (a second `db init`, or a deployment running at the same time).
    private const int InstallLockTimeoutMs = 60_000;

    private const string VersionSql = """
        IF OBJECT_ID(N'[$(Schema)].ub_schema_version', N'U') IS NULL
            SELECT CAST(0 AS int);
        ELSE
            SELECT COALESCE(MAX(version), 0) FROM [$(Schema)].ub_schema_version;
        """;

    // What each script after the first tables adds, checked by the objects themselves, not by the recorded version:
    // version 5 named two different scripts in this project's history (the provider-id widening shipped as 5 before it
    // became 6), so a database can say "5" and still lack ub_run.process_start. One row per script whose work is
    // missing. A new script adds its row here (a test holds the list to the folder).
    internal const string MissingScriptsSql = """
        SELECT p.script
        FROM (VALUES
            (N'005_run_process_and_skips.sql',
             CASE WHEN COL_LENGTH(N'[$(Schema)].ub_run', N'process_start') IS NULL THEN 1 ELSE 0 END),
            (N'006_provider_id_width.sql',
             CASE WHEN COL_LENGTH(N'[$(Schema)].whop_usage', N'provider_usage_id') < 200 OR COL_LENGTH(N'[$(Schema)].whop_usage', N'provider_receipt_id') < 200
                    OR COL_LENGTH(N'[$(Schema)].chargebee_usage', N'provider_usage_id') < 200 OR COL_LENGTH(N'[$(Schema)].chargebee_usage', N'provider_receipt_id') < 200
                  THEN 1 ELSE 0 END),
            (N'007_report_carry.sql',
             CASE WHEN COL_LENGTH(N'[$(Schema)].ub_submission', N'reported_run_id') IS NULL OR COL_LENGTH(N'[$(Schema)].ub_run', N'report_written_at') IS NULL
                  THEN 1 ELSE 0 END),
            (N'008_exception_and_reconcile_indexes.sql',
             CASE WHEN INDEXPROPERTY(OBJECT_ID(N'[$(Schema)].whop_usage'), N'ix_whop_usage_exceptions', 'IndexID') IS NULL
                    OR INDEXPROPERTY(OBJECT_ID(N'[$(Schema)].chargebee_usage'), N'ix_chargebee_usage_exceptions', 'IndexID') IS NULL
                    OR INDEXPROPERTY(OBJECT_ID(N'[$(Schema)].ub_submission'), N'ix_ub_submission_provider_usage', 'IndexID') IS NULL
                    OR INDEXPROPERTY(OBJECT_ID(N'[$(Schema)].ub_submission'), N'ix_ub_submission_usage_id', 'IndexID') IS NULL
                  THEN 1 ELSE 0 END),
            -- A role is not visible to a login outside it (metadata visibility), so the recorded pair is checked.
            (N'009_schema_job_role.sql',
             CASE WHEN NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 9 AND script = N'009_schema_job_role.sql')
                  THEN 1 ELSE 0 END),
            (N'010_newest_usage.sql',
             CASE WHEN INDEXPROPERTY(OBJECT_ID(N'[$(Schema)].whop_usage'), N'ix_whop_usage_occurred', 'IndexID') IS NULL
                    OR INDEXPROPERTY(OBJECT_ID(N'[$(Schema)].chargebee_usage'), N'ix_chargebee_usage_occurred', 'IndexID') IS NULL
                  THEN 1 ELSE 0 END)
        ) AS p (script, missing)
        WHERE p.missing = 1
        ORDER BY p.script;
        """;

    private const string GetInstallLockSql = """
        DECLARE @result int;
        EXEC @result = sp_getapplock @Resource = @Resource, @LockMode = 'Exclusive', @LockOwner = 'Session', @LockTimeout = @TimeoutMs;
        SELECT @result;
        """;

    private const string ReleaseInstallLockSql = "EXEC sp_releaseapplock @Resource = @Resource, @LockOwner = 'Session';";

    /// <summary>The batches of every numbered script, in apply order, with the schema substituted.</summary>
    public static IEnumerable<(SchemaScripts.Script Script, IReadOnlyList<string> Batches)> Batches(string schema)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { ["Schema"] = SqlCmdScript.RequireIdentifier(schema, "database.schema") };
        foreach (var script in SchemaScripts.For(Dialect))
        {
            yield return (script, SqlCmdScript.Split(script.Text).Select(b => SqlCmdScript.Substitute(b, variables)).ToList());
        }
    }

    /// <summary>Creates or upgrades the schema under an exclusive app lock, one transaction per script.</summary>
    public static async Task<int> ApplyAsync(SqlServerDatabase database, CancellationToken cancellationToken)
    {
        var scripts = Batches(database.Schema).ToList(); // parse and check everything before touching the server
        await using var connection = await database.OpenDedicatedAsync(cancellationToken);
        var resource = "UsageBatch:" + database.Schema + ":schema";
        var granted = await connection.ExecuteScalarAsync<int>(new CommandDefinition(GetInstallLockSql,
            new { Resource = resource, TimeoutMs = InstallLockTimeoutMs }, commandTimeout: InstallLockTimeoutMs / 1000 + 30, cancellationToken: cancellationToken));
        if (granted < 0)
        {
            throw new InvalidOperationException($"another installer holds the schema lock '{resource}' (sp_getapplock returned {granted}); try again when it is done");
        }

        foreach (var (script, batches) in scripts)
        {
            await using var transaction = (SqlTransaction)await connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
            foreach (var batch in batches)
            {
                try
                {
                    await connection.ExecuteAsync(new CommandDefinition(batch, transaction: transaction, commandTimeout: 600, cancellationToken: cancellationToken));
                }
                catch (SqlException ex)
                {
                    throw new InvalidOperationException($"{script.Name}: {ex.Message}", ex);
                }
            }

            await transaction.CommitAsync(cancellationToken);
        }

        await connection.ExecuteAsync(new CommandDefinition(ReleaseInstallLockSql, new { Resource = resource }, cancellationToken: cancellationToken));
        return await CurrentVersionAsync(database, connection, cancellationToken);
    }

    /// <summary>Reads the version and fails unless it is at least what this build needs. Creates nothing.</summary>
    public static async Task<int> CheckAsync(SqlServerDatabase database, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var version = await CurrentVersionAsync(database, connection, cancellationToken);
        var needed = SchemaScripts.LatestVersion(Dialect);
        if (version < needed)
        {
            throw new Configuration.ConfigurationException(
                [$"database: schema [{database.Schema}] is at version {version}; this build needs {needed}. A DBA applies sql/sqlserver/ in order (README \"For DBAs\"), or run `usagebatch db init` with a login that may create tables"]);
        }

        var missing = (await connection.QueryAsync<string>(new CommandDefinition(database.Sql(MissingScriptsSql), cancellationToken: cancellationToken))).ToList();
        return missing.Count == 0
            ? version
            : throw new Configuration.ConfigurationException(
                [$"database: schema [{database.Schema}] is recorded at version {version} but lacks what {string.Join(", ", missing)} add{(missing.Count == 1 ? "s" : "")}; a DBA applies {(missing.Count == 1 ? "that script" : "those scripts")} from sql/sqlserver/ (each is re-runnable), or run `usagebatch db init`"]);
    }

    private static Task<int> CurrentVersionAsync(SqlServerDatabase database, SqlConnection connection, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<int>(new CommandDefinition(database.Sql(VersionSql), cancellationToken: cancellationToken));
}
