/* The C ABI, tested from C11 (compiled with -std=c11 -Wall -Wextra -Wpedantic -Werror):
 * every operation on memory: and on SQLite, the error codes and their JSON details, inputs that
 * make the C++ side throw (no exception may cross: this program would abort), NULL arguments,
 * a `once` task run through task_scheduler_step(now), and the background scheduler.
 *
 * Usage: c_api_test SCRATCH_DIR   (SQLite files go there) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <task/task.h>

static int failures = 0;
static int checks = 0;

#define CHECK(cond)                                                            \
  do {                                                                         \
    ++checks;                                                                  \
    if (!(cond)) {                                                             \
      ++failures;                                                              \
      fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
    }                                                                          \
  } while (0)

/* Copies the string value of the first "key":"..." in json into out ("" when absent). */
static void field(const char* json, const char* key, char* out, size_t size) {
  char pattern[64];
  const char* p;
  size_t n = 0;
  out[0] = '\0';
  if (!json) return;
  snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
  p = strstr(json, pattern);
  if (!p) return;
  p += strlen(pattern);
  while (*p && *p != '"' && n + 1 < size) {
    if (*p == '\\' && p[1]) ++p; /* a JSON escape: the next character as is */
    out[n++] = *p++;
  }
  out[n] = '\0';
}

static int contains(const char* json, const char* needle) {
  return json && strstr(json, needle) != NULL;
}

/* Expects `code` to be `want` with an error whose detail contains `needle`; frees the error. */
static void expect_error(task_code code, task_error* err, task_code want, const char* needle,
                         int line) {
  ++checks;
  if (code != want || !err || task_error_code(err) != want ||
      (needle && !contains(task_error_detail(err), needle))) {
    ++failures;
    fprintf(stderr, "line %d: want %s (%s), got %s: %s %s\n", line, task_code_name(want),
            needle ? needle : "", task_code_name(code), err ? task_error_message(err) : "(none)",
            err ? task_error_detail(err) : "");
  }
  task_error_free(err);
}
#define EXPECT_ERROR(call, want, needle)          \
  do {                                            \
    task_error* e_ = NULL;                        \
    task_code c_ = (call);                        \
    expect_error(c_, e_, want, needle, __LINE__); \
  } while (0)

/* Calls that must succeed: prints the error otherwise. */
static int ok(task_code code, task_error* err, int line) {
  ++checks;
  if (code == TASK_OK) return 1;
  ++failures;
  fprintf(stderr, "line %d: unexpected %s: %s %s\n", line, task_code_name(code),
          task_error_message(err), task_error_detail(err));
  task_error_free(err);
  return 0;
}
static task_code last_code;
#define OK(call) (last_code = (call), ok(last_code, err, __LINE__))

static void test_codes(void) {
  CHECK(strlen(task_version()) >= 5);
  CHECK(strcmp(task_version(), TASK_EXPECTED_VERSION) == 0);
  CHECK(task_error_http_status(TASK_OK) == 200);
  CHECK(task_error_http_status(TASK_ERR_NOT_FOUND) == 404);
  CHECK(task_error_http_status(TASK_ERR_VALIDATION) == 422);
  CHECK(task_error_http_status(TASK_ERR_PERMISSION) == 403);
  CHECK(task_error_http_status(TASK_ERR_UPGRADE_REQUIRED) == 403);
  CHECK(task_error_http_status(TASK_ERR_CONFLICT) == 409);
  CHECK(task_error_http_status(TASK_ERR_PRECONDITION) == 412);
  CHECK(task_error_http_status(TASK_ERR_QUOTA) == 429);
  CHECK(task_error_http_status(TASK_ERR_UNAVAILABLE) == 503);
  CHECK(task_error_http_status(TASK_ERR_INTERNAL) == 500);
  CHECK(task_error_http_status(TASK_ERR_INVALID_ARGUMENT) == 400);
  CHECK(strcmp(task_code_name(TASK_ERR_QUOTA), "quota") == 0);
  CHECK(strcmp(task_code_name((task_code)99), "unknown") == 0);
  CHECK(task_error_code(NULL) == TASK_ERR_INTERNAL);
  CHECK(strcmp(task_error_message(NULL), "") == 0);
  CHECK(strcmp(task_error_detail(NULL), "{}") == 0);
  task_error_free(NULL);
  task_free(NULL);
  task_service_close(NULL);
  CHECK(task_scheduler_running(NULL) == 0);
}

