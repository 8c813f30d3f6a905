-- The scheduler's claim (docs/performance.md, "Scheduler"): due tasks of one priority in slot
-- order, one index range scan per priority (urgent, high, medium, low) instead of sorting every
-- due row by a priority-rank expression. Statements end with ';' at the end of a line.
CREATE INDEX idx_tasks_due_priority ON user_tasks(priority, next_run_time, id) WHERE status = 'scheduled' AND deleted_at IS NULL;
-- Runs whose worker died (status running, lease expired) are looked for in every claim: only
-- running tasks enter this index, so the look is a short range scan, not a scan of the table.
CREATE INDEX idx_tasks_running_lease ON user_tasks(lease_expires_at, id) WHERE status = 'running' AND deleted_at IS NULL;
