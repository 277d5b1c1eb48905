-- UsageBatch schema 1 (SQLite): the usage tables DBAs seed. Re-runnable.
-- Decimals are TEXT holding a plain invariant-culture decimal ('-12.5'): SQLite's REAL/DECIMAL affinity
-- would silently turn them into binary floating point. occurred_at is TEXT 'YYYY-MM-DDTHH:MM:SS[.fff]Z' (UTC);
-- it is nullable so a row without it is rejected with a reason instead of refused at insert.

CREATE TABLE IF NOT EXISTS whop_usage (
    id                      INTEGER PRIMARY KEY,
    source_key              TEXT    NOT NULL UNIQUE,
    company_id              TEXT,
    membership_id           TEXT,
    billing_item_id         TEXT,
    billing_item_identifier TEXT,
    amount                  TEXT,
    quantity                TEXT,
    occurred_at             TEXT,
    billing_status          TEXT    NOT NULL DEFAULT 'pending'
                                    CHECK (billing_status IN ('pending', 'claimed', 'billed', 'rejected', 'held')),
    billing_run_id          INTEGER,
    billing_submission_id   INTEGER,
    provider_usage_id       TEXT,
    provider_receipt_id     TEXT,
    billed_at               TEXT,
    billing_attempts        INTEGER NOT NULL DEFAULT 0,
    billing_error           TEXT
);

-- Partial index: only pending rows are indexed for the scan and the claim. An ordinary index keyed on
-- billing_status would be rewritten by every write-back (measured: 26.7 s vs 5.7 s at 1M rows).
CREATE INDEX IF NOT EXISTS ix_whop_usage_pending
    ON whop_usage (membership_id, company_id, billing_item_id, billing_item_identifier, occurred_at)
    WHERE billing_status = 'pending';

-- Settling finds a submission's rows by this.
CREATE INDEX IF NOT EXISTS ix_whop_usage_submission ON whop_usage (billing_submission_id);

CREATE TABLE IF NOT EXISTS chargebee_usage (
    id                      INTEGER PRIMARY KEY,
    source_key              TEXT    NOT NULL UNIQUE,
    subscription_id         TEXT,
    item_price_id           TEXT,
    quantity                TEXT,
    occurred_at             TEXT,
    note                    TEXT,
    billing_status          TEXT    NOT NULL DEFAULT 'pending'
                                    CHECK (billing_status IN ('pending', 'claimed', 'billed', 'rejected', 'held')),
    billing_run_id          INTEGER,
    billing_submission_id   INTEGER,
    provider_usage_id       TEXT,
    provider_receipt_id     TEXT,
    billed_at               TEXT,
    billing_attempts        INTEGER NOT NULL DEFAULT 0,
    billing_error           TEXT
);

CREATE INDEX IF NOT EXISTS ix_chargebee_usage_pending
    ON chargebee_usage (subscription_id, item_price_id, occurred_at)
    WHERE billing_status = 'pending';

CREATE INDEX IF NOT EXISTS ix_chargebee_usage_submission ON chargebee_usage (billing_submission_id);

CREATE TABLE IF NOT EXISTS ub_schema_version (
    version    INTEGER PRIMARY KEY,
    script     TEXT NOT NULL,
    applied_at TEXT NOT NULL
);

INSERT OR IGNORE INTO ub_schema_version (version, script, applied_at)
VALUES (1, '001_usage_tables.sql', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