static void test_open_errors(const char* dir) {
  task_service* svc = (task_service*)0x1;
  char url[512];
  EXPECT_ERROR(task_service_open("ftp://nowhere", NULL, &svc, &e_), TASK_ERR_UNAVAILABLE, NULL);
  CHECK(svc == NULL);
  EXPECT_ERROR(task_service_open("memory:", "{\"no-such-setting\":1}", &svc, &e_),
               TASK_ERR_VALIDATION, "no-such-setting");
  EXPECT_ERROR(task_service_open("memory:", "{\"workers\":\"many\"}", &svc, &e_),
               TASK_ERR_VALIDATION, "config");
  EXPECT_ERROR(task_service_open("memory:", "{\"workers\":1.5}", &svc, &e_), TASK_ERR_VALIDATION,
               "workers");
  EXPECT_ERROR(task_service_open("memory:", "[1,2", &svc, &e_), TASK_ERR_VALIDATION,
               "json_invalid");
  EXPECT_ERROR(task_service_open("memory:", "[1,2]", &svc, &e_), TASK_ERR_VALIDATION, "config");
  EXPECT_ERROR(task_service_open(NULL, NULL, &svc, &e_), TASK_ERR_INVALID_ARGUMENT, NULL);
  EXPECT_ERROR(task_service_open("memory:", NULL, NULL, &e_), TASK_ERR_INVALID_ARGUMENT, NULL);
  /* A database path that cannot be created (its parent is a file). */
  snprintf(url, sizeof url, "sqlite://%s/c_api_file/sub/tasks.db", dir);
  {
    char path[512];
    FILE* f;
    snprintf(path, sizeof path, "%s/c_api_file", dir);
    f = fopen(path, "w");
    if (f) fclose(f);
  }
  EXPECT_ERROR(task_service_open(url, NULL, &svc, &e_), TASK_ERR_UNAVAILABLE, NULL);
  /* error = NULL is allowed: the code alone answers. */
  CHECK(task_service_open("ftp://nowhere", NULL, &svc, NULL) == TASK_ERR_UNAVAILABLE);
}

