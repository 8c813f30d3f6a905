-- Analytics of one user reads that user's quarter hours of execution_rollup (docs/storage.md,
-- "Analytics rollup"). The rows of one user are spread over the table (every user's current
-- quarter hour is written at once), so a 30-day window read 1,100+ heap pages for 2,880 rows.
-- The primary key now carries the aggregates too (INCLUDE): the same read is an index-only scan
-- of ~40 pages (docs/performance.md, "analytics"). Uniqueness and ON CONFLICT still use
-- (user_id, quarter_hour) only. Rebuilding the key locks the table for the rebuild (about a
-- second per 400,000 rollup rows). Statements end with ';' at the end of a line.
ALTER TABLE task.execution_rollup DROP CONSTRAINT execution_rollup_pkey, ADD CONSTRAINT execution_rollup_pkey PRIMARY KEY (user_id, quarter_hour) INCLUDE (executions, successful, failed, duration_sum, duration_count, credits, tokens, api_calls);
