-- Recurring todos (docs/api.md §16): the task's recurrence (a schedule object plus its anchor;
-- NULL for a task that does not repeat) and the completed occurrences, newest first by
-- completed_at.
ALTER TABLE task.user_tasks ADD COLUMN recurrence JSONB;
CREATE TABLE task.task_completions (
    id BIGSERIAL PRIMARY KEY,
    task_id VARCHAR(255) NOT NULL,
    user_id VARCHAR(255) NOT NULL,
    due_date BIGINT,
    completed_at BIGINT NOT NULL
);
CREATE INDEX idx_completions_task ON task.task_completions(task_id, completed_at DESC, id DESC);
