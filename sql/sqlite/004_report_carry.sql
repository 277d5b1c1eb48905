-- UsageBatch schema 4 (SQLite): every final submission is carried by exactly one written report, however many runs
-- die in a row. ub_submission.reported_run_id is the run whose report carries its final outcome; ub_run.report_written_at
-- is when that run's report files were written. A run that ends carries every final submission of its provider account
-- that no written report carries yet (its own, and those finished by runs that died or could not write their report).
-- The applier runs this script once (only scripts above the recorded version run), inside one transaction.

ALTER TABLE ub_submission ADD COLUMN reported_run_id INTEGER;
ALTER TABLE ub_run ADD COLUMN report_written_at TEXT;

-- History: what a finished run settled counts as reported by it when the run wrote its report (every finished
-- outcome but 'dead' and 'skipped' did). What a dead run finished was in no report: the next run carries it.
UPDATE ub_run SET report_written_at = finished_at WHERE status IN ('succeeded', 'attention', 'aborted') AND dry_run = 0;
UPDATE ub_submission SET reported_run_id = owner_run_id
WHERE settled_at IS NOT NULL AND status IN ('confirmed', 'zero', 'rejected', 'held', 'released', 'void');

-- The few submissions not carried yet, per account: what a finishing run looks for.
CREATE INDEX IF NOT EXISTS ix_ub_submission_unreported ON ub_submission (provider_account, reported_run_id) WHERE settled_at IS NOT NULL;
-- Runs whose report is not written (yet): few, whatever the history; what a finishing run looks them up by.
CREATE INDEX IF NOT EXISTS ix_ub_run_report_unwritten ON ub_run (id) WHERE report_written_at IS NULL;

INSERT OR IGNORE INTO ub_schema_version (version, script, applied_at)
VALUES (4, '004_report_carry.sql', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'));
