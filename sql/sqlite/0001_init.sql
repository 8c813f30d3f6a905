-- Initial schema (SQLite; no schemas, so plain table names). Timestamps are BIGINT microseconds since the Unix epoch (UTC);
-- see docs/storage.md. Statements end with ';' at the end of a line (the migration runner splits
-- there).
CREATE TABLE user_tasks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id VARCHAR(255) NOT NULL UNIQUE,
    user_id VARCHAR(255) NOT NULL,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    task_type VARCHAR(50) NOT NULL,
    status VARCHAR(50) NOT NULL DEFAULT 'pending',
    priority VARCHAR(20) NOT NULL DEFAULT 'medium',
    config TEXT NOT NULL DEFAULT '{}',
    schedule TEXT,
    credits_per_run REAL NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    next_run_time BIGINT,
    last_run_time BIGINT,
    last_success_time BIGINT,
    last_error TEXT,
    last_result TEXT,
    run_count BIGINT NOT NULL DEFAULT 0,
    success_count BIGINT NOT NULL DEFAULT 0,
    failure_count BIGINT NOT NULL DEFAULT 0,
    total_credits_consumed REAL NOT NULL DEFAULT 0,
    due_date BIGINT,
    reminder_time BIGINT,
    is_completed INTEGER NOT NULL DEFAULT 0,
    completed_at BIGINT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    deleted_at BIGINT,
    version BIGINT NOT NULL DEFAULT 1,
    lease_owner VARCHAR(255),
    lease_expires_at BIGINT,
    reminder_sent_at BIGINT
);
CREATE INDEX idx_tasks_user_created ON user_tasks(user_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX idx_tasks_user_status ON user_tasks(user_id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_tasks_scheduled_due ON user_tasks(next_run_time) WHERE status = 'scheduled' AND deleted_at IS NULL;
CREATE INDEX idx_tasks_reminder_due ON user_tasks(reminder_time) WHERE reminder_sent_at IS NULL AND deleted_at IS NULL;

CREATE TABLE task_executions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    execution_id VARCHAR(255) NOT NULL UNIQUE,
    task_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    status VARCHAR(50) NOT NULL,
    trigger_type VARCHAR(50) NOT NULL DEFAULT 'manual',
    trigger_data TEXT NOT NULL DEFAULT '{}',
    scheduled_for BIGINT,
    result TEXT,
    error_message TEXT,
    error_details TEXT,
    credits_consumed REAL NOT NULL DEFAULT 0,
    tokens_used BIGINT,
    api_calls_made BIGINT NOT NULL DEFAULT 0,
    duration_ms BIGINT,
    started_at BIGINT NOT NULL,
    completed_at BIGINT,
    created_at BIGINT NOT NULL
);
CREATE INDEX idx_executions_task_started ON task_executions(task_id, started_at DESC, id DESC);
CREATE INDEX idx_executions_user_started ON task_executions(user_id, started_at);
CREATE UNIQUE INDEX idx_executions_slot ON task_executions(task_id, scheduled_for);

CREATE TABLE task_templates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    template_id VARCHAR(255) NOT NULL UNIQUE,
    name VARCHAR(255) NOT NULL,
    description TEXT,
    category VARCHAR(100) NOT NULL,
    task_type VARCHAR(50) NOT NULL,
    default_config TEXT NOT NULL DEFAULT '{}',
    required_fields TEXT NOT NULL DEFAULT '[]',
    optional_fields TEXT NOT NULL DEFAULT '[]',
    config_schema TEXT NOT NULL DEFAULT '{}',
    required_subscription_level VARCHAR(50) NOT NULL DEFAULT 'free',
    credits_per_run REAL NOT NULL DEFAULT 0,
    tags TEXT NOT NULL DEFAULT '[]',
    metadata TEXT NOT NULL DEFAULT '{}',
    is_active INTEGER NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX idx_templates_category ON task_templates(category, name);

CREATE TABLE event_outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    event_id VARCHAR(255) NOT NULL UNIQUE,
    type VARCHAR(100) NOT NULL,
    task_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    time BIGINT NOT NULL,
    data TEXT NOT NULL DEFAULT '{}',
    published_at BIGINT
);
CREATE INDEX idx_outbox_unpublished ON event_outbox(seq) WHERE published_at IS NULL;
CREATE INDEX idx_outbox_published ON event_outbox(published_at) WHERE published_at IS NOT NULL;

CREATE TABLE user_levels (
    user_id VARCHAR(255) PRIMARY KEY,
    level VARCHAR(50) NOT NULL,
    changed_at BIGINT NOT NULL
);
