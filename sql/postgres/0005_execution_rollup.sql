-- Analytics rollup (docs/performance.md, "Analytics rollup"): per user and UTC quarter hour, the
-- aggregates execution_totals reads, kept up to date by triggers in the same transaction as every
-- INSERT, UPDATE and DELETE of task_executions, so a window costs O(quarter hours) to read instead
-- of O(executions). The quarter-hour expression is kQuarterHour of libtask/store/src (floor of
-- started_at / 15 min in microseconds, also before 1970). Back-fills the rows already there.
-- PostgreSQL: statement-level triggers over the transition tables, one upsert per statement in
-- (user_id, quarter_hour) order (so concurrent writers lock rollup rows in one order); credits is
-- NUMERIC, so its sums are exact: the same values SUM(CAST(credits_consumed AS NUMERIC)) gives.
-- The migration runner does not split inside $$ ... $$.
CREATE TABLE task.execution_rollup (
    user_id VARCHAR(255) NOT NULL,
    quarter_hour BIGINT NOT NULL,
    executions BIGINT NOT NULL,
    successful BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    duration_sum BIGINT NOT NULL,
    duration_count BIGINT NOT NULL,
    credits NUMERIC NOT NULL,
    tokens BIGINT NOT NULL,
    api_calls BIGINT NOT NULL,
    PRIMARY KEY (user_id, quarter_hour)
);
INSERT INTO task.execution_rollup (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls) SELECT user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000), COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), COALESCE(SUM(duration_ms), 0), COUNT(duration_ms), COALESCE(SUM(CAST(credits_consumed AS NUMERIC)), 0), COALESCE(SUM(tokens_used), 0), COALESCE(SUM(api_calls_made), 0) FROM task.task_executions GROUP BY 1, 2;
CREATE FUNCTION task.execution_rollup_after_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task.execution_rollup AS r (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls)
    SELECT user_id, q, SUM(n), SUM(ok), SUM(bad), SUM(dur), SUM(durn), SUM(cr), SUM(tok), SUM(api) FROM (
      SELECT user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000) AS q, 1 AS n, (CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS ok, (CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS bad, COALESCE(duration_ms, 0) AS dur, (CASE WHEN duration_ms IS NULL THEN 0 ELSE 1 END) AS durn, CAST(credits_consumed AS NUMERIC) AS cr, COALESCE(tokens_used, 0) AS tok, api_calls_made AS api FROM new_rows
    ) d GROUP BY user_id, q
    HAVING SUM(n) <> 0 OR SUM(ok) <> 0 OR SUM(bad) <> 0 OR SUM(dur) <> 0 OR SUM(durn) <> 0 OR SUM(cr) <> 0 OR SUM(tok) <> 0 OR SUM(api) <> 0
    ORDER BY user_id, q
  ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = r.executions + excluded.executions, successful = r.successful + excluded.successful, failed = r.failed + excluded.failed, duration_sum = r.duration_sum + excluded.duration_sum, duration_count = r.duration_count + excluded.duration_count, credits = r.credits + excluded.credits, tokens = r.tokens + excluded.tokens, api_calls = r.api_calls + excluded.api_calls;
  RETURN NULL;
END $$;
CREATE FUNCTION task.execution_rollup_after_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task.execution_rollup AS r (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls)
    SELECT user_id, q, SUM(n), SUM(ok), SUM(bad), SUM(dur), SUM(durn), SUM(cr), SUM(tok), SUM(api) FROM (
      SELECT user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000) AS q, 1 AS n, (CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS ok, (CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS bad, COALESCE(duration_ms, 0) AS dur, (CASE WHEN duration_ms IS NULL THEN 0 ELSE 1 END) AS durn, CAST(credits_consumed AS NUMERIC) AS cr, COALESCE(tokens_used, 0) AS tok, api_calls_made AS api FROM new_rows
      UNION ALL SELECT user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000) AS q, -1 AS n, -(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS ok, -(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS bad, -COALESCE(duration_ms, 0) AS dur, -(CASE WHEN duration_ms IS NULL THEN 0 ELSE 1 END) AS durn, -CAST(credits_consumed AS NUMERIC) AS cr, -COALESCE(tokens_used, 0) AS tok, -api_calls_made AS api FROM old_rows
    ) d GROUP BY user_id, q
    HAVING SUM(n) <> 0 OR SUM(ok) <> 0 OR SUM(bad) <> 0 OR SUM(dur) <> 0 OR SUM(durn) <> 0 OR SUM(cr) <> 0 OR SUM(tok) <> 0 OR SUM(api) <> 0
    ORDER BY user_id, q
  ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = r.executions + excluded.executions, successful = r.successful + excluded.successful, failed = r.failed + excluded.failed, duration_sum = r.duration_sum + excluded.duration_sum, duration_count = r.duration_count + excluded.duration_count, credits = r.credits + excluded.credits, tokens = r.tokens + excluded.tokens, api_calls = r.api_calls + excluded.api_calls;
  RETURN NULL;
END $$;
CREATE FUNCTION task.execution_rollup_after_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO task.execution_rollup AS r (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls)
    SELECT user_id, q, SUM(n), SUM(ok), SUM(bad), SUM(dur), SUM(durn), SUM(cr), SUM(tok), SUM(api) FROM (
      SELECT user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000) AS q, -1 AS n, -(CASE WHEN status = 'completed' THEN 1 ELSE 0 END) AS ok, -(CASE WHEN status = 'failed' THEN 1 ELSE 0 END) AS bad, -COALESCE(duration_ms, 0) AS dur, -(CASE WHEN duration_ms IS NULL THEN 0 ELSE 1 END) AS durn, -CAST(credits_consumed AS NUMERIC) AS cr, -COALESCE(tokens_used, 0) AS tok, -api_calls_made AS api FROM old_rows
    ) d GROUP BY user_id, q
    HAVING SUM(n) <> 0 OR SUM(ok) <> 0 OR SUM(bad) <> 0 OR SUM(dur) <> 0 OR SUM(durn) <> 0 OR SUM(cr) <> 0 OR SUM(tok) <> 0 OR SUM(api) <> 0
    ORDER BY user_id, q
  ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = r.executions + excluded.executions, successful = r.successful + excluded.successful, failed = r.failed + excluded.failed, duration_sum = r.duration_sum + excluded.duration_sum, duration_count = r.duration_count + excluded.duration_count, credits = r.credits + excluded.credits, tokens = r.tokens + excluded.tokens, api_calls = r.api_calls + excluded.api_calls;
  RETURN NULL;
END $$;
CREATE TRIGGER execution_rollup_insert AFTER INSERT ON task.task_executions REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task.execution_rollup_after_insert();
CREATE TRIGGER execution_rollup_update AFTER UPDATE ON task.task_executions REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION task.execution_rollup_after_update();
CREATE TRIGGER execution_rollup_delete AFTER DELETE ON task.task_executions REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION task.execution_rollup_after_delete();