/* CRUD, listing with filters and a cursor, executions, templates, analytics, errors. */
static void test_operations(task_service* svc, const char* user) {
  task_error* err = NULL;
  char* out = NULL;
  char id[64], id2[64], etag[128], cursor[256], other[80];
  snprintf(other, sizeof other, "%s-other", user);

  if (!OK(task_create_task(svc, user,
                           "{\"name\":\"Buy milk\",\"task_type\":\"todo\",\"priority\":\"high\","
                           "\"tags\":[\"home\"]}",
                           &out, &err)))
    return;
  field(out, "task_id", id, sizeof id);
  CHECK(strncmp(id, "tsk_", 4) == 0);
  CHECK(contains(out, "\"status\":\"pending\""));
  CHECK(contains(out, "\"user_id\":\""));
  task_free(out);

  if (OK(task_get_task(svc, user, id, &out, &err))) {
    CHECK(contains(out, "\"name\":\"Buy milk\""));
    field(out, "etag", etag, sizeof etag);
    task_free(out);
  }
  /* Another user cannot see it. */
  EXPECT_ERROR(task_get_task(svc, other, id, &out, &e_), TASK_ERR_NOT_FOUND, "Task not found");

  if (OK(task_create_task(svc, user, "{\"name\":\"Water plants\",\"task_type\":\"todo\"}", &out,
                          &err))) {
    field(out, "task_id", id2, sizeof id2);
    task_free(out);
  }

  /* Filter by priority; a page of one with a cursor to the next. */
  if (OK(task_list_tasks(svc, user, "{\"priority\":\"high\"}", &out, &err))) {
    CHECK(contains(out, "\"total\":1"));
    CHECK(contains(out, id));
    CHECK(!contains(out, id2));
    task_free(out);
  }
  if (OK(task_list_tasks(svc, user, "{\"limit\":1}", &out, &err))) {
    CHECK(contains(out, "\"count\":1"));
    field(out, "next_cursor", cursor, sizeof cursor);
    CHECK(cursor[0] != '\0');
    task_free(out);
    if (cursor[0]) {
      char query[400];
      snprintf(query, sizeof query, "{\"limit\":1,\"cursor\":\"%s\"}", cursor);
      if (OK(task_list_tasks(svc, user, query, &out, &err))) {
        CHECK(contains(out, "\"count\":1"));
        task_free(out);
      }
    }
  }
  /* Repeated parameter as an array; NULL query = no filter. */
  if (OK(task_list_tasks(svc, user, "{\"tag\":[\"home\"]}", &out, &err))) {
    CHECK(contains(out, id));
    task_free(out);
  }
  if (OK(task_list_tasks(svc, user, NULL, &out, &err))) {
    CHECK(contains(out, "\"total\":2"));
    task_free(out);
  }

  /* Update with the right and a stale ETag. */
  if (OK(task_update_task(svc, user, id, "{\"description\":\"2 litres\"}", etag, &out, &err))) {
    CHECK(contains(out, "\"description\":\"2 litres\""));
    task_free(out);
  }
  EXPECT_ERROR(task_update_task(svc, user, id, "{\"priority\":\"low\"}", etag, &out, &e_),
               TASK_ERR_PRECONDITION, "Precondition failed");
  /* A manual run of the todo, then its executions. */
  if (OK(task_execute_task(svc, user, id, NULL, &out, &err))) {
    CHECK(contains(out, "\"trigger_type\":\"manual\""));
    CHECK(contains(out, "\"status\":\"completed\""));
    task_free(out);
  }
  if (OK(task_get_executions(svc, user, id, "{\"limit\":10}", &out, &err))) {
    CHECK(contains(out, "\"total\":1"));
    CHECK(contains(out, "\"executions\":[{"));
    task_free(out);
  }
  /* Cancelled is terminal: going back is a conflict. */
  if (OK(task_update_task(svc, user, id2, "{\"status\":\"cancelled\"}", NULL, &out, &err)))
    task_free(out);
  EXPECT_ERROR(task_update_task(svc, user, id2, "{\"status\":\"pending\"}", NULL, &out, &e_),
               TASK_ERR_CONFLICT, "Invalid status transition");

  /* Templates: a free one, one above the basic level, a missing one. */
  if (OK(task_list_templates(svc, user, "{\"task_type\":\"todo\"}", &out, &err))) {
    CHECK(contains(out, "tpl_todo"));
    CHECK(!contains(out, "tpl_daily_weather"));
    task_free(out);
  }
  EXPECT_ERROR(
      task_create_from_template(svc, user, "{\"template_id\":\"tpl_price_tracker\"}", &out, &e_),
      TASK_ERR_UPGRADE_REQUIRED, "required_level");
  EXPECT_ERROR(task_create_from_template(svc, user, "{\"template_id\":\"tpl_nope\"}", &out, &e_),
               TASK_ERR_NOT_FOUND, "Template not found");
  if (OK(task_create_from_template(
          svc, user, "{\"template_id\":\"tpl_todo\",\"name\":\"From tpl\"}", &out, &err))) {
    CHECK(contains(out, "\"name\":\"From tpl\""));
    task_free(out);
  }
  if (OK(task_get_analytics(svc, user, "{\"days\":7}", &out, &err))) {
    CHECK(contains(out, "\"total_tasks\":3"));
    CHECK(contains(out, "\"total_executions\":1"));
    task_free(out);
  }

  /* Delete; a second delete and a get are not found. */
  if (OK(task_delete_task(svc, user, id, &out, &err))) {
    CHECK(contains(out, "Task deleted successfully"));
    task_free(out);
  }
  EXPECT_ERROR(task_delete_task(svc, user, id, &out, &e_), TASK_ERR_NOT_FOUND, id);
  EXPECT_ERROR(task_get_task(svc, user, id, &out, &e_), TASK_ERR_NOT_FOUND, "task_id");
  CHECK(out == NULL);
}

