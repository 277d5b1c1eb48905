using System.Globalization;
using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

/// <summary>
/// The SQLite fast path for a whole run's claim and settle, in passes over the usage table in id order.
/// <para>
/// Why: claiming or settling one group per transaction rewrites every table page holding one of the group's rows,
/// and a page holds rows of dozens of groups (DBAs insert by time, not by group), so each page was written to the
/// WAL once per group touching it: at 1M rows / 10k groups that was the run's cost, not the rows. A pass in id
/// order writes each page once per batch of <c>batchSize</c> pending rows, as the floor's single UPDATE does.
/// </para>
/// <para>
/// The semantics are the per-group methods': every group gets its 'preparing' ledger row first; a batch only moves
/// rows still 'pending' (BEGIN IMMEDIATE) to 'claimed' and links them to their group's ledger row; each ledger row
/// becomes 'prepared' (or zero, rejected, held, void) from the rows actually claimed, all before anything is sent.
/// A crash leaves 'preparing' ledger rows, which recovery voids (their rows go back to pending), exactly as before.
/// Settling stays ledger-driven: the outcome is on the ledger row first; a pass then moves the rows of this run's
/// recorded, unsettled confirmed submissions, and a crash before it is finished by the next run's recovery.
/// </para>
/// </summary>
internal sealed partial class SqliteBillingStore : IBulkBillingStore
{
    private const int LedgerRowsPerTransaction = 500;

    /// <summary>
    /// Rows per pass transaction. SQLite locks the whole file for any write transaction, so SQL Server's lock-escalation
    /// limit (what <c>batchSize</c> is sized for) does not apply; what a batch costs here is the index pages it dirties,
    /// and a batch spanning every group dirties nearly all of them whatever its size. 50,000 rows keeps a transaction
    /// to about a second and the rows held in memory to one batch.
    /// </summary>
    internal const int PassRows = 50_000;

    /// <summary>
    /// Page cache for a pass session (KiB). Measured at 1M rows: 64 MB cost ~125 MB more peak working set for ~4% less
    /// database time than 32 MB; 16 MB was ~13% slower. The cap is what bounds memory, whatever the row count.
    /// </summary>
    private const int PassCacheKib = 32_768;

    private sealed class GroupTally(PendingGroup group, long submissionId)
    {
        public PendingGroup Group { get; } = group;
        public long SubmissionId { get; } = submissionId;
        public int Count { get; set; }
        public decimal Total { get; set; }
        public DateTimeOffset? First { get; set; }
        public DateTimeOffset? Last { get; set; }
        public List<RowRejection> Rejected { get; } = [];
    }

