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
        await using var connection = await _database.OpenAsync(cancellationToken);
        long submissionId = 0;
        var ids = new List<long>();
        var rejected = new List<RowRejection>();
        var total = 0m;
        DateTimeOffset? first = null, last = null;

        // A group larger than one batch is claimed over several short transactions; its ledger row stays
        // 'preparing' until the last one, so a crash in between leaves nothing that could be sent.
        while (true)
        {
            await using var transaction = (SqliteTransaction)await connection.BeginTransactionAsync(cancellationToken);
            if (submissionId == 0)
            {
                submissionId = await InsertPreparingAsync(connection, transaction, request, cancellationToken);
            }

            var claimed = await ClaimBatchAsync(connection, transaction, request, submissionId, cancellationToken);
            foreach (var row in claimed)
            {
                // Validation ran before the claim; a row inserted or edited since is checked again here.
                var reason = UsageRowValidator.Check(request.Table.Provider, row, request.Rules);
                if (reason is not null)
                {
                    rejected.Add(new RowRejection(row.Id, row.SourceKey, reason));
                    await connection.ExecuteAsync(new CommandDefinition(
                        $"UPDATE {request.Table.Name} SET billing_status = 'rejected', billing_error = @Reason WHERE id = @Id",
                        new { Reason = reason, row.Id }, transaction, cancellationToken: cancellationToken));
                    await InsertRowExceptionAsync(connection, transaction, request.RunId, request.Table, row.Id, row.SourceKey, submissionId, "rejected", reason, request.Now, cancellationToken);
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
                await connection.ExecuteAsync(new CommandDefinition(
                    "UPDATE ub_submission SET row_count = @Count, total = @Total, updated_at = @Now WHERE id = @Id",
                    new { Count = ids.Count, Total = Text(total), Now = Text(request.Now), Id = submissionId }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                continue;
            }

            if (ids.Count == 0 && rejected.Count == 0)
            {
                // Another run claimed the whole group first: this ledger row never existed.
                await connection.ExecuteAsync(new CommandDefinition(
                    "DELETE FROM ub_submission WHERE id = @Id", new { Id = submissionId }, transaction, cancellationToken: cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                return null;
            }

            var group = new ClaimedGroup(submissionId, request.Group.Target, request.Group.BucketStart, request.Group.BucketEnd,
                ids.Count, total, first, last, rejected);
            var decision = ids.Count == 0
                ? new GroupDecision(SubmissionStatus.Void, "every claimed row was rejected", null)
                : decide(group, await ReadFactsAsync(connection, transaction, request, submissionId, cancellationToken));
            await connection.ExecuteAsync(new CommandDefinition(
                """
                UPDATE ub_submission
                SET status = @Status, status_reason = @Reason, row_count = @Count, total = @Total,
                    first_occurred_at = @First, last_occurred_at = @Last, row_ids = @RowIds, usage_date = @UsageDate,
                    usage_id = @UsageId, updated_at = @Now
                WHERE id = @Id
                """,
                new
                {
                    decision.Status, decision.Reason, Count = ids.Count, Total = Text(total), First = Text(first), Last = Text(last),
                    RowIds = RowIdRanges.Format(ids), UsageDate = Text(decision.UsageDate),
                    UsageId = request.Table.Provider == ProviderKind.Chargebee ? request.UsageIdPrefix + submissionId.ToString(CultureInfo.InvariantCulture) : null,
                    Now = Text(request.Now), Id = submissionId,
                },
                transaction, cancellationToken: cancellationToken));
            await InsertEventAsync(connection, transaction, submissionId, request.RunId, request.Now, decision.Status,
                $"{ids.Count} rows, total {Text(total)}{(decision.Reason is null ? "" : "; " + decision.Reason)}", cancellationToken: cancellationToken);
            await transaction.CommitAsync(cancellationToken);
            return (group, decision);
        }
    }

    private static Task<long> InsertPreparingAsync(SqliteConnection connection, SqliteTransaction transaction, ClaimRequest request, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO ub_submission (created_run_id, owner_run_id, job, provider_account, usage_table, customer_field,
                                       customer_id, item_field, item_id, value_field, bucket_start, bucket_end, status,
                                       created_at, updated_at)
            VALUES (@RunId, @RunId, @Job, @Account, @Table, @CustomerField, @CustomerId, @ItemField, @ItemId, @ValueField,
                    @BucketStart, @BucketEnd, 'preparing', @Now, @Now)
            RETURNING id
            """,
            new
            {
                request.RunId, request.Job, Account = request.ProviderAccount, Table = request.Table.Name,
                request.Group.Target.CustomerField, request.Group.Target.CustomerId, request.Group.Target.ItemField,
                request.Group.Target.ItemId, request.Group.Target.ValueField,
                BucketStart = Text(request.Group.BucketStart), BucketEnd = Text(request.Group.BucketEnd), Now = Text(request.Now),
            },
            transaction, cancellationToken: cancellationToken));

    private static async Task<List<UsageRow>> ClaimBatchAsync(
        SqliteConnection connection, SqliteTransaction transaction, ClaimRequest request, long submissionId, CancellationToken cancellationToken)
    {
        var target = request.Group.Target;
        string match;
        object parameters;
        if (request.Table.Provider == ProviderKind.Whop)
        {
            // IS compares NULLs as equal, so one statement serves every customer/item field combination.
            match = """
                    membership_id IS @MembershipId AND company_id IS @CompanyId
                    AND billing_item_id IS @BillingItemId AND billing_item_identifier IS @BillingItemIdentifier
                    AND (amount IS NOT NULL) = @IsAmount
                    """;
            parameters = new
            {
                MembershipId = target.CustomerField == "membership_id" ? target.CustomerId : null,
                CompanyId = target.CustomerField == "company_id" ? target.CustomerId : null,
                BillingItemId = target.ItemField == "billing_item_id" ? target.ItemId : null,
                BillingItemIdentifier = target.ItemField == "billing_item_identifier" ? target.ItemId : null,
                IsAmount = target.ValueField == "amount" ? 1 : 0,
                Cutoff = Text(UtcText.WholeSeconds(request.Cutoff)), request.BatchSize, request.RunId, SubmissionId = submissionId,
            };
        }
        else
        {
            match = """
                    subscription_id = @SubscriptionId AND item_price_id = @ItemPriceId
                    AND occurred_at >= @BucketStart AND occurred_at < @BucketEnd
                    """;
            parameters = new
            {
                SubscriptionId = target.CustomerId, ItemPriceId = target.ItemId,
                BucketStart = Text(request.Group.BucketStart), BucketEnd = Text(request.Group.BucketEnd),
                Cutoff = Text(UtcText.WholeSeconds(request.Cutoff)), request.BatchSize, request.RunId, SubmissionId = submissionId,
            };
        }

        var columns = request.Table.Provider == ProviderKind.Whop
            ? "id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, NULL, NULL, occurred_at"
            : "id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at";
        var sql = $"""
                   UPDATE {request.Table.Name}
                   SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
                   WHERE id IN (SELECT id FROM {request.Table.Name}
                                WHERE billing_status = 'pending' AND occurred_at < @Cutoff AND {match}
                                ORDER BY id LIMIT @BatchSize)
                   RETURNING {columns}
                   """;
        await using var reader = await connection.ExecuteReaderAsync(
            new CommandDefinition(sql, parameters, transaction, cancellationToken: cancellationToken));
        var rows = new List<UsageRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadRow(reader));
        }

        return rows;
    }

    private static async Task<GroupFacts> ReadFactsAsync(
        SqliteConnection connection, SqliteTransaction transaction, ClaimRequest request, long submissionId, CancellationToken cancellationToken)
    {
        if (request.Table.Provider != ProviderKind.Chargebee)
        {
            return new GroupFacts(new HashSet<DateTimeOffset>(), 0);
        }

        var used = await UsedUsageDatesAsync(connection, transaction, request.ProviderAccount, request.Group.Target,
            request.Group.BucketStart!.Value, request.Group.BucketEnd!.Value, submissionId, cancellationToken);
        var counted = await connection.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT COUNT(*) FROM ub_submission
            WHERE provider_account = @Account AND customer_field = 'subscription_id' AND customer_id = @SubscriptionId
              AND id <> @Id
              AND (status IN ('prepared', 'sent', 'confirmed') OR (status = 'held' AND first_sent_at IS NOT NULL))
            """,
            new { Account = request.ProviderAccount, SubscriptionId = request.Group.Target.CustomerId, Id = submissionId },
            transaction, cancellationToken: cancellationToken));
        return new GroupFacts(used, counted);
    }

    private static async Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(
        SqliteConnection connection, SqliteTransaction? transaction, string account, SubmissionTarget target,
        DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken)
    {
        // Dates that may exist at the provider for this (subscription, item price): anything but never-sent or refused.
        var dates = await connection.QueryAsync<string>(new CommandDefinition(
            """
            SELECT usage_date FROM ub_submission
            WHERE provider_account = @Account AND customer_id = @SubscriptionId AND item_id = @ItemPriceId
              AND usage_date >= @Start AND usage_date < @End AND id <> @Id
              AND status NOT IN ('preparing', 'void', 'rejected', 'released')
            """,
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
