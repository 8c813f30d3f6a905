-- Idempotency-Key records (docs/api.md §16 and Part 2, "Idempotency keys"): one row per caller
-- and key. completed = 0: the first request is still running, expires_at is its lease;
-- completed = 1: status, body and headers are its response, replayed until expires_at
-- (24 h after the first request). Expired rows count as absent and are pruned in batches.
CREATE TABLE task.idempotency_keys (
    user_id VARCHAR(255) NOT NULL,
    idem_key VARCHAR(255) NOT NULL,
    request_hash VARCHAR(64) NOT NULL,
    owner VARCHAR(64) NOT NULL,
    completed INTEGER NOT NULL DEFAULT 0,
    status INTEGER,
    body TEXT,
    headers TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (user_id, idem_key)
);
CREATE INDEX idx_idempotency_keys_expires ON task.idempotency_keys(expires_at);
