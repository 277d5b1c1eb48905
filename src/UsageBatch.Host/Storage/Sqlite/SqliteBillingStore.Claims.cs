using System.Globalization;
using Dapper;
using Microsoft.Data.Sqlite;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;
using static UsageBatch.Storage.Sqlite.SqliteDatabase;

namespace UsageBatch.Storage.Sqlite;

internal sealed partial class SqliteBillingStore
{
    public async Task<IReadOnlyList<PendingGroup>> ListPendingGroupsAsync(UsageTable table, DateTimeOffset cutoff, string bucket, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var groups = new List<PendingGroup>();
        if (table.Provider == ProviderKind.Whop)
        {
            var rows = await connection.QueryAsync<(string CustomerField, string CustomerId, string ItemField, string ItemId, string ValueField, long RowCount, string? Total, string? LastOccurredAt)>(
                new CommandDefinition(
                    """
                    SELECT CASE WHEN membership_id IS NOT NULL THEN 'membership_id' ELSE 'company_id' END,
                           COALESCE(membership_id, company_id, ''),
                           CASE WHEN billing_item_id IS NOT NULL THEN 'billing_item_id' ELSE 'billing_item_identifier' END,
                           COALESCE(billing_item_id, billing_item_identifier, ''),
                           CASE WHEN amount IS NOT NULL THEN 'amount' ELSE 'quantity' END,
                           COUNT(*), ub_decimal_sum(COALESCE(amount, quantity)), MAX(occurred_at)
                    FROM whop_usage
                    WHERE billing_status = 'pending' AND occurred_at < @Cutoff
                    GROUP BY 1, 2, 3, 4, 5
                    ORDER BY 1, 2, 3, 4, 5
                    """,
                    new { Cutoff = Text(UtcText.WholeSeconds(cutoff)) }, cancellationToken: cancellationToken));
            foreach (var r in rows)
            {
                groups.Add(new PendingGroup(
                    new SubmissionTarget(r.CustomerField, r.CustomerId, r.ItemField, r.ItemId, r.ValueField),
                    null, null, r.RowCount, ParseOrZero(r.Total), ParseTimeOr(r.LastOccurredAt, cutoff)));
            }
        }
        else
        {
            var prefixLength = BucketPrefixLength(bucket);
            var rows = await connection.QueryAsync<(string SubscriptionId, string ItemPriceId, string Bucket, long RowCount, string? Total, string? LastOccurredAt)>(
                new CommandDefinition(
                    """
                    SELECT subscription_id, item_price_id, substr(occurred_at, 1, @PrefixLength),
                           COUNT(*), ub_decimal_sum(quantity), MAX(occurred_at)
                    FROM chargebee_usage
                    WHERE billing_status = 'pending' AND occurred_at < @Cutoff
                      AND subscription_id IS NOT NULL AND item_price_id IS NOT NULL
                    GROUP BY 1, 2, 3
                    ORDER BY 1, 2, 3
                    """,
                    new { Cutoff = Text(UtcText.WholeSeconds(cutoff)), PrefixLength = prefixLength }, cancellationToken: cancellationToken));
            foreach (var r in rows)
            {
                if (!TryBucketBounds(r.Bucket, bucket, out var start, out var end))
                {
                    continue; // a malformed occurred_at slipped in after validation; the next run rejects it
                }

                groups.Add(new PendingGroup(
                    SubmissionTarget.Chargebee(r.SubscriptionId, r.ItemPriceId),
                    start, end, r.RowCount, ParseOrZero(r.Total), ParseTimeOr(r.LastOccurredAt, cutoff)));
            }
        }

        return groups;
    }