/* Inputs that throw inside the C++ service: each must come back as a code. */
static void test_bad_inputs(task_service* svc) {
  char* out = NULL;
  char big[8192];
  int i;
  EXPECT_ERROR(task_create_task(svc, "u-bad", "{\"task_type\":\"todo\"}", &out, &e_),
               TASK_ERR_VALIDATION, "\"loc\":[\"body\",\"name\"]");
  EXPECT_ERROR(task_create_task(svc, "u-bad", "[1,2]", &out, &e_), TASK_ERR_VALIDATION, NULL);
  EXPECT_ERROR(task_create_task(svc, "u-bad", "\"text\"", &out, &e_), TASK_ERR_VALIDATION, NULL);
  EXPECT_ERROR(task_create_task(svc, "u-bad", "{\"name\":", &out, &e_), TASK_ERR_VALIDATION,
               "json_invalid");
  EXPECT_ERROR(task_create_task(svc, "u-bad", "{\"name\":5,\"task_type\":\"nope\"}", &out, &e_),
               TASK_ERR_VALIDATION, "task_type");
  EXPECT_ERROR(task_create_task(svc, "u-bad", NULL, &out, &e_), TASK_ERR_VALIDATION, "missing");
  EXPECT_ERROR(task_create_task(svc, "", "{\"name\":\"x\"}", &out, &e_), TASK_ERR_VALIDATION,
               "user_id");
  /* Nesting deeper than the JSON parser allows. */
  for (i = 0; i < 4000; ++i)
    big[i] = '[';
  big[4000] = '\0';
  EXPECT_ERROR(task_create_task(svc, "u-bad", big, &out, &e_), TASK_ERR_VALIDATION, NULL);
  EXPECT_ERROR(task_create_task(svc, "u-bad",
                                "{\"name\":\"x\",\"task_type\":\"custom\",\"schedule\":"
                                "{\"type\":\"cron\",\"expression\":\"99 * * * *\"}}",
                                &out, &e_),
               TASK_ERR_VALIDATION, "schedule");
  EXPECT_ERROR(task_list_tasks(svc, "u-bad", "{\"limit\":\"many\"}", &out, &e_),
               TASK_ERR_VALIDATION, "limit");
  EXPECT_ERROR(task_list_tasks(svc, "u-bad", "{\"limit\":{\"a\":1}}", &out, &e_),
               TASK_ERR_VALIDATION, "limit");
  EXPECT_ERROR(task_list_tasks(svc, "u-bad", "[1]", &out, &e_), TASK_ERR_VALIDATION, "query");
  EXPECT_ERROR(task_list_tasks(svc, "u-bad", "{\"cursor\":\"not-a-cursor\"}", &out, &e_),
               TASK_ERR_VALIDATION, "cursor");
  EXPECT_ERROR(task_get_analytics(svc, "u-bad", "{\"days\":0}", &out, &e_), TASK_ERR_VALIDATION,
               "days");
  EXPECT_ERROR(task_get_analytics(svc, "u-bad", "{\"tz\":\"Mars/Olympus\"}", &out, &e_),
               TASK_ERR_VALIDATION, "tz");
  EXPECT_ERROR(task_scheduler_step(svc, "yesterday", &out, &e_), TASK_ERR_VALIDATION, "now");
  EXPECT_ERROR(task_execute_task(svc, "u-bad", "tsk_missing", "{\"trigger_data\":7}", &out, &e_),
               TASK_ERR_VALIDATION, NULL);
  EXPECT_ERROR(task_execute_task(svc, "u-bad", "tsk_missing", NULL, &out, &e_), TASK_ERR_NOT_FOUND,
               NULL);
  EXPECT_ERROR(task_update_task(svc, "u-bad", "tsk_missing", "{}", NULL, &out, &e_),
               TASK_ERR_NOT_FOUND, NULL);
  /* NULL where a value is needed. */
  EXPECT_ERROR(task_get_task(NULL, "u", "tsk", &out, &e_), TASK_ERR_INVALID_ARGUMENT, NULL);
  EXPECT_ERROR(task_get_task(svc, NULL, "tsk", &out, &e_), TASK_ERR_INVALID_ARGUMENT, "user_id");
  EXPECT_ERROR(task_get_task(svc, "u", NULL, &out, &e_), TASK_ERR_INVALID_ARGUMENT, "task_id");
  EXPECT_ERROR(
      task_create_task(svc, "u-null", "{\"name\":\"x\",\"task_type\":\"todo\"}", NULL, &e_),
      TASK_ERR_INVALID_ARGUMENT, "result");
  CHECK(out == NULL);
}

static void test_quota(task_service* svc) {
  task_error* err = NULL;
  char* out = NULL;
  int i;
  for (i = 0; i < 20; ++i) /* the basic level allows 20 tasks */
    if (OK(task_create_task(svc, "u-quota", "{\"name\":\"n\",\"task_type\":\"todo\"}", &out, &err)))
      task_free(out);
  EXPECT_ERROR(
      task_create_task(svc, "u-quota", "{\"name\":\"n\",\"task_type\":\"todo\"}", &out, &e_),
      TASK_ERR_QUOTA, "\"limit_type\":\"tasks\"");
}

