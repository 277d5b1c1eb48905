using System.Data;
using System.Globalization;
using Dapper;
using Microsoft.Data.SqlClient;
using UsageBatch.Billing;
using UsageBatch.Providers;
using UsageBatch.Usage;
using static UsageBatch.Storage.SqlServer.SqlServerDatabase;

namespace UsageBatch.Storage.SqlServer;

internal sealed partial class SqlServerBillingStore
{
    // The GROUP BY the run plans from; the claim re-reads the truth. 'pending' is a literal so the filtered index
    // matches; READPAST skips rows being claimed by another run right now (they are not ours to plan), and needs
    // READCOMMITTEDLOCK beside it: under READ_COMMITTED_SNAPSHOT (Azure SQL's default) a plain READPAST read is
    // a versioned read, where SQL Server refuses or ignores READPAST.
    private const string WhopGroupsSql = """
        SELECT k.customer_field AS CustomerField, k.customer_id AS CustomerId, k.item_field AS ItemField, k.item_id AS ItemId,
               k.value_field AS ValueField, COUNT_BIG(*) AS [RowCount], SUM(COALESCE(u.amount, u.quantity)) AS Total,
               MAX(u.occurred_at) AS LastOccurredAt
        FROM [$(Schema)].whop_usage AS u WITH (READPAST, READCOMMITTEDLOCK)
        CROSS APPLY (VALUES (
            CASE WHEN u.membership_id IS NOT NULL THEN 'membership_id' ELSE 'company_id' END,
            CAST(COALESCE(u.membership_id, u.company_id, '') AS nvarchar(200)),
            CASE WHEN u.billing_item_id IS NOT NULL THEN 'billing_item_id' ELSE 'billing_item_identifier' END,
            COALESCE(CAST(u.billing_item_id AS nvarchar(200)), u.billing_item_identifier, N''),
            CASE WHEN u.amount IS NOT NULL THEN 'amount' ELSE 'quantity' END
        )) AS k (customer_field, customer_id, item_field, item_id, value_field)
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff
        GROUP BY k.customer_field, k.customer_id, k.item_field, k.item_id, k.value_field
        ORDER BY k.customer_field, k.customer_id, k.item_field, k.item_id, k.value_field;
        """;

    // Buckets are computed in UTC on the server: hour, month, else day (the job's setting, as a parameter).
    private const string ChargebeeGroupsSql = """
        SELECT u.subscription_id AS SubscriptionId, u.item_price_id AS ItemPriceId, b.bucket_start AS BucketStart,
               COUNT_BIG(*) AS [RowCount], SUM(u.quantity) AS Total, MAX(u.occurred_at) AS LastOccurredAt
        FROM [$(Schema)].chargebee_usage AS u WITH (READPAST, READCOMMITTEDLOCK)
        CROSS APPLY (VALUES (CASE @Bucket
            WHEN 'hour' THEN DATEADD(hour, DATEDIFF(hour, CAST('2000-01-01' AS datetime2(3)), u.occurred_at), CAST('2000-01-01' AS datetime2(3)))
            WHEN 'month' THEN CAST(DATEFROMPARTS(YEAR(u.occurred_at), MONTH(u.occurred_at), 1) AS datetime2(3))
            ELSE CAST(CAST(u.occurred_at AS date) AS datetime2(3)) END)) AS b (bucket_start)
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff
          AND u.subscription_id IS NOT NULL AND u.item_price_id IS NOT NULL
        GROUP BY u.subscription_id, u.item_price_id, b.bucket_start
        ORDER BY u.subscription_id, u.item_price_id, b.bucket_start;
        """;

    private const string InsertPreparingSql = """
        INSERT INTO [$(Schema)].ub_submission (created_run_id, owner_run_id, job, provider_account, usage_table, customer_field,
                                               customer_id, item_field, item_id, value_field, bucket_start, bucket_end, status,
                                               created_at, updated_at)
        OUTPUT inserted.id
        VALUES (@RunId, @RunId, @Job, @Account, @Table, @CustomerField, @CustomerId, @ItemField, @ItemId, @ValueField,
                @BucketStart, @BucketEnd, 'preparing', @Now, @Now);
        """;