    public async Task<(ClaimedGroup Claimed, GroupDecision Decision)?> ClaimGroupAsync(
        ClaimRequest request, Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken)
    {
        // One session for the whole group; its statements stay prepared for the next group's claim.
        await using var session = await _database.RentSessionAsync(cancellationToken);
        long submissionId = 0;
        var ids = new List<long>();
        var rejected = new List<RowRejection>();
        var total = 0m;
        DateTimeOffset? first = null, last = null;
        var rejectSql = $"UPDATE {request.Table.Name} SET billing_status = 'rejected', billing_error = @Reason WHERE id = @Id";

        // A group larger than one batch is claimed over several short transactions; its ledger row stays
        // 'preparing' until the last one, so a crash in between leaves nothing that could be sent.
        while (true)
        {
            await using var write = await _database.BeginWriteAsync(session.Connection, cancellationToken);
            var transaction = write.Transaction;
            if (submissionId == 0)
            {
                submissionId = await InsertPreparingAsync(session, transaction, request, cancellationToken);
            }

            var claimed = await ClaimBatchAsync(session, transaction, request, submissionId, cancellationToken);
            foreach (var row in claimed)
            {
                // Validation ran before the claim; a row inserted or edited since is checked again here.
                var reason = UsageRowValidator.Check(request.Table.Provider, row, request.Rules);
                if (reason is not null)
                {
                    rejected.Add(new RowRejection(row.Id, row.SourceKey, reason));
                    await session.Command(rejectSql, transaction).With("@Reason", reason).With("@Id", row.Id).ExecuteNonQueryAsync(cancellationToken);
                    await InsertRowExceptionAsync(session, transaction, request.RunId, request.Table, row.Id, row.SourceKey, submissionId, "rejected", reason, request.Now, cancellationToken);
                    continue;
                }

                ids.Add(row.Id);
                total += DecimalText.Parse((request.Group.Target.ValueField == "amount" ? row.Amount : row.Quantity)!);
                var occurredAt = UtcText.Parse(row.OccurredAt!);
                first = first is null || occurredAt < first ? occurredAt : first;
                last = last is null || occurredAt > last ? occurredAt : last;
            }

            if (claimed.Count == request.BatchSize)
            {
                await session.Command("UPDATE ub_submission SET row_count = @Count, total = @Total, updated_at = @Now WHERE id = @Id", transaction)
                    .With("@Count", ids.Count).With("@Total", Text(total)).With("@Now", Text(request.Now)).With("@Id", submissionId)
                    .ExecuteNonQueryAsync(cancellationToken);
                await write.CommitAsync(cancellationToken);
                continue;
            }

            if (ids.Count == 0 && rejected.Count == 0)
            {
                // Another run claimed the whole group first: this ledger row never existed.
                await session.Command("DELETE FROM ub_submission WHERE id = @Id", transaction).With("@Id", submissionId).ExecuteNonQueryAsync(cancellationToken);
                await write.CommitAsync(cancellationToken);
                return null;
            }

            var group = new ClaimedGroup(submissionId, request.Group.Target, request.Group.BucketStart, request.Group.BucketEnd,
                ids.Count, total, first, last, rejected);
            var decision = ids.Count == 0
                ? new GroupDecision(SubmissionStatus.Void, "every claimed row was rejected", null)
                : decide(group, await ReadFactsAsync(session, transaction, request, submissionId, cancellationToken));
            await FinishPreparingAsync(session, transaction, request, submissionId, decision, ids, total, first, last, cancellationToken);
            await write.CommitAsync(cancellationToken);
            return (group, decision);
        }
    }

    /// <summary>The ledger row of a claimed group gets its decision, totals and row snapshot, and an event.</summary>
    private static async Task FinishPreparingAsync(SqliteSession session, SqliteTransaction transaction, ClaimRequest request, long submissionId,
        GroupDecision decision, List<long> ids, decimal total, DateTimeOffset? first, DateTimeOffset? last, CancellationToken cancellationToken)
    {
        await session.Command(
                """
                UPDATE ub_submission
                SET status = @Status, status_reason = @Reason, row_count = @Count, total = @Total,
                    first_occurred_at = @First, last_occurred_at = @Last, row_ids = @RowIds, usage_date = @UsageDate,
                    usage_id = @UsageId, updated_at = @Now
                WHERE id = @Id
                """, transaction)
            .With("@Status", decision.Status).With("@Reason", decision.Reason).With("@Count", ids.Count).With("@Total", Text(total))
            .With("@First", Text(first)).With("@Last", Text(last)).With("@RowIds", RowIdRanges.Format(ids)).With("@UsageDate", Text(decision.UsageDate))
            .With("@UsageId", request.Table.Provider == ProviderKind.Chargebee ? request.UsageIdPrefix + submissionId.ToString(CultureInfo.InvariantCulture) : null)
            .With("@Now", Text(request.Now)).With("@Id", submissionId)
            .ExecuteNonQueryAsync(cancellationToken);
        await InsertEventAsync(session, transaction, submissionId, request.RunId, request.Now, decision.Status,
            $"{ids.Count} rows, total {Text(total)}{(decision.Reason is null ? "" : "; " + decision.Reason)}", cancellationToken: cancellationToken);
    }

