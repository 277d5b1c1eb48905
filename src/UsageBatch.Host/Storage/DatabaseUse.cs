namespace UsageBatch.Storage;

/// <summary>
/// What a verb may do to the database: only <c>db init</c>, <c>demo</c> and a first run on the embedded default
/// create a file, so a mistyped path fails instead of billing nothing from a new empty database.
/// </summary>
internal enum DatabaseUse
{
    /// <summary>The file must exist with the current schema; nothing is created or upgraded (validate, status, report, dry run).</summary>
    Read,

    /// <summary>The file must exist; an older schema is upgraded (run, serve, requeue on a configured path).</summary>
    Write,

    /// <summary>The file and its folder are created when missing (db init, demo, run and serve on the embedded default).</summary>
    Create,
}