    // The claim, as Hangfire.SqlServer claims jobs: one statement that takes at most @BatchSize rows still
    // 'pending' and marks them in the same breath.
    //   ROWLOCK            row locks only, never page locks that would block a neighbour's rows;
    //   READPAST           skip rows another run has locked (it is claiming them) instead of queueing behind it;
    //   UPDLOCK            the rows read are the rows updated, with no shared-to-exclusive conversion deadlock;
    //   READCOMMITTEDLOCK  locking read committed even when the database has READ_COMMITTED_SNAPSHOT on: a
    //                      versioned read could see a row as still pending after another run claimed it;
    //   INDEX(…_pending)   the filtered index of pending rows, whose leading keys are the group's: the claim reads
    //                      pending rows of this group only, never a scan of the table. (Not FORCESEEK: a plan the
    //                      optimizer cannot build under it fails the statement, Msg 8622.)
    // @BatchSize is SqlServerLocking.RowsPerStatement(batchSize): under the escalation threshold on every index.
    // OUTPUT … INTO a table variable, then SELECT: a plain OUTPUT clause is refused (Msg 334) once a DBA puts a
    // trigger on the usage table.
    // Whop matching is null-safe: EXISTS (SELECT a INTERSECT SELECT b) is SQLite's "a IS b" (NULL equals NULL) in a
    // form the optimizer turns into an index seek on the filtered index (IS NOT DISTINCT FROM needs SQL Server 2022).
    private const string ClaimWhopBatchSql = """
        DECLARE @claimed TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NOT NULL, company_id varchar(100) NULL,
                                membership_id varchar(100) NULL, billing_item_id varchar(100) NULL, billing_item_identifier nvarchar(200) NULL,
                                amount decimal(28, 10) NULL, quantity decimal(28, 10) NULL, occurred_at datetime2(3) NULL);
        UPDATE TOP (@BatchSize) u
        SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
        OUTPUT inserted.id, inserted.source_key, inserted.company_id, inserted.membership_id, inserted.billing_item_id,
               inserted.billing_item_identifier, inserted.amount, inserted.quantity, inserted.occurred_at
        INTO @claimed (id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, occurred_at)
        FROM [$(Schema)].whop_usage AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK, INDEX(ix_whop_usage_pending))
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff
          AND EXISTS (SELECT u.membership_id INTERSECT SELECT @MembershipId)
          AND EXISTS (SELECT u.company_id INTERSECT SELECT @CompanyId)
          AND EXISTS (SELECT u.billing_item_id INTERSECT SELECT @BillingItemId)
          AND EXISTS (SELECT u.billing_item_identifier INTERSECT SELECT @BillingItemIdentifier)
          AND CASE WHEN u.amount IS NOT NULL THEN 1 ELSE 0 END = @IsAmount;
        SELECT id, source_key, company_id, membership_id, billing_item_id, billing_item_identifier, amount, quantity, NULL, NULL, occurred_at
        FROM @claimed ORDER BY id;
        """;

    private const string ClaimChargebeeBatchSql = """
        DECLARE @claimed TABLE (id bigint NOT NULL PRIMARY KEY, source_key nvarchar(200) NOT NULL, quantity decimal(28, 10) NULL,
                                subscription_id varchar(100) NULL, item_price_id varchar(100) NULL, occurred_at datetime2(3) NULL);
        UPDATE TOP (@BatchSize) u
        SET billing_status = 'claimed', billing_run_id = @RunId, billing_submission_id = @SubmissionId
        OUTPUT inserted.id, inserted.source_key, inserted.quantity, inserted.subscription_id, inserted.item_price_id, inserted.occurred_at
        INTO @claimed (id, source_key, quantity, subscription_id, item_price_id, occurred_at)
        FROM [$(Schema)].chargebee_usage AS u WITH (ROWLOCK, READPAST, UPDLOCK, READCOMMITTEDLOCK, INDEX(ix_chargebee_usage_pending))
        WHERE u.billing_status = 'pending' AND u.occurred_at < @Cutoff
          AND u.subscription_id = @SubscriptionId AND u.item_price_id = @ItemPriceId
          AND u.occurred_at >= @BucketStart AND u.occurred_at < @BucketEnd;
        SELECT id, source_key, NULL, NULL, NULL, NULL, NULL, quantity, subscription_id, item_price_id, occurred_at
        FROM @claimed ORDER BY id;
        """;

    private const string RejectClaimedRowSql = """
        UPDATE [$(Schema)].$(UsageTable) SET billing_status = 'rejected', billing_error = @Reason WHERE id = @Id;
        """;

    private const string UpdatePreparingSql = """
        UPDATE [$(Schema)].ub_submission SET row_count = @Count, total = @Total, updated_at = @Now WHERE id = @Id;
        """;

    private const string DeleteSubmissionSql = "DELETE FROM [$(Schema)].ub_submission WHERE id = @Id;";

