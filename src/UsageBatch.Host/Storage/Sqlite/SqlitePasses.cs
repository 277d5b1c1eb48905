using System.Globalization;
using UsageBatch.Billing;
using UsageBatch.Usage;

namespace UsageBatch.Storage.Sqlite;

/// <summary>
/// The SQLite plan for a whole run's claim and settle: passes over the usage table in id order.
/// <para>
/// Why: claiming or settling one group per transaction rewrites every table page holding one of the group's rows,
/// and a page holds rows of dozens of groups (DBAs insert by time, not by group), so each page was written to the
/// WAL once per group touching it: at 1M rows / 10k groups that was the run's cost, not the rows. A pass in id
/// order writes each page once per batch of pending rows, as a hand-written single UPDATE does.
/// </para>
/// <para>
/// The outcome is <see cref="GroupBatches"/>': every group gets its 'preparing' ledger row first; a batch only moves
/// rows still 'pending' (BEGIN IMMEDIATE) to 'claimed' and links them to their group's ledger row; each ledger row
/// becomes 'prepared' (or zero, rejected, held, void) from the rows actually claimed, all before anything is sent.
/// A crash leaves 'preparing' ledger rows, which recovery voids (their rows go back to pending). Settling stays
/// ledger-driven: the outcome is on the ledger row first; a pass then moves the rows of this run's recorded,
/// unsettled confirmed submissions, and a crash before it is finished by the next run's recovery.
/// </para>
/// </summary>
internal sealed class SqlitePasses(BillingStore store, SqliteDialect dialect) : RunPlan
{
    private const int LedgerRowsPerTransaction = 500;

    /// <summary>
    /// Rows per pass transaction. What a batch costs here is the index pages it dirties, and a batch spanning every
    /// group dirties nearly all of them whatever its size, so each commit writes them all again. Measured at 1M rows:
    /// 100,000 rather than 50,000 took 0.4–0.6 s off each table's claim, for about 35 MB more peak memory (the
    /// batch's claimed rows are held until it commits); the peak stays flat in rows (281 MB at 1M, 273 MB at 3M). A
    /// transaction stays around a second, which is how long a DBA's insert may wait for the file.
    /// </summary>
    internal const int PassRows = 100_000;

    /// <summary>
    /// Page cache for a pass session (KiB). Measured at 1M rows: 64 MB cost ~125 MB more peak working set for ~4% less
    /// database time than 32 MB; 16 MB was ~13% slower. The cap is what bounds memory, whatever the row count.
    /// </summary>
    private const int PassCacheKib = 32_768;

