-- Analytics rollup (docs/performance.md, "Analytics rollup"): per user and UTC quarter hour, the
-- aggregates execution_totals reads, kept up to date by triggers in the same transaction as every
-- INSERT, UPDATE and DELETE of task_executions, so a window costs O(quarter hours) to read instead
-- of O(executions). The quarter-hour expression is kQuarterHour of libtask/store/src (floor of
-- started_at / 15 min in microseconds, also before 1970). Back-fills the rows already there.
-- SQLite: row-level triggers; credits is REAL, so after updates its sums may differ from a fresh
-- SUM over the rows in the last bits (docs/performance.md). The migration runner does not split a
-- CREATE TRIGGER before its END;.
CREATE TABLE execution_rollup (
    user_id VARCHAR(255) NOT NULL,
    quarter_hour BIGINT NOT NULL,
    executions BIGINT NOT NULL,
    successful BIGINT NOT NULL,
    failed BIGINT NOT NULL,
    duration_sum BIGINT NOT NULL,
    duration_count BIGINT NOT NULL,
    credits REAL NOT NULL,
    tokens BIGINT NOT NULL,
    api_calls BIGINT NOT NULL,
    PRIMARY KEY (user_id, quarter_hour)
);
INSERT INTO execution_rollup (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls) SELECT user_id, ((started_at - (((started_at % 900000000) + 900000000) % 900000000)) / 900000000), COUNT(*), SUM(CASE WHEN status = 'completed' THEN 1 ELSE 0 END), SUM(CASE WHEN status = 'failed' THEN 1 ELSE 0 END), COALESCE(SUM(duration_ms), 0), COUNT(duration_ms), COALESCE(SUM(credits_consumed), 0), COALESCE(SUM(tokens_used), 0), COALESCE(SUM(api_calls_made), 0) FROM task_executions GROUP BY 1, 2;
CREATE TRIGGER execution_rollup_insert AFTER INSERT ON task_executions BEGIN
  INSERT INTO execution_rollup (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls) VALUES (NEW.user_id, ((NEW.started_at - (((NEW.started_at % 900000000) + 900000000) % 900000000)) / 900000000), 1, (CASE WHEN NEW.status = 'completed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'failed' THEN 1 ELSE 0 END), COALESCE(NEW.duration_ms, 0), (CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END), NEW.credits_consumed, COALESCE(NEW.tokens_used, 0), NEW.api_calls_made)
    ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = executions + excluded.executions, successful = successful + excluded.successful, failed = failed + excluded.failed, duration_sum = duration_sum + excluded.duration_sum, duration_count = duration_count + excluded.duration_count, credits = credits + excluded.credits, tokens = tokens + excluded.tokens, api_calls = api_calls + excluded.api_calls;
END;
CREATE TRIGGER execution_rollup_update AFTER UPDATE OF user_id, status, duration_ms, credits_consumed, tokens_used, api_calls_made, started_at ON task_executions BEGIN
  INSERT INTO execution_rollup (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls) VALUES (OLD.user_id, ((OLD.started_at - (((OLD.started_at % 900000000) + 900000000) % 900000000)) / 900000000), -1, -(CASE WHEN OLD.status = 'completed' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'failed' THEN 1 ELSE 0 END), -COALESCE(OLD.duration_ms, 0), -(CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END), -OLD.credits_consumed, -COALESCE(OLD.tokens_used, 0), -OLD.api_calls_made)
    ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = executions + excluded.executions, successful = successful + excluded.successful, failed = failed + excluded.failed, duration_sum = duration_sum + excluded.duration_sum, duration_count = duration_count + excluded.duration_count, credits = credits + excluded.credits, tokens = tokens + excluded.tokens, api_calls = api_calls + excluded.api_calls;
  INSERT INTO execution_rollup (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls) VALUES (NEW.user_id, ((NEW.started_at - (((NEW.started_at % 900000000) + 900000000) % 900000000)) / 900000000), 1, (CASE WHEN NEW.status = 'completed' THEN 1 ELSE 0 END), (CASE WHEN NEW.status = 'failed' THEN 1 ELSE 0 END), COALESCE(NEW.duration_ms, 0), (CASE WHEN NEW.duration_ms IS NULL THEN 0 ELSE 1 END), NEW.credits_consumed, COALESCE(NEW.tokens_used, 0), NEW.api_calls_made)
    ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = executions + excluded.executions, successful = successful + excluded.successful, failed = failed + excluded.failed, duration_sum = duration_sum + excluded.duration_sum, duration_count = duration_count + excluded.duration_count, credits = credits + excluded.credits, tokens = tokens + excluded.tokens, api_calls = api_calls + excluded.api_calls;
END;
CREATE TRIGGER execution_rollup_delete AFTER DELETE ON task_executions BEGIN
  INSERT INTO execution_rollup (user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls) VALUES (OLD.user_id, ((OLD.started_at - (((OLD.started_at % 900000000) + 900000000) % 900000000)) / 900000000), -1, -(CASE WHEN OLD.status = 'completed' THEN 1 ELSE 0 END), -(CASE WHEN OLD.status = 'failed' THEN 1 ELSE 0 END), -COALESCE(OLD.duration_ms, 0), -(CASE WHEN OLD.duration_ms IS NULL THEN 0 ELSE 1 END), -OLD.credits_consumed, -COALESCE(OLD.tokens_used, 0), -OLD.api_calls_made)
    ON CONFLICT (user_id, quarter_hour) DO UPDATE SET executions = executions + excluded.executions, successful = successful + excluded.successful, failed = failed + excluded.failed, duration_sum = duration_sum + excluded.duration_sum, duration_count = duration_count + excluded.duration_count, credits = credits + excluded.credits, tokens = tokens + excluded.tokens, api_calls = api_calls + excluded.api_calls;
END;