    private const string DecideSubmissionSql = """
        UPDATE [$(Schema)].ub_submission
        SET status = @Status, status_reason = @Reason, row_count = @Count, total = @Total,
            first_occurred_at = @First, last_occurred_at = @Last, row_ids = @RowIds, usage_date = @UsageDate,
            usage_id = @UsageId, updated_at = @Now
        WHERE id = @Id;
        """;

    private const string CapCountSql = """
        SELECT COUNT(*) FROM [$(Schema)].ub_submission
        WHERE provider_account = @Account AND customer_field = 'subscription_id' AND customer_id = @SubscriptionId
          AND id <> @Id
          AND (status IN ('prepared', 'sent', 'confirmed') OR (status = 'held' AND first_sent_at IS NOT NULL));
        """;

    // Dates that may exist at the provider for this (subscription, item price): anything but never-sent or refused.
    private const string UsedUsageDatesSql = """
        SELECT usage_date FROM [$(Schema)].ub_submission
        WHERE provider_account = @Account AND customer_id = @SubscriptionId AND item_id = @ItemPriceId
          AND usage_date >= @Start AND usage_date < @End AND id <> @Id
          AND status NOT IN ('preparing', 'void', 'rejected', 'released');
        """;

    public async Task<IReadOnlyList<PendingGroup>> ListPendingGroupsAsync(UsageTable table, DateTimeOffset cutoff, string bucket, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var groups = new List<PendingGroup>();
        if (table.Provider == ProviderKind.Whop)
        {
            var rows = await connection.QueryAsync<WhopGroupRow>(new CommandDefinition(_database.Sql(WhopGroupsSql),
                new { Cutoff = Time(UtcText.WholeSeconds(cutoff)) }, cancellationToken: cancellationToken));
            foreach (var r in rows)
            {
                groups.Add(new PendingGroup(
                    new SubmissionTarget(r.CustomerField, r.CustomerId, r.ItemField, r.ItemId, r.ValueField),
                    null, null, r.RowCount, r.Total ?? 0m, r.LastOccurredAt is { } last ? Utc(last) : cutoff));
            }
        }
        else
        {
            var rows = await connection.QueryAsync<ChargebeeGroupRow>(new CommandDefinition(_database.Sql(ChargebeeGroupsSql),
                new { Cutoff = Time(UtcText.WholeSeconds(cutoff)), Bucket = Ansi(bucket, 10) }, cancellationToken: cancellationToken));
            foreach (var r in rows)
            {
                var start = Utc(r.BucketStart);
                groups.Add(new PendingGroup(
                    SubmissionTarget.Chargebee(r.SubscriptionId, r.ItemPriceId),
                    start, BucketEnd(start, bucket), r.RowCount, r.Total ?? 0m, r.LastOccurredAt is { } last ? Utc(last) : cutoff));
            }
        }

        return groups;
    }

    public async Task<(ClaimedGroup Claimed, GroupDecision Decision)?> ClaimGroupAsync(
        ClaimRequest request, Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        var rowsPerStatement = SqlServerLocking.RowsPerStatement(request.BatchSize);
        var claim = new ClaimProgress();

        // A group larger than one batch is claimed over several short transactions; its ledger row stays
        // 'preparing' until the last one, so a crash in between leaves nothing that could be sent. Each batch's
        // transaction may run again after a deadlock (two runs of one account read each other's ledger rows), so
        // it starts from what the committed batches left, never from a half-counted attempt.
        while (true)
        {
            var committed = claim.Mark();
            var step = await InTransactionAsync(connection, async transaction =>
            {
                claim.Restore(committed);
                claim.SubmissionId = committed.SubmissionId != 0 ? committed.SubmissionId : await InsertPreparingAsync(connection, transaction, request, cancellationToken);
                var claimed = await ClaimBatchAsync(connection, transaction, request, claim.SubmissionId, rowsPerStatement, cancellationToken);
                foreach (var row in claimed)
                {
                    // Validation ran before the claim; a row inserted or edited since is checked again here.
                    var reason = UsageRowValidator.Check(request.Table.Provider, row, request.Rules);
                    if (reason is not null)
                    {
                        claim.Rejected.Add(new RowRejection(row.Id, row.SourceKey, reason));
                        await connection.ExecuteAsync(new CommandDefinition(_database.Sql(RejectClaimedRowSql, request.Table),
                            new { Reason = Truncate(reason), row.Id }, transaction, cancellationToken: cancellationToken));
                        await InsertRowExceptionAsync(connection, transaction, request.RunId, request.Table,
                            row.Id, row.SourceKey, claim.SubmissionId, "rejected", reason, request.Now, cancellationToken);
                        continue;
                    }

                    claim.Add(row, request.Group.Target.ValueField);
                }

                if (claimed.Count == rowsPerStatement)
                {
                    await connection.ExecuteAsync(new CommandDefinition(_database.Sql(UpdatePreparingSql),
                        new { Count = claim.Ids.Count, claim.Total, Now = Time(request.Now), Id = claim.SubmissionId }, transaction, cancellationToken: cancellationToken));
                    return ClaimStep.More;
                }

                if (claim.Ids.Count == 0 && claim.Rejected.Count == 0)
                {
                    // Another run claimed the whole group first: this ledger row never existed.
                    await connection.ExecuteAsync(new CommandDefinition(_database.Sql(DeleteSubmissionSql),
                        new { Id = claim.SubmissionId }, transaction, cancellationToken: cancellationToken));
                    return ClaimStep.Nothing;
                }

                await DecideAsync(connection, transaction, request, claim, decide, cancellationToken);
                return ClaimStep.Decided;
            }, cancellationToken);

            switch (step)
            {
                case ClaimStep.Nothing:
                    return null;
                case ClaimStep.Decided:
                    return (claim.Group!, claim.Decision!);
            }
        }
    }

