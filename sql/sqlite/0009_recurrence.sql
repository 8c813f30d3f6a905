-- Recurring todos (docs/api.md §16): the task's recurrence (a schedule object plus its anchor;
-- NULL for a task that does not repeat) and the completed occurrences, newest first by
-- completed_at.
ALTER TABLE user_tasks ADD COLUMN recurrence TEXT;
CREATE TABLE task_completions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    due_date BIGINT,
    completed_at BIGINT NOT NULL
);
CREATE INDEX idx_completions_task ON task_completions(task_id, completed_at DESC, id DESC);
