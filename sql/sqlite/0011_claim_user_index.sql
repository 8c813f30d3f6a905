-- The fair claim with a backlog (docs/scheduler.md "Fair turns and per-user concurrency"): each
-- user's first due rows of one priority in slot order, one index range per user and priority,
-- and the users themselves by a skip scan over the leading column, instead of sorting every due
-- row on every round. Statements end with ';' at the end of a line.
CREATE INDEX idx_tasks_due_user ON user_tasks(user_id, priority, next_run_time, id) WHERE status = 'scheduled' AND deleted_at IS NULL;
