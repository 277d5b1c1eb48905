-- UsageBatch schema 2 (SQL Server): the job's own tables (runs, the submission ledger, its events, row
-- exceptions, the installation id, the run guard). Re-runnable. Run after 001 (see 001's header for how).
-- Times are datetime2(3) UTC. Totals are decimal(38,10): a sum of decimal(28,10) rows needs the headroom.

SET QUOTED_IDENTIFIER ON;
SET ANSI_NULLS ON;
SET XACT_ABORT ON;
GO

-- One row per installation: the prefix of every Chargebee usage id this database ever sends.
IF OBJECT_ID(N'[$(Schema)].ub_installation', N'U') IS NULL
CREATE TABLE [$(Schema)].ub_installation (
    id              int          NOT NULL CONSTRAINT PK_ub_installation PRIMARY KEY CONSTRAINT CK_ub_installation_single CHECK (id = 1),
    installation_id varchar(36)  NOT NULL,
    usage_id_prefix varchar(20)  COLLATE Latin1_General_100_BIN2 NOT NULL,
    created_at      datetime2(3) NOT NULL
);
GO

-- One row per run of a job. A run is alive while status = 'running' and lease_until is in the future.
IF OBJECT_ID(N'[$(Schema)].ub_run', N'U') IS NULL
CREATE TABLE [$(Schema)].ub_run (
    id               bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_ub_run PRIMARY KEY CLUSTERED,
    job              nvarchar(200) NOT NULL,
    provider_account nvarchar(200) NOT NULL,
    usage_table      varchar(50)   NOT NULL,
    status           varchar(10)   NOT NULL
                     CONSTRAINT CK_ub_run_status CHECK (status IN ('running', 'succeeded', 'attention', 'aborted', 'dead')),
    dry_run          bit           NOT NULL CONSTRAINT DF_ub_run_dry_run DEFAULT 0,
    scheduled_at     datetime2(3)  NOT NULL,
    cutoff           datetime2(3)  NOT NULL,
    started_at       datetime2(3)  NOT NULL,
    finished_at      datetime2(3)  NULL,
    lease_until      datetime2(3)  NOT NULL,
    host             nvarchar(256) NOT NULL,
    process_id       int           NOT NULL,
    exit_code        int           NULL,
    message          nvarchar(max) NULL,
    summary_json     nvarchar(max) NULL
);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_run') AND name = N'ix_ub_run_job')
CREATE NONCLUSTERED INDEX ix_ub_run_job ON [$(Schema)].ub_run (job, id);
GO

-- Recovery looks for live runs by status and lease.
IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_run') AND name = N'ix_ub_run_running')
CREATE NONCLUSTERED INDEX ix_ub_run_running ON [$(Schema)].ub_run (lease_until) WHERE status = 'running';
GO

-- The submission ledger: one row per group per run, written (status 'preparing' -> 'prepared') before anything
-- is sent. Its id is the deterministic idempotency key (Chargebee usage id = prefix + id). created_run_id never
-- changes; owner_run_id moves to the run that recovers it. row_ids is the snapshot of the rows it covered.
IF OBJECT_ID(N'[$(Schema)].ub_submission', N'U') IS NULL
CREATE TABLE [$(Schema)].ub_submission (
    id                  bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_ub_submission PRIMARY KEY CLUSTERED,
    created_run_id      bigint        NOT NULL,
    owner_run_id        bigint        NOT NULL,
    job                 nvarchar(200) NOT NULL,
    provider_account    nvarchar(200) NOT NULL,
    usage_table         varchar(50)   NOT NULL,
    customer_field      varchar(50)   NOT NULL,
    customer_id         nvarchar(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    item_field          varchar(50)   NOT NULL,
    item_id             nvarchar(200) COLLATE Latin1_General_100_BIN2 NOT NULL,
    value_field         varchar(20)   NOT NULL,
    bucket_start        datetime2(3)  NULL,
    bucket_end          datetime2(3)  NULL,
    usage_date          datetime2(3)  NULL,
    usage_id            varchar(200)  COLLATE Latin1_General_100_BIN2 NULL,
    status              varchar(10)   NOT NULL
                        CONSTRAINT CK_ub_submission_status CHECK (status IN ('preparing', 'prepared', 'sent', 'confirmed', 'zero',
                                                                             'rejected', 'held', 'released', 'void')),
    status_reason       nvarchar(max) NULL,
    row_count           int           NOT NULL CONSTRAINT DF_ub_submission_row_count DEFAULT 0,
    total               decimal(38, 10) NOT NULL CONSTRAINT DF_ub_submission_total DEFAULT 0,
    first_occurred_at   datetime2(3)  NULL,
    last_occurred_at    datetime2(3)  NULL,
    row_ids             varchar(max)  NOT NULL CONSTRAINT DF_ub_submission_row_ids DEFAULT '',
    attempts            int           NOT NULL CONSTRAINT DF_ub_submission_attempts DEFAULT 0,
    first_sent_at       datetime2(3)  NULL,
    last_attempt_at     datetime2(3)  NULL,
    provider_usage_id   varchar(200)  COLLATE Latin1_General_100_BIN2 NULL,
    provider_receipt_id varchar(200)  COLLATE Latin1_General_100_BIN2 NULL,
    echoed_total        decimal(38, 10) NULL,
    http_status         int           NULL,
    provider_code       nvarchar(200) NULL,
    created_at          datetime2(3)  NOT NULL,
    updated_at          datetime2(3)  NOT NULL,
    settled_at          datetime2(3)  NULL
);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission') AND name = N'ix_ub_submission_open')
CREATE NONCLUSTERED INDEX ix_ub_submission_open ON [$(Schema)].ub_submission (provider_account, owner_run_id) INCLUDE (status) WHERE settled_at IS NULL;
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission') AND name = N'ix_ub_submission_target')
CREATE NONCLUSTERED INDEX ix_ub_submission_target ON [$(Schema)].ub_submission (provider_account, customer_id, item_id, usage_date) INCLUDE (status);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission') AND name = N'ix_ub_submission_run')
CREATE NONCLUSTERED INDEX ix_ub_submission_run ON [$(Schema)].ub_submission (created_run_id);
GO

-- Append-only history of what each run did to each submission; a run's report reads its own events, so a
-- re-rendered report equals the original.
IF OBJECT_ID(N'[$(Schema)].ub_submission_event', N'U') IS NULL
CREATE TABLE [$(Schema)].ub_submission_event (
    id                  bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_ub_submission_event PRIMARY KEY CLUSTERED,
    submission_id       bigint        NOT NULL,
    run_id              bigint        NOT NULL,
    at                  datetime2(3)  NOT NULL,
    event               varchar(50)   NOT NULL,
    detail              nvarchar(max) NULL,
    provider_usage_id   varchar(200)  NULL,
    provider_receipt_id varchar(200)  NULL,
    echoed_total        decimal(38, 10) NULL,
    http_status         int           NULL,
    provider_code       nvarchar(200) NULL
);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission_event') AND name = N'ix_ub_submission_event_run')
CREATE NONCLUSTERED INDEX ix_ub_submission_event_run ON [$(Schema)].ub_submission_event (run_id, submission_id);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_submission_event') AND name = N'ix_ub_submission_event_submission')
CREATE NONCLUSTERED INDEX ix_ub_submission_event_submission ON [$(Schema)].ub_submission_event (submission_id);
GO

-- Rows a run rejected, held or released, with the reason as the run saw it (the report's exceptions).
IF OBJECT_ID(N'[$(Schema)].ub_row_exception', N'U') IS NULL
CREATE TABLE [$(Schema)].ub_row_exception (
    id            bigint IDENTITY(1, 1) NOT NULL CONSTRAINT PK_ub_row_exception PRIMARY KEY CLUSTERED,
    run_id        bigint        NOT NULL,
    usage_table   varchar(50)   NOT NULL,
    row_id        bigint        NOT NULL,
    source_key    nvarchar(200) NULL,
    submission_id bigint        NULL,
    kind          varchar(10)   NOT NULL CONSTRAINT CK_ub_row_exception_kind CHECK (kind IN ('rejected', 'held', 'released')),
    reason        nvarchar(max) NOT NULL,
    at            datetime2(3)  NOT NULL
);
GO

IF NOT EXISTS (SELECT 1 FROM sys.indexes WHERE object_id = OBJECT_ID(N'[$(Schema)].ub_row_exception') AND name = N'ix_ub_row_exception_run')
CREATE NONCLUSTERED INDEX ix_ub_row_exception_run ON [$(Schema)].ub_row_exception (run_id);
GO

-- The run guard's visible half: which run holds a job. The guard itself is a session-owned sp_getapplock the
-- running process holds on a dedicated connection (released by SQL Server when that process dies); this row
-- records the holder for `status` and for the message of a run that is skipped.
IF OBJECT_ID(N'[$(Schema)].ub_job_lock', N'U') IS NULL
CREATE TABLE [$(Schema)].ub_job_lock (
    job         nvarchar(200) NOT NULL CONSTRAINT PK_ub_job_lock PRIMARY KEY,
    run_id      bigint        NOT NULL,
    lease_until datetime2(3)  NOT NULL
);
GO

IF NOT EXISTS (SELECT 1 FROM [$(Schema)].ub_schema_version WHERE version = 2)
    INSERT INTO [$(Schema)].ub_schema_version (version, script) VALUES (2, N'002_ledger.sql');
GO