    private const string InsertPreparingSql = """
        INSERT INTO ub_submission (created_run_id, owner_run_id, job, provider_account, usage_table, customer_field,
                                   customer_id, item_field, item_id, value_field, bucket_start, bucket_end, status,
                                   created_at, updated_at)
        VALUES (@RunId, @RunId, @Job, @Account, @Table, @CustomerField, @CustomerId, @ItemField, @ItemId, @ValueField,
                @BucketStart, @BucketEnd, 'preparing', @Now, @Now)
        RETURNING id
        """;

    private static async Task<long> InsertPreparingAsync(SqliteSession session, SqliteTransaction transaction, ClaimRequest request, CancellationToken cancellationToken)
    {
        var target = request.Group.Target;
        var id = await session.Command(InsertPreparingSql, transaction)
            .With("@RunId", request.RunId).With("@Job", request.Job).With("@Account", request.ProviderAccount).With("@Table", request.Table.Name)
            .With("@CustomerField", target.CustomerField).With("@CustomerId", target.CustomerId).With("@ItemField", target.ItemField)
            .With("@ItemId", target.ItemId).With("@ValueField", target.ValueField)
            .With("@BucketStart", Text(request.Group.BucketStart)).With("@BucketEnd", Text(request.Group.BucketEnd)).With("@Now", Text(request.Now))
            .ExecuteScalarAsync(cancellationToken);
        return Convert.ToInt64(id, CultureInfo.InvariantCulture);
    }

    private static string ClaimSql(UsageTable table)
    {
        // IS compares NULLs as equal, so one statement serves every customer/item field combination.
        var match = table.Provider == ProviderKind.Whop
            ? """
              membership_id IS @MembershipId AND company_id IS @CompanyId
              AND billing_item_id IS @BillingItemId AND billing_item_identifier IS @BillingItemIdentifier
              AND (amount IS NOT NULL) = @IsAmount
              """
            : """
              subscription_id = @SubscriptionId AND item_price_id = @ItemPriceId
              AND occurred_at >= @BucketStart AND occurred_at < @BucketEnd
              """;
        var columns = table.Provider == ProviderKind.Whop
            ? "id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, NULL, NULL, occurred_at"
            : "id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at";
        return $"""
                UPDATE {table.Name}
                SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
                WHERE id IN (SELECT id FROM {table.Name}
                             WHERE billing_status = 'pending' AND occurred_at < @Cutoff AND {match}
                             ORDER BY id LIMIT @BatchSize)
                RETURNING {columns}
                """;
    }

    private static readonly string WhopClaimSql = ClaimSql(UsageTable.Whop);
    private static readonly string ChargebeeClaimSql = ClaimSql(UsageTable.Chargebee);