/* A `once` task run by the host's own clock through task_scheduler_step(now). */
static void test_step(task_service* svc) {
  task_error* err = NULL;
  char* out = NULL;
  char id[64];
  if (!OK(task_create_task(svc, "u-step",
                           "{\"name\":\"Once\",\"task_type\":\"todo\",\"schedule\":"
                           "{\"type\":\"once\",\"run_at\":\"2099-01-01T09:00:00Z\"}}",
                           &out, &err)))
    return;
  field(out, "task_id", id, sizeof id);
  CHECK(contains(out, "\"status\":\"scheduled\""));
  task_free(out);
  if (OK(task_scheduler_step(svc, "2099-01-01T08:59:00Z", &out, &err))) {
    CHECK(contains(out, "\"runs\":0"));
    task_free(out);
  }
  if (OK(task_scheduler_step(svc, "2099-01-01T09:00:01Z", &out, &err))) {
    CHECK(contains(out, "\"runs\":1"));
    task_free(out);
  }
  if (OK(task_get_executions(svc, "u-step", id, NULL, &out, &err))) {
    CHECK(contains(out, "\"total\":1"));
    CHECK(contains(out, "\"trigger_type\":\"scheduled\""));
    CHECK(contains(out, "\"scheduled_for\":\"2099-01-01T09:00:00Z\""));
    task_free(out);
  }
  if (OK(task_get_task(svc, "u-step", id, &out, &err))) {
    CHECK(contains(out, "\"status\":\"completed\""));
    task_free(out);
  }
  /* A step with no result wanted, at the current time. */
  CHECK(OK(task_scheduler_step(svc, NULL, NULL, &err)));
  /* The background loop starts, stops and starts again. */
  CHECK(OK(task_scheduler_start(svc, &err)));
  CHECK(task_scheduler_running(svc) == 1);
  CHECK(OK(task_scheduler_start(svc, &err)));
  CHECK(OK(task_scheduler_stop(svc, &err)));
  CHECK(task_scheduler_running(svc) == 0);
  CHECK(OK(task_scheduler_start(svc, &err)));
  CHECK(task_scheduler_running(svc) == 1);
}

static void test_sqlite_persists(const char* dir) {
  task_error* err = NULL;
  task_service* svc = NULL;
  char* out = NULL;
  char url[512], id[64];
  snprintf(url, sizeof url, "sqlite://%s/c_api_persist.db", dir);
  remove(url + strlen("sqlite://"));
  if (!OK(task_service_open(url, "{\"workers\":2,\"db-pool\":2}", &svc, &err))) return;
  if (OK(task_create_task(svc, "u-persist", "{\"name\":\"Kept\",\"task_type\":\"todo\"}", &out,
                          &err))) {
    field(out, "task_id", id, sizeof id);
    task_free(out);
  }
  task_service_close(svc);
  svc = NULL;
  if (!OK(task_service_open(url, NULL, &svc, &err))) return;
  if (OK(task_get_task(svc, "u-persist", id, &out, &err))) {
    CHECK(contains(out, "\"name\":\"Kept\""));
    task_free(out);
  }
  task_service_close(svc);
}

static void run_all(const char* url, const char* label, const char* dir) {
  task_error* err = NULL;
  task_service* svc = NULL;
  int before = failures;
  if (!OK(task_service_open(url, NULL, &svc, &err))) return;
  test_operations(svc, "alice");
  test_bad_inputs(svc);
  test_quota(svc);
  test_step(svc);
  task_service_close(svc); /* with the background scheduler still running */
  (void)dir;
  printf("%s: %s\n", label, failures == before ? "ok" : "FAILED");
}

int main(int argc, char** argv) {
  char url[512];
  const char* dir = argc > 1 ? argv[1] : "/tmp";
  test_codes();
  test_open_errors(dir);
  run_all("memory:", "memory", dir);
  snprintf(url, sizeof url, "sqlite://%s/c_api_test.db", dir);
  remove(url + strlen("sqlite://"));
  run_all(url, "sqlite", dir);
  test_sqlite_persists(dir);
  printf("%d checks, %d failed\n", checks, failures);
  return failures == 0 ? 0 : 1;
}
