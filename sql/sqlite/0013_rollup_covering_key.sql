-- Analytics of one user reads that user's quarter hours of execution_rollup (docs/storage.md,
-- "Analytics rollup"). An index holding the aggregates too lets SQLite answer that read from the
-- index alone (a covering index) instead of one table lookup per quarter hour; PostgreSQL's
-- primary key gets the same columns (INCLUDE). Statements end with ';' at the end of a line.
CREATE INDEX idx_execution_rollup_cover ON execution_rollup(user_id, quarter_hour, executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls);
