/* Embeds libtask from C through <task/task.h>: opens a SQLite database, creates a todo and a
 * one-off task, runs the todo by hand, drives the scheduler with the host's own clock
 * (task_scheduler_step), lists the executions and shows how an error reads.
 *
 *   cc -std=c11 embed_c.c -ltask_c && ./a.out [DATABASE_URL]   (default sqlite://embed_c.db) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task/task.h>

/* Prints the error and frees it; returns 1 for main's exit code. */
static int report(const char* what, task_error* err) {
  fprintf(stderr, "%s: %s (%s, HTTP %d) %s\n", what, task_error_message(err),
          task_code_name(task_error_code(err)), task_error_http_status(task_error_code(err)),
          task_error_detail(err));
  task_error_free(err);
  return 1;
}

/* The value of "task_id" in a task's JSON (enough for this example; use a JSON parser). */
static void task_id_of(const char* json, char* out, size_t size) {
  const char* p = strstr(json, "\"task_id\":\"");
  size_t n = 0;
  out[0] = '\0';
  if (!p) return;
  p += strlen("\"task_id\":\"");
  while (p[n] && p[n] != '"' && n + 1 < size)
    ++n;
  memcpy(out, p, n);
  out[n] = '\0';
}

int main(int argc, char** argv) {
  const char* url = argc > 1 ? argv[1] : "sqlite://embed_c.db";
  task_service* svc = NULL;
  task_error* err = NULL;
  char* json = NULL;
  char todo[64], once[64];

  printf("libtask %s\n", task_version());
  if (argc <= 1) remove("embed_c.db"); /* start afresh: the basic level allows 20 tasks */
  if (task_service_open(url, "{\"workers\":2}", &svc, &err) != TASK_OK) return report("open", err);

  if (task_create_task(svc, "alice", "{\"name\":\"Buy milk\",\"task_type\":\"todo\"}", &json,
                       &err) != TASK_OK)
    return report("create", err);
  task_id_of(json, todo, sizeof todo);
  task_free(json);

  /* A task that runs once, at 09:00 UTC on 1 March 2030. */
  if (task_create_task(svc, "alice",
                       "{\"name\":\"Renew passport\",\"task_type\":\"reminder\","
                       "\"schedule\":{\"type\":\"once\",\"run_at\":\"2030-03-01T09:00:00Z\"}}",
                       &json, &err) != TASK_OK)
    return report("create", err);
  task_id_of(json, once, sizeof once);
  task_free(json);
  printf("created %s and %s\n", todo, once);

  if (task_execute_task(svc, "alice", todo, NULL, &json, &err) != TASK_OK)
    return report("execute", err);
  printf("manual run: %s\n", strstr(json, "\"status\":\"completed\"") ? "completed" : json);
  task_free(json);

  /* The host owns time: one scheduler round at the moment the one-off task is due. */
  if (task_scheduler_step(svc, "2030-03-01T09:00:00Z", &json, &err) != TASK_OK)
    return report("step", err);
  printf("step at 2030-03-01T09:00:00Z: %s\n", json);
  task_free(json);

  if (task_get_executions(svc, "alice", once, "{\"limit\":5}", &json, &err) != TASK_OK)
    return report("executions", err);
  printf("executions of %s: %s\n", once,
         strstr(json, "\"trigger_type\":\"scheduled\"") ? "one scheduled run" : json);
  task_free(json);

  /* Errors carry a stable code and the HTTP API's JSON body. */
  if (task_get_task(svc, "bob", todo, &json, &err) != TASK_OK) {
    printf("bob reads alice's task: %s %s\n", task_code_name(task_error_code(err)),
           task_error_detail(err));
    task_error_free(err);
  }

  task_service_close(svc);
  return 0;
}
