-- wrk script for POST /api/v1/tasks: one realistic todo task per request, as user "bench"
-- (run task-server with --default-tier enterprise so the task quota never triggers).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-User-ID"] = "bench"
wrk.body = '{"name":"Benchmark task","task_type":"todo","description":"created by bench/http",' ..
  '"priority":"high","tags":["bench","http"],"metadata":{"source":"wrk"}}'
