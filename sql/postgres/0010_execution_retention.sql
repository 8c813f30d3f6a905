-- Execution retention (docs/storage.md, "Execution retention"): the pruner deletes executions
-- started before the cutoff in small batches by this index's range, oldest first.
-- The prune transaction sets task.pruning = 'on' (set_config(..., true): for that transaction
-- only), and the rollup's delete trigger of 0005 then leaves execution_rollup as it is: the
-- rollup keeps the pruned executions, so analytics do not change. Any other delete still
-- subtracts. The migration runner does not split inside $$ ... $$.
CREATE INDEX idx_executions_started ON task.task_executions(started_at);
CREATE OR REPLACE FUNCTION task.execution_rollup_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF current_setting('task.pruning', true) = 'on' THEN
    RETURN NULL;
  END IF;
  INSERT INTO task.execution_rollup AS r (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls)
    SELECT user_id, q, SUM(n), SUM(ok), SUM(bad), SUM(dur), SUM(durn), SUM(cr), SUM(tok), SUM(api) FROM (
      SELECT user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000) AS q, -1 AS n, -(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS ok, -(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS bad, -COALESCE(duration_ms, 0) AS dur, -(CASE WHEN duration_ms IS NULL THEN 0 ELSE 1 END) AS durn, -CAST(credits_consumed AS NUMERIC) AS cr, -COALESCE(tokens_used, 0) AS tok, -api_calls_made AS api FROM old_rows
    ) d GROUP BY user_id, q
    HAVING SUM(n) <> 0 OR SUM(ok) <> 0 OR SUM(bad) <> 0 OR SUM(dur) <> 0 OR SUM(durn) <> 0 OR SUM(cr) <> 0 OR SUM(tok) <> 0 OR SUM(api) <> 0
    ORDER BY user_id, q
  ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = r.executions + excluded.executions, successful = r.successful + excluded.successful, failed = r.failed + excluded.failed, duration_sum = r.duration_sum + excluded.duration_sum, duration_count = r.duration_count + excluded.duration_count, credits = r.credits + excluded.credits, tokens = r.tokens + excluded.tokens, api_calls = r.api_calls + excluded.api_calls;
  RETURN NULL;
END $$;