    public override async Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(
        ClaimRequest template, IReadOnlyList<PendingGroup> groups, string bucket, Func<ClaimedGroup, GroupFacts, GroupDecision> decide,
        CancellationToken cancellationToken)
    {
        var table = template.Table;
        var module = template.Module;
        var prefixLength = Grouping.BucketPrefixLength(bucket);
        await using var session = (SqliteSession)await dialect.OpenAsync(cancellationToken);
        await using var cache = await PassCacheAsync(session, cancellationToken);
        await session.Command(CreateMap[table]).ExecuteNonQueryAsync(cancellationToken);
        var passRows = Math.Max(template.BatchSize, PassRows);

        // 1. A 'preparing' ledger row per group, and the group key -> ledger row map the claim pass joins on.
        var tallies = new Dictionary<long, ClaimTally>(groups.Count);
        foreach (var chunk in groups.Chunk(LedgerRowsPerTransaction))
        {
            await session.InTransactionAsync(async () =>
            {
                foreach (var group in chunk)
                {
                    var tally = new ClaimTally(group) { SubmissionId = await store.InsertPreparingAsync(session, template, group, cancellationToken) };
                    tallies.Add(tally.SubmissionId, tally);
                    var key = ClaimKey.Add(new NamedArgs().With(new { tally.SubmissionId }), table, group.Target);
                    if (table.DateBuckets)
                    {
                        key.Add("Bucket", Grouping.BucketKey(UtcText.Format(group.BucketStart!.Value), bucket));
                    }

                    await session.ExecuteAsync(InsertMap[table], key, cancellationToken);
                }
            }, cancellationToken);
        }

        // 2. Claim pass: batches of pending rows in id order, each linked to its group's ledger row.
        var claim = ClaimPass[table];
        var submissionColumn = 3 + table.Fields.Count;
        var cutoff = UtcText.WholeSeconds(template.Cutoff);
        var after = 0L;
        while (true)
        {
            var upto = await session.InTransactionAsync(async () =>
            {
                // The write lock is ours for this transaction: a run still 'running' now has had none of its work
                // adopted, and none can be until it commits. One that was declared dead claims nothing more.
                if (await session.ScalarAsync<string>(dialect.Sql.RunStatus, new { template.RunId }, cancellationToken) != "running")
                {
                    throw LeaseLostException.ForRun(template.RunId);
                }

                var upto = await session.ScalarAsync<long?>(PendingBound[table], new { After = after, Cutoff = cutoff, BatchSize = passRows }, cancellationToken);
                if (upto is null)
                {
                    return null;
                }

                // Rows are tallied as they come back; only the (rare) rows failing their provider's rules are kept until the reader closes.
                var failed = new List<(ClaimTally Tally, UsageRow Row)>();
                await using (var reader = await session.ReaderAsync(claim, new { After = after, Upto = upto, Cutoff = cutoff, template.RunId, PrefixLength = prefixLength }, cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        var row = reader.UsageRow(table);
                        var tally = tallies[reader.GetInt64(submissionColumn)];
                        if (module.CheckRow(row, template.Rules) is null)
                        {
                            tally.Add(row);
                        }
                        else
                        {
                            failed.Add((tally, row));
                        }
                    }
                }

                foreach (var (tally, row) in failed)
                {
                    await store.TallyClaimedAsync(session, template with { Group = tally.Group }, tally, [row], cancellationToken);
                }

                return upto;
            }, cancellationToken);
            if (upto is not { } last)
            {
                break;
            }

            after = last;
        }

        template.Rejections.Add(tallies.Values.Sum(t => t.Rejected.Count));

        // 3. Each ledger row from what was actually claimed; a group another run took entirely, or whose every row
        //    was rejected, never existed.
        var results = new List<(ClaimedGroup, GroupDecision)>(tallies.Count);
        foreach (var chunk in tallies.Values.Chunk(LedgerRowsPerTransaction))
        {
            await session.InTransactionAsync(async () =>
            {
                foreach (var tally in chunk)
                {
                    if (tally.IsEmpty)
                    {
                        await store.DeleteSubmissionAsync(session, template.RunId, tally.SubmissionId, cancellationToken);
                        continue;
                    }

                    results.Add(await store.DecideAsync(session, template with { Group = tally.Group }, tally, decide, cancellationToken));
                }
            }, cancellationToken);
        }

        await session.InTransactionAsync(() => session.ExecuteAsync(ClearMap[table], null, cancellationToken), cancellationToken);
        return results;
    }

    /// <summary>
    /// Moves the rows of this run's confirmed, not yet settled submissions to 'billed' in id-ordered batches, then marks
    /// those submissions settled. The outcome was recorded on each ledger row first, so this is the same ledger-driven,
    /// idempotent settle as <see cref="BillingStore.SettleRowsAsync(long, long, int, DateTimeOffset, CancellationToken)"/>, done once per run.
    /// </summary>
    public override async Task<int> SettleConfirmedAsync(UsageTable table, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = (SqliteSession)await dialect.OpenAsync(cancellationToken);
        await using var cache = await PassCacheAsync(session, cancellationToken);
        batchSize = Math.Max(batchSize, PassRows);
        var settled = 0;
        var after = 0L;
        while (true)
        {
            var (count, upto) = await session.InTransactionAsync(async () =>
            {
                var upto = await session.ScalarAsync<long?>(ClaimedBound[table], new { After = after, BatchSize = batchSize }, cancellationToken);
                if (upto is null)
                {
                    // Last: a submission is settled once none of its rows is still claimed (what SettleRowsAsync records).
                    await session.ExecuteAsync(MarkConfirmedSettled[table], new { RunId = runId, Now = now, Table = table.Name }, cancellationToken);
                    return (0, (long?)null);
                }

                return (await session.ExecuteAsync(SettlePass[table], new { After = after, Upto = upto, Now = now, RunId = runId }, cancellationToken), upto);
            }, cancellationToken);
            settled += count;
            if (upto is not { } last)
            {
                // A row a DBA set back to 'pending' while its submission was in flight, beyond the last claimed row the
                // pass walked to, kept that submission unsettled: settle those few one by one.
                foreach (var straggler in await session.QueryAsync(dialect.Sql.ConfirmedUnsettled, new { RunId = runId, Table = table.Name }, r => r.Long(0), cancellationToken))
                {
                    settled += await store.SettleRowsAsync(session, straggler, runId, batchSize, now, cancellationToken);
                }

                return settled;
            }

            after = last;
        }
    }

