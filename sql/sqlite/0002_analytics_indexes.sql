-- Analytics and insert cost (docs/performance.md, "Storage"); see sql/postgres/0002. Statements
-- end with ';' at the end of a line (the migration runner splits there).
-- execution_totals of one user: a covering index (same key as before, so it serves the same queries).
DROP INDEX idx_executions_user_started;
CREATE INDEX idx_executions_user_started ON task_executions(user_id, started_at, status, duration_ms, credits_consumed, tokens_used, api_calls_made);
-- Task counts of one user by status and by type: one covering scan (replaces (user_id, status)).
DROP INDEX idx_tasks_user_status;
CREATE INDEX idx_tasks_user_status ON user_tasks(user_id, status, task_type) WHERE deleted_at IS NULL;
-- Only tasks with a reminder enter the reminder index.
DROP INDEX idx_tasks_reminder_due;
CREATE INDEX idx_tasks_reminder_due ON user_tasks(reminder_time) WHERE reminder_time IS NOT NULL AND reminder_sent_at IS NULL AND deleted_at IS NULL;
