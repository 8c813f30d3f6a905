-- Analytics and insert cost (docs/performance.md, "Storage"). Statements end with ';' at the end of
-- a line (the migration runner splits there).
-- execution_totals of one user: executions in (user_id, quarter hour) order, covering every column
-- the aggregate reads, so it is one index-only range scan grouped without a sort or hash table.
-- The expression must stay identical to kQuarterHour in libtask/store/src/sql_repository_other.cpp
-- (floor(started_at / 15 min) in microseconds, also before 1970).
CREATE INDEX idx_executions_user_quarter ON task.task_executions(user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000)) INCLUDE (started_at, status, duration_ms, credits_consumed, tokens_used, api_calls_made);
-- Task counts of one user by status and by type: one index-only scan (replaces (user_id, status)).
DROP INDEX task.idx_tasks_user_status;
CREATE INDEX idx_tasks_user_status ON task.user_tasks(user_id, status, task_type) WHERE deleted_at IS NULL;
-- Only tasks with a reminder enter the reminder index (one index entry less per task insert);
-- `reminder_time <= $now` implies NOT NULL, so the due-reminder query still uses it.
DROP INDEX task.idx_tasks_reminder_due;
CREATE INDEX idx_tasks_reminder_due ON task.user_tasks(reminder_time) WHERE reminder_time IS NOT NULL AND reminder_sent_at IS NULL AND deleted_at IS NULL;