    /// <summary>Raises the session's page cache for a pass; disposing puts SQLite's default back (and frees the pages).</summary>
    private static async Task<IAsyncDisposable> PassCacheAsync(SqliteSession session, CancellationToken cancellationToken)
    {
        await SetCacheAsync(session, PassCacheKib, cancellationToken);
        return new CacheReset(session);
    }

    private static async Task SetCacheAsync(SqliteSession session, int kib, CancellationToken cancellationToken)
    {
        await using var command = session.SqliteConnection.CreateCommand();
        command.CommandText = $"PRAGMA cache_size = -{kib.ToString(CultureInfo.InvariantCulture)}";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class CacheReset(SqliteSession session) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await SetCacheAsync(session, 2_000, CancellationToken.None);
    }

    // The group key -> ledger row map and the claim pass, for the run's table (see SqliteUsageStatements).
    private static readonly PerTable CreateMap = PerTable.From(SqliteUsageStatements.CreateMap);
    private static readonly PerTable InsertMap = PerTable.From(SqliteUsageStatements.InsertMap);
    private static readonly PerTable ClearMap = PerTable.From(SqliteUsageStatements.ClearMap);
    private static readonly PerTable ClaimPass = PerTable.From(SqliteUsageStatements.ClaimPass);

    // The last id of the next batch of pending (or claimed) rows: NOT INDEXED walks the table in id order.
    private static readonly PerTable PendingBound = PerTable.From(t => $"""
        SELECT MAX(id) FROM (SELECT id FROM {t.Name} NOT INDEXED
                             WHERE id > @After AND billing_status = 'pending' AND occurred_at < @Cutoff ORDER BY id LIMIT @BatchSize)
        """);

    private static readonly PerTable ClaimedBound = PerTable.From(t => $"""
        SELECT MAX(id) FROM (SELECT id FROM {t.Name} NOT INDEXED
                             WHERE id > @After AND billing_status = 'claimed' ORDER BY id LIMIT @BatchSize)
        """);

    private static readonly PerTable SettlePass = PerTable.From(t => $"""
        UPDATE {t.Name} AS u NOT INDEXED
        SET billing_status = 'billed', provider_usage_id = s.provider_usage_id, provider_receipt_id = s.provider_receipt_id,
            billed_at = @Now, billing_error = NULL, billing_run_id = @RunId
        FROM ub_submission AS s
        WHERE u.id > @After AND u.id <= @Upto AND u.billing_status IN ('claimed', 'pending') AND s.id = u.billing_submission_id
          AND s.owner_run_id = @RunId AND s.status = 'confirmed' AND s.settled_at IS NULL
        """);

    private static readonly PerTable MarkConfirmedSettled = PerTable.From(t => $"""
        UPDATE ub_submission SET settled_at = @Now, updated_at = @Now
        WHERE owner_run_id = @RunId AND status = 'confirmed' AND settled_at IS NULL AND usage_table = @Table
          AND NOT EXISTS (SELECT 1 FROM {t.Name} u WHERE u.billing_submission_id = ub_submission.id AND u.billing_status IN ('claimed', 'pending'))
        """);
}