    private async Task DecideAsync(SqlConnection connection, SqlTransaction transaction, ClaimRequest request, ClaimProgress claim,
        Func<ClaimedGroup, GroupFacts, GroupDecision> decide, CancellationToken cancellationToken)
    {
        var submissionId = claim.SubmissionId;
        var ids = claim.Ids;
        var group = new ClaimedGroup(submissionId, request.Group.Target, request.Group.BucketStart, request.Group.BucketEnd,
            ids.Count, claim.Total, claim.First, claim.Last, [.. claim.Rejected]);
        var decision = ids.Count == 0
            ? new GroupDecision(SubmissionStatus.Void, "every claimed row was rejected", null)
            : decide(group, await ReadFactsAsync(connection, transaction, request, submissionId, cancellationToken));
        await connection.ExecuteAsync(new CommandDefinition(_database.Sql(DecideSubmissionSql),
            new
            {
                Status = Ansi(decision.Status, 10), decision.Reason, Count = ids.Count, claim.Total, First = Time(claim.First), Last = Time(claim.Last),
                RowIds = new DbString { Value = RowIdRanges.Format(ids), IsAnsi = true, Length = -1 }, UsageDate = Time(decision.UsageDate),
                UsageId = Ansi(request.Table.Provider == ProviderKind.Chargebee ? request.UsageIdPrefix + submissionId.ToString(CultureInfo.InvariantCulture) : null, 200),
                Now = Time(request.Now), Id = submissionId,
            },
            transaction, cancellationToken: cancellationToken));
        await InsertEventAsync(connection, transaction, submissionId, request.RunId, request.Now, decision.Status,
            $"{ids.Count} rows, total {DecimalText.Format(claim.Total)}{(decision.Reason is null ? "" : "; " + decision.Reason)}", cancellationToken: cancellationToken);
        claim.Group = group;
        claim.Decision = decision;
    }

    private Task<long> InsertPreparingAsync(SqlConnection connection, SqlTransaction transaction, ClaimRequest request, CancellationToken cancellationToken) =>
        connection.ExecuteScalarAsync<long>(new CommandDefinition(_database.Sql(InsertPreparingSql),
            new
            {
                request.RunId, request.Job, Account = request.ProviderAccount, Table = Ansi(request.Table.Name, 50),
                CustomerField = Ansi(request.Group.Target.CustomerField, 50), request.Group.Target.CustomerId,
                ItemField = Ansi(request.Group.Target.ItemField, 50), request.Group.Target.ItemId,
                ValueField = Ansi(request.Group.Target.ValueField, 20),
                BucketStart = Time(request.Group.BucketStart), BucketEnd = Time(request.Group.BucketEnd), Now = Time(request.Now),
            },
            transaction, cancellationToken: cancellationToken));