    private static async Task<List<UsageRow>> ClaimBatchAsync(
        SqliteSession session, SqliteTransaction transaction, ClaimRequest request, long submissionId, CancellationToken cancellationToken)
    {
        var target = request.Group.Target;
        SqliteCommand command;
        if (request.Table.Provider == ProviderKind.Whop)
        {
            command = session.Command(WhopClaimSql, transaction)
                .With("@MembershipId", target.CustomerField == "membership_id" ? target.CustomerId : null)
                .With("@CompanyId", target.CustomerField == "company_id" ? target.CustomerId : null)
                .With("@BillingItemId", target.ItemField == "billing_item_id" ? target.ItemId : null)
                .With("@BillingItemIdentifier", target.ItemField == "billing_item_identifier" ? target.ItemId : null)
                .With("@IsAmount", target.ValueField == "amount" ? 1 : 0);
        }
        else
        {
            command = session.Command(ChargebeeClaimSql, transaction)
                .With("@SubscriptionId", target.CustomerId).With("@ItemPriceId", target.ItemId)
                .With("@BucketStart", Text(request.Group.BucketStart)).With("@BucketEnd", Text(request.Group.BucketEnd));
        }

        command.With("@Cutoff", Text(UtcText.WholeSeconds(request.Cutoff))).With("@BatchSize", request.BatchSize)
            .With("@RunId", request.RunId).With("@SubmissionId", submissionId);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<UsageRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadRow(reader));
        }

        return rows;
    }

    private static async Task<GroupFacts> ReadFactsAsync(
        SqliteSession session, SqliteTransaction transaction, ClaimRequest request, long submissionId, CancellationToken cancellationToken)
    {
        if (request.Table.Provider != ProviderKind.Chargebee)
        {
            return new GroupFacts(new HashSet<DateTimeOffset>(), 0);
        }

        var used = new HashSet<DateTimeOffset>();
        await using (var reader = await session.Command(UsedUsageDatesSql, transaction)
                         .With("@Account", request.ProviderAccount).With("@SubscriptionId", request.Group.Target.CustomerId)
                         .With("@ItemPriceId", request.Group.Target.ItemId).With("@Start", Text(request.Group.BucketStart!.Value))
                         .With("@End", Text(request.Group.BucketEnd!.Value)).With("@Id", submissionId)
                         .ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken))
            {
                used.Add(UtcText.Parse(reader.GetString(0)));
            }
        }

        var counted = await session.Command(
                """
                SELECT COUNT(*) FROM ub_submission
                WHERE provider_account = @Account AND customer_field = 'subscription_id' AND customer_id = @SubscriptionId
                  AND id <> @Id
                  AND (status IN ('prepared', 'sent', 'confirmed') OR (status = 'held' AND first_sent_at IS NOT NULL))
                """, transaction)
            .With("@Account", request.ProviderAccount).With("@SubscriptionId", request.Group.Target.CustomerId).With("@Id", submissionId)
            .ExecuteScalarAsync(cancellationToken);
        return new GroupFacts(used, Convert.ToInt32(counted, CultureInfo.InvariantCulture));
    }

    // Dates that may exist at the provider for this (subscription, item price): anything but never-sent or refused.
    private const string UsedUsageDatesSql = """
        SELECT usage_date FROM ub_submission
        WHERE provider_account = @Account AND customer_id = @SubscriptionId AND item_id = @ItemPriceId
          AND usage_date >= @Start AND usage_date < @End AND id <> @Id
          AND status NOT IN ('preparing', 'void', 'rejected', 'released')
        """;

    private static async Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string account, SubmissionTarget target,
        DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken)
    {
        var dates = await connection.QueryAsync<string>(new CommandDefinition(
            UsedUsageDatesSql,
            new { Account = account, SubscriptionId = target.CustomerId, ItemPriceId = target.ItemId, Start = Text(bucketStart), End = Text(bucketEnd), Id = exceptSubmissionId },
            transaction, cancellationToken: cancellationToken));
        return dates.Select(UtcText.Parse).ToHashSet();
    }

    public async Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(string account, SubmissionTarget target, DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await UsedUsageDatesAsync(connection, null, account, target, bucketStart, bucketEnd, exceptSubmissionId, cancellationToken);
    }

    internal static int BucketPrefixLength(string bucket) => bucket switch
    {
        "hour" => 13,   // 2026-11-20T05
        "month" => 7,   // 2026-11
        _ => 10,        // 2026-11-20
    };

    internal static bool TryBucketBounds(string prefix, string bucket, out DateTimeOffset start, out DateTimeOffset end)
    {
        var (format, step) = bucket switch
        {
            "hour" => ("yyyy-MM-dd'T'HH", (Func<DateTimeOffset, DateTimeOffset>)(d => d.AddHours(1))),
            "month" => ("yyyy-MM", d => d.AddMonths(1)),
            _ => ("yyyy-MM-dd", d => d.AddDays(1)),
        };
        var ok = DateTimeOffset.TryParseExact(prefix, format, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out start);
        end = ok ? step(start) : default;
        return ok;
    }

    private static decimal ParseOrZero(string? text) => text is not null && DecimalText.TryParse(text, out var v, out _) ? v : 0m;

    private static DateTimeOffset ParseTimeOr(string? text, DateTimeOffset fallback) =>
        UtcText.TryParseUsage(text, out var value, out _) ? value : fallback;
}
