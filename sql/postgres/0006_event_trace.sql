-- The W3C Trace Context of the work that caused an event (the CloudEvents distributed-tracing
-- extension attributes traceparent and tracestate, docs/events.md). NULL for events written
-- before this version or without a trace.
ALTER TABLE task.event_outbox ADD COLUMN traceparent VARCHAR(55);
ALTER TABLE task.event_outbox ADD COLUMN tracestate VARCHAR(512);