    private async Task<List<UsageRow>> ClaimBatchAsync(
        SqlConnection connection, SqlTransaction transaction, ClaimRequest request, long submissionId, int rowsPerStatement, CancellationToken cancellationToken)
    {
        var target = request.Group.Target;
        var cutoff = Time(UtcText.WholeSeconds(request.Cutoff));
        CommandDefinition command;
        if (request.Table.Provider == ProviderKind.Whop)
        {
            command = new CommandDefinition(_database.Sql(ClaimWhopBatchSql),
                new
                {
                    MembershipId = Ansi(target.CustomerField == "membership_id" ? target.CustomerId : null),
                    CompanyId = Ansi(target.CustomerField == "company_id" ? target.CustomerId : null),
                    BillingItemId = Ansi(target.ItemField == "billing_item_id" ? target.ItemId : null),
                    BillingItemIdentifier = new DbString { Value = target.ItemField == "billing_item_identifier" ? target.ItemId : null, Length = 200 },
                    IsAmount = target.ValueField == "amount" ? 1 : 0,
                    Cutoff = cutoff, BatchSize = rowsPerStatement, request.RunId, SubmissionId = submissionId,
                },
                transaction, cancellationToken: cancellationToken);
        }
        else
        {
            command = new CommandDefinition(_database.Sql(ClaimChargebeeBatchSql),
                new
                {
                    SubscriptionId = Ansi(target.CustomerId), ItemPriceId = Ansi(target.ItemId),
                    BucketStart = Time(request.Group.BucketStart), BucketEnd = Time(request.Group.BucketEnd),
                    Cutoff = cutoff, BatchSize = rowsPerStatement, request.RunId, SubmissionId = submissionId,
                },
                transaction, cancellationToken: cancellationToken);
        }

        await using var reader = await connection.ExecuteReaderAsync(command);
        var rows = new List<UsageRow>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(ReadRow(reader));
        }

        return rows;
    }

    private async Task<GroupFacts> ReadFactsAsync(
        SqlConnection connection, SqlTransaction transaction, ClaimRequest request, long submissionId, CancellationToken cancellationToken)
    {
        if (request.Table.Provider != ProviderKind.Chargebee)
        {
            return new GroupFacts(new HashSet<DateTimeOffset>(), 0);
        }

        var used = await UsedUsageDatesAsync(connection, transaction, request.ProviderAccount, request.Group.Target,
            request.Group.BucketStart!.Value, request.Group.BucketEnd!.Value, submissionId, cancellationToken);
        var counted = await connection.ExecuteScalarAsync<int>(new CommandDefinition(_database.Sql(CapCountSql),
            new { Account = request.ProviderAccount, SubscriptionId = request.Group.Target.CustomerId, Id = submissionId },
            transaction, cancellationToken: cancellationToken));
        return new GroupFacts(used, counted);
    }

    private async Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(
        SqlConnection connection, SqlTransaction? transaction, string account, SubmissionTarget target,
        DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken)
    {
        var dates = await connection.QueryAsync<DateTime>(new CommandDefinition(_database.Sql(UsedUsageDatesSql),
            new { Account = account, SubscriptionId = target.CustomerId, ItemPriceId = target.ItemId, Start = Time(bucketStart), End = Time(bucketEnd), Id = exceptSubmissionId },
            transaction, cancellationToken: cancellationToken));
        return dates.Select(Utc).ToHashSet();
    }

    public async Task<IReadOnlySet<DateTimeOffset>> UsedUsageDatesAsync(string account, SubmissionTarget target, DateTimeOffset bucketStart, DateTimeOffset bucketEnd, long exceptSubmissionId, CancellationToken cancellationToken)
    {
        await using var connection = await _database.OpenAsync(cancellationToken);
        return await UsedUsageDatesAsync(connection, null, account, target, bucketStart, bucketEnd, exceptSubmissionId, cancellationToken);
    }

    internal static DateTimeOffset BucketEnd(DateTimeOffset start, string bucket) => bucket switch
    {
        "hour" => start.AddHours(1),
        "month" => start.AddMonths(1),
        _ => start.AddDays(1),
    };

    private sealed class WhopGroupRow
    {
        public string CustomerField { get; set; } = "";
        public string CustomerId { get; set; } = "";
        public string ItemField { get; set; } = "";
        public string ItemId { get; set; } = "";
        public string ValueField { get; set; } = "";
        public long RowCount { get; set; }
        public decimal? Total { get; set; }
        public DateTime? LastOccurredAt { get; set; }
    }

    private sealed class ChargebeeGroupRow
    {
        public string SubscriptionId { get; set; } = "";
        public string ItemPriceId { get; set; } = "";
        public DateTime BucketStart { get; set; }
        public long RowCount { get; set; }
        public decimal? Total { get; set; }
        public DateTime? LastOccurredAt { get; set; }
    }
}