    /// <summary>Claims and prepares every listed group (<see cref="ClaimGroupAsync"/>'s outcome per group), in id-ordered passes.</summary>
    public async Task<IReadOnlyList<(ClaimedGroup Claimed, GroupDecision Decision)>> ClaimGroupsAsync(
        ClaimRequest template, IReadOnlyList<PendingGroup> groups, string bucket, Func<ClaimedGroup, GroupFacts, GroupDecision> decide,
        CancellationToken cancellationToken)
    {
        var table = template.Table;
        var whop = table.Provider == ProviderKind.Whop;
        var map = whop ? "temp.ub_claim_whop" : "temp.ub_claim_chargebee";
        var prefixLength = BucketPrefixLength(bucket);
        await using var session = await _database.RentSessionAsync(cancellationToken);
        await using var cache = await PassCacheAsync(session, cancellationToken);
        await PrepareClaimMapAsync(session, whop, cancellationToken);
        var passRows = Math.Max(template.BatchSize, PassRows);

        // 1. A 'preparing' ledger row per group, and the group key -> ledger row map the claim pass joins on.
        var tallies = new Dictionary<long, GroupTally>(groups.Count);
        var insertMap = whop
            ? $"INSERT INTO {map} (membership_id, company_id, billing_item_id, billing_item_identifier, is_amount, submission_id) VALUES (@MembershipId, @CompanyId, @BillingItemId, @BillingItemIdentifier, @IsAmount, @SubmissionId)"
            : $"INSERT INTO {map} (subscription_id, item_price_id, bucket, submission_id) VALUES (@SubscriptionId, @ItemPriceId, @Bucket, @SubmissionId)";
        foreach (var chunk in groups.Chunk(LedgerRowsPerTransaction))
        {
            await using var write = await _database.BeginWriteAsync(session.Connection, cancellationToken);
            foreach (var group in chunk)
            {
                var request = template with { Group = group };
                var submissionId = await InsertPreparingAsync(session, write.Transaction, request, cancellationToken);
                tallies.Add(submissionId, new GroupTally(group, submissionId));
                var target = group.Target;
                var command = session.Command(insertMap, write.Transaction).With("@SubmissionId", submissionId);
                if (whop)
                {
                    command.With("@MembershipId", target.CustomerField == "membership_id" ? target.CustomerId : null)
                        .With("@CompanyId", target.CustomerField == "company_id" ? target.CustomerId : null)
                        .With("@BillingItemId", target.ItemField == "billing_item_id" ? target.ItemId : null)
                        .With("@BillingItemIdentifier", target.ItemField == "billing_item_identifier" ? target.ItemId : null)
                        .With("@IsAmount", target.ValueField == "amount" ? 1 : 0);
                }
                else
                {
                    command.With("@SubscriptionId", target.CustomerId).With("@ItemPriceId", target.ItemId)
                        .With("@Bucket", Text(group.BucketStart!.Value)[..prefixLength]);
                }

                await command.ExecuteNonQueryAsync(cancellationToken);
            }

            await write.CommitAsync(cancellationToken);
        }

        // 2. Claim pass: batches of pending rows in id order, each linked to its group's ledger row.
        var join = whop
            ? "m.membership_id IS u.membership_id AND m.company_id IS u.company_id AND m.billing_item_id IS u.billing_item_id AND m.billing_item_identifier IS u.billing_item_identifier AND m.is_amount = (u.amount IS NOT NULL)"
            : $"m.subscription_id = u.subscription_id AND m.item_price_id = u.item_price_id AND m.bucket = substr(u.occurred_at, 1, {prefixLength.ToString(CultureInfo.InvariantCulture)})";
        var columns = whop
            ? "id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, NULL, NULL, occurred_at, billing_submission_id"
            : "id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at, billing_submission_id";
        var bound = $"""
            SELECT MAX(id) FROM (SELECT id FROM {table.Name} NOT INDEXED
                                 WHERE id > @After AND billing_status = 'pending' AND occurred_at < @Cutoff ORDER BY id LIMIT @BatchSize)
            """;
        var claim = $"""
            UPDATE {table.Name} AS u NOT INDEXED
            SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = m.submission_id
            FROM {map} AS m
            WHERE u.id > @After AND u.id <= @Upto AND u.billing_status = 'pending' AND u.occurred_at < @Cutoff AND {join}
            RETURNING {columns}
            """;
        var rejectSql = $"UPDATE {table.Name} SET billing_status = 'rejected', billing_error = @Reason WHERE id = @Id";
        var cutoff = Text(UtcText.WholeSeconds(template.Cutoff));
        var after = 0L;
        while (true)
        {
            await using var write = await _database.BeginWriteAsync(session.Connection, cancellationToken);
            var upto = await session.Command(bound, write.Transaction)
                .With("@After", after).With("@Cutoff", cutoff).With("@BatchSize", passRows)
                .ExecuteScalarAsync(cancellationToken);
            if (upto is null or DBNull)
            {
                break;
            }

            // Rows are tallied as they come back; only the (rare) rows failing the re-check are kept until the reader closes.
            var rejections = new List<(RowRejection Rejection, long SubmissionId)>();
            await using (var reader = await session.Command(claim, write.Transaction)
                             .With("@After", after).With("@Upto", upto).With("@Cutoff", cutoff).With("@RunId", template.RunId)
                             .ExecuteReaderAsync(cancellationToken))
            {
                while (await reader.ReadAsync(cancellationToken))
                {
                    var row = ReadRow(reader);
                    var tally = tallies[reader.GetInt64(11)];
                    // Validation ran before the claim; a row inserted or edited since is checked again here.
                    var reason = UsageRowValidator.Check(table.Provider, row, template.Rules);
                    if (reason is not null)
                    {
                        rejections.Add((new RowRejection(row.Id, row.SourceKey, reason), tally.SubmissionId));
                        continue;
                    }

                    tally.Count++;
                    tally.Total += DecimalText.Parse((tally.Group.Target.ValueField == "amount" ? row.Amount : row.Quantity)!);
                    var occurredAt = UtcText.Parse(row.OccurredAt!);
                    tally.First = tally.First is null || occurredAt < tally.First ? occurredAt : tally.First;
                    tally.Last = tally.Last is null || occurredAt > tally.Last ? occurredAt : tally.Last;
                }
            }

            foreach (var (rejection, submissionId) in rejections)
            {
                tallies[submissionId].Rejected.Add(rejection);
                await session.Command(rejectSql, write.Transaction).With("@Reason", rejection.Reason).With("@Id", rejection.RowId).ExecuteNonQueryAsync(cancellationToken);
                await InsertRowExceptionAsync(session, write.Transaction, template.RunId, table, rejection.RowId, rejection.SourceKey, submissionId, "rejected", rejection.Reason, template.Now, cancellationToken);
            }

            await write.CommitAsync(cancellationToken);
            after = Convert.ToInt64(upto, CultureInfo.InvariantCulture);
        }

        // 3. Each ledger row from what was actually claimed; a group another run took entirely never existed.
        var results = new List<(ClaimedGroup, GroupDecision)>(tallies.Count);
        var rowIdsSql = $"SELECT id FROM {table.Name} WHERE billing_submission_id = @Id ORDER BY id";
        foreach (var chunk in tallies.Values.Chunk(LedgerRowsPerTransaction))
        {
            await using var write = await _database.BeginWriteAsync(session.Connection, cancellationToken);
            foreach (var tally in chunk)
            {
                var transaction = write.Transaction;
                var submissionId = tally.SubmissionId;
                if (tally.Count == 0 && tally.Rejected.Count == 0)
                {
                    await session.Command("DELETE FROM ub_submission WHERE id = @Id", transaction).With("@Id", submissionId).ExecuteNonQueryAsync(cancellationToken);
                    continue;
                }

                var request = template with { Group = tally.Group };
                var group = new ClaimedGroup(submissionId, tally.Group.Target, tally.Group.BucketStart, tally.Group.BucketEnd,
                    tally.Count, tally.Total, tally.First, tally.Last, tally.Rejected);
                var decision = tally.Count == 0
                    ? new GroupDecision(SubmissionStatus.Void, "every claimed row was rejected", null)
                    : decide(group, await ReadFactsAsync(session, transaction, request, submissionId, cancellationToken));
                var ids = new List<long>(tally.Count + tally.Rejected.Count);
                await using (var reader = await session.Command(rowIdsSql, transaction).With("@Id", submissionId).ExecuteReaderAsync(cancellationToken))
                {
                    while (await reader.ReadAsync(cancellationToken))
                    {
                        ids.Add(reader.GetInt64(0));
                    }
                }

                if (tally.Rejected.Count > 0)
                {
                    var rejectedIds = tally.Rejected.Select(r => r.RowId).ToHashSet();
                    ids.RemoveAll(rejectedIds.Contains);
                }

                await FinishPreparingAsync(session, transaction, request, submissionId, decision, ids, tally.Total, tally.First, tally.Last, cancellationToken);
                results.Add((group, decision));
            }

            await write.CommitAsync(cancellationToken);
        }

        await using (var write = await _database.BeginWriteAsync(session.Connection, cancellationToken))
        {
            await session.Command($"DELETE FROM {map}", write.Transaction).ExecuteNonQueryAsync(cancellationToken);
            await write.CommitAsync(cancellationToken);
        }

        return results;
    }

