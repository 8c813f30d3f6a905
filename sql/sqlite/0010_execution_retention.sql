-- Execution retention (docs/storage.md, "Execution retention"): the pruner deletes executions
-- started before the cutoff in small batches by this index's range, oldest first.
-- While a prune transaction runs it holds a row in execution_pruning, and the rollup's delete
-- trigger of 0005 leaves execution_rollup as it is for those deletes: the rollup keeps the
-- pruned executions, so analytics do not change. Any other delete still subtracts. SQLite has
-- one writer at a time and the row never outlives the prune's transaction, so no other
-- statement's delete sees it. The migration runner does not split a CREATE TRIGGER before END;.
CREATE INDEX idx_executions_started ON task_executions(started_at);
CREATE TABLE execution_pruning (active INTEGER NOT NULL);
DROP TRIGGER execution_rollup_delete;
CREATE TRIGGER execution_rollup_delete AFTER DELETE ON task_executions WHEN NOT EXISTS (SELECT 1 FROM execution_pruning) BEGIN
  INSERT INTO execution_rollup (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls) VALUES (OLD.user_id, ((OLD.started_at - (((OLD.started_at % 900000000) + 900000000) % 900000000)) / 900000000), -1, -(CASE WHEN OLD.status = 'completed' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'failed' THEN 1 ELSE 0 END), -COALESCE(OLD.duration_ms, 0), -(CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END), -OLD.credits_consumed, -COALESCE(OLD.tokens_used, 0), -OLD.api_calls_made)
    ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = executions + excluded.executions, successful = successful + excluded.successful, failed = failed + excluded.failed, duration_sum = duration_sum + excluded.duration_sum, duration_count = duration_count + excluded.duration_count, credits = credits + excluded.credits, tokens = tokens + excluded.tokens, api_calls = api_calls + excluded.api_calls;
END;