    /// <summary>Raises the session's page cache for a pass; disposing puts SQLite's default back (and frees the pages).</summary>
    private static async Task<IAsyncDisposable> PassCacheAsync(SqliteSession session, CancellationToken cancellationToken)
    {
        await SetCacheAsync(session, PassCacheKib, cancellationToken);
        return new CacheReset(session);
    }

    private static async Task SetCacheAsync(SqliteSession session, int kib, CancellationToken cancellationToken)
    {
        await using var command = session.Connection.CreateCommand();
        command.CommandText = $"PRAGMA cache_size = -{kib.ToString(CultureInfo.InvariantCulture)}";
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private sealed class CacheReset(SqliteSession session) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await SetCacheAsync(session, 2_000, CancellationToken.None);
    }

    private static async Task PrepareClaimMapAsync(SqliteSession session, bool whop, CancellationToken cancellationToken)
    {
        // Temp tables live on this session's connection only; emptied before and after each use.
        var sql = whop
            ? """
              CREATE TEMP TABLE IF NOT EXISTS ub_claim_whop (membership_id TEXT, company_id TEXT, billing_item_id TEXT,
                  billing_item_identifier TEXT, is_amount INTEGER NOT NULL, submission_id INTEGER NOT NULL);
              CREATE INDEX IF NOT EXISTS temp.ub_claim_whop_key
                  ON ub_claim_whop (membership_id, company_id, billing_item_id, billing_item_identifier, is_amount);
              DELETE FROM temp.ub_claim_whop;
              """
            : """
              CREATE TEMP TABLE IF NOT EXISTS ub_claim_chargebee (subscription_id TEXT NOT NULL, item_price_id TEXT NOT NULL,
                  bucket TEXT NOT NULL, submission_id INTEGER NOT NULL);
              CREATE INDEX IF NOT EXISTS temp.ub_claim_chargebee_key ON ub_claim_chargebee (subscription_id, item_price_id, bucket);
              DELETE FROM temp.ub_claim_chargebee;
              """;
        await using var command = session.Connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>
    /// Moves the rows of this run's confirmed, not yet settled submissions to 'billed' in id-ordered batches, then marks
    /// those submissions settled. The outcome was recorded on each ledger row first, so this is the same ledger-driven,
    /// idempotent settle as <see cref="SettleRowsAsync"/>, done once per run instead of once per submission.
    /// </summary>
    public async Task<int> SettleConfirmedAsync(UsageTable table, long runId, int batchSize, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var session = await _database.RentSessionAsync(cancellationToken);
        await using var cache = await PassCacheAsync(session, cancellationToken);
        batchSize = Math.Max(batchSize, PassRows);
        var bound = $"""
            SELECT MAX(id) FROM (SELECT id FROM {table.Name} NOT INDEXED
                                 WHERE id > @After AND billing_status = 'claimed' ORDER BY id LIMIT @BatchSize)
            """;
        var settle = $"""
            UPDATE {table.Name} AS u NOT INDEXED
            SET billing_status = 'billed', provider_usage_id = s.provider_usage_id, provider_receipt_id = s.provider_receipt_id,
                billed_at = @Now, billing_error = NULL, billing_run_id = @RunId
            FROM ub_submission AS s
            WHERE u.id > @After AND u.id <= @Upto AND u.billing_status = 'claimed' AND s.id = u.billing_submission_id
              AND s.owner_run_id = @RunId AND s.status = 'confirmed' AND s.settled_at IS NULL
            """;
        var settled = 0;
        var after = 0L;
        while (true)
        {
            await using var write = await _database.BeginWriteAsync(session.Connection, cancellationToken);
            var upto = await session.Command(bound, write.Transaction).With("@After", after).With("@BatchSize", batchSize).ExecuteScalarAsync(cancellationToken);
            if (upto is null or DBNull)
            {
                // Last: a submission is settled once none of its rows is still claimed (what SettleRowsAsync records).
                await session.Command(
                        $"""
                        UPDATE ub_submission SET settled_at = @Now, updated_at = @Now
                        WHERE owner_run_id = @RunId AND status = 'confirmed' AND settled_at IS NULL AND usage_table = @Table
                          AND NOT EXISTS (SELECT 1 FROM {table.Name} u WHERE u.billing_submission_id = ub_submission.id AND u.billing_status = 'claimed')
                        """, write.Transaction)
                    .With("@RunId", runId).With("@Now", Text(now)).With("@Table", table.Name)
                    .ExecuteNonQueryAsync(cancellationToken);
                await write.CommitAsync(cancellationToken);
                return settled;
            }

            settled += await session.Command(settle, write.Transaction)
                .With("@After", after).With("@Upto", upto).With("@Now", Text(now)).With("@RunId", runId)
                .ExecuteNonQueryAsync(cancellationToken);
            await write.CommitAsync(cancellationToken);
            after = Convert.ToInt64(upto, CultureInfo.InvariantCulture);
        }
    }
}
