/*
 * <task/task.h> — the C ABI of libtask (C11; no C++ type crosses it).
 *
 * One opaque handle, `task_service`, opened from a database URL ("memory:", "sqlite:///path",
 * "postgresql://...") and an optional JSON configuration, closed explicitly. Every operation of
 * the service (docs/api.md) takes the caller's user id first and JSON text in and out, with the
 * same field names as the HTTP API. Link `task::c` (CMake) or `-ltask_c`; the Python package
 * `libtask` (bindings/python) sits on exactly these functions.
 *
 *   task_service* svc = NULL;
 *   task_error* err = NULL;
 *   if (task_service_open("sqlite:///tmp/tasks.db", NULL, &svc, &err) != TASK_OK) {
 *     fprintf(stderr, "%s\n", task_error_message(err));
 *     task_error_free(err);
 *     return 1;
 *   }
 *   char* task = NULL;
 *   if (task_create_task(svc, "alice", "{\"name\":\"Buy milk\",\"task_type\":\"todo\"}", &task,
 *                        &err) == TASK_OK) {
 *     puts(task);
 *     task_free(task);
 *   } else {
 *     fprintf(stderr, "%s %s\n", task_code_name(task_error_code(err)), task_error_detail(err));
 *     task_error_free(err);
 *   }
 *   task_service_close(svc);
 *
 * OWNERSHIP. Every `char*` a function returns through an out-parameter is a NUL-terminated UTF-8
 * string allocated by libtask; the caller owns it and frees it with task_free() (never with
 * free()). Every `task_error*` returned through an `error` out-parameter is owned by the caller
 * and freed with task_error_free(). The strings task_error_message() and task_error_detail()
 * return belong to the error and live until it is freed. task_version() and task_code_name()
 * return static strings. Input strings are only read during the call; libtask keeps no pointer
 * to them.
 *
 * ERRORS. Every function that can fail returns a `task_code`: TASK_OK (0) or the kind of error.
 * On failure, when `error` is not NULL, *error receives a new error object (message, JSON
 * detail); on success *error is left unchanged. A result out-parameter is set to NULL first and
 * receives its value only on success; a NULL result pointer is TASK_ERR_INVALID_ARGUMENT,
 * checked before anything is done. Passing error = NULL is allowed: the code alone is then the
 * answer. Under memory exhaustion the code is still returned but *error may be NULL. No C++
 * exception ever crosses this ABI: every entry point catches everything and turns it into a code.
 *
 * THREADS. A `task_service` may be used by any number of threads at once (each call is
 * independent; storage is shared through the store's connection pool), including
 * task_scheduler_step() while the background scheduler runs. task_service_close() must not run
 * concurrently with any other call on the same handle, and the handle is invalid after it. The
 * error and string objects are plain data: free them from any thread.
 */
#ifndef TASK_TASK_H
#define TASK_TASK_H

#if defined(_WIN32)
#define TASK_API
#elif defined(__GNUC__)
#define TASK_API __attribute__((visibility("default")))
#else
#define TASK_API
#endif

/* C++ callers see every function as noexcept: nothing is thrown across this ABI. */
#if defined(__cplusplus)
#define TASK_NOEXCEPT noexcept
#else
#define TASK_NOEXCEPT
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Stable error codes: the values never change and are never reused. Each mirrors one row of the
 * HTTP error table (docs/api.md, "Errors"); task_error_http_status() gives the status. */
typedef enum task_code {
  TASK_OK = 0,
  TASK_ERR_NOT_FOUND = 1,        /* 404: task, template or execution missing or not the caller's */
  TASK_ERR_VALIDATION = 2,       /* 422: invalid input; the detail lists every field */
  TASK_ERR_PERMISSION = 3,       /* 403: "Permission denied" */
  TASK_ERR_UPGRADE_REQUIRED = 4, /* 403: template above the caller's subscription level */
  TASK_ERR_CONFLICT = 5,         /* 409: invalid status transition, or a run already active */
  TASK_ERR_PRECONDITION = 6,     /* 412: if_match is not the task's current ETag */
  TASK_ERR_QUOTA = 7,            /* 429: task or daily execution quota used up */
  TASK_ERR_UNAVAILABLE = 8,      /* 503: storage (or another dependency) cannot be reached */
  TASK_ERR_INTERNAL = 9,         /* 500: anything else (a bug); the message says what */
  TASK_ERR_INVALID_ARGUMENT = 10 /* 400: misuse of this ABI, e.g. NULL where a value is needed */
} task_code;

/* An error: code, one-line message, JSON detail. Opaque; free with task_error_free(). */
typedef struct task_error task_error;

/* A service over one database. Opaque; open with task_service_open(), close with
 * task_service_close(). */
typedef struct task_service task_service;

/* The library version, "MAJOR.MINOR.PATCH" (static string). */
TASK_API const char* task_version(void) TASK_NOEXCEPT;

/* The stable name of a code: "ok", "not_found", "validation", "permission", "upgrade_required",
 * "conflict", "precondition", "quota", "unavailable", "internal", "invalid_argument"; "unknown"
 * for any other value (static string). */
TASK_API const char* task_code_name(task_code code) TASK_NOEXCEPT;

/* The HTTP status the code mirrors (200 for TASK_OK, 500 for an unknown value). */
TASK_API int task_error_http_status(task_code code) TASK_NOEXCEPT;

/* The code of an error (TASK_ERR_INTERNAL for NULL). */
TASK_API task_code task_error_code(const task_error* error) TASK_NOEXCEPT;

/* A one-line message, e.g. "task not found: tsk_..." ("" for NULL). Owned by the error. */
TASK_API const char* task_error_message(const task_error* error) TASK_NOEXCEPT;

/* The error as JSON, the body the HTTP API answers with, e.g.
 * {"detail":[{"loc":["body","name"],"msg":"Field required","type":"missing"}]} for
 * TASK_ERR_VALIDATION, {"detail":"Task not found","task_id":"tsk_..."} for TASK_ERR_NOT_FOUND
 * ("{}" for NULL). Owned by the error. */
TASK_API const char* task_error_detail(const task_error* error) TASK_NOEXCEPT;

/* Frees an error; NULL is allowed. */
TASK_API void task_error_free(task_error* error) TASK_NOEXCEPT;

/* Frees a string returned by libtask; NULL is allowed. */
TASK_API void task_free(char* string) TASK_NOEXCEPT;

/* --- the service ------------------------------------------------------------------------------
 *
 * Opens storage (applies migrations, seeds the built-in templates) and wires the service.
 * `database_url`: "memory:", "sqlite:///path/to/file.db" (the directory is created) or
 * "postgresql://user@host:port/db". `config_json`: NULL or a JSON object of settings named like
 * task-server's flags without the dashes, values as strings, numbers or booleans, e.g.
 * {"workers":4,"nats-url":"nats://127.0.0.1:4222","webhook-allow-private":true,
 *  "log-level":"warn","db-pool":4}. The process environment is not read. Defaults differ from
 * task-server's in two places: "scheduler" is off (start it with task_scheduler_start(), or
 * drive it with task_scheduler_step()) and "log-level" is "warn". An unknown or invalid setting
 * is TASK_ERR_VALIDATION (loc ["config", key]); storage that cannot be opened is
 * TASK_ERR_UNAVAILABLE. On success *service receives the handle. */
TASK_API task_code task_service_open(const char* database_url, const char* config_json,
                                     task_service** service, task_error** error) TASK_NOEXCEPT;

/* Stops the scheduler and the event relay, waits for runs in progress, closes storage and frees
 * the handle. NULL is allowed. Not concurrently with other calls on the same handle. */
TASK_API void task_service_close(task_service* service) TASK_NOEXCEPT;

/* --- operations (docs/api.md); user_id = the caller, never empty --------------------------------
 *
 * `*_json` inputs are JSON text (UTF-8); `query_json` is NULL or a JSON object of query
 * parameters as the HTTP API names them (values: string, number, boolean, or an array of these
 * for a repeated parameter; null = absent). On success *result receives JSON text (see each).
 * "the task" is the task object of the HTTP API plus "etag", the value the HTTP API sends in its
 * ETag header (pass it as if_match). */

/* Creates a task from a body like POST /api/v1/tasks. Result: the task. */
TASK_API task_code task_create_task(task_service* service, const char* user_id,
                                    const char* body_json, char** result,
                                    task_error** error) TASK_NOEXCEPT;

/* The caller's task. Result: the task. */
TASK_API task_code task_get_task(task_service* service, const char* user_id, const char* task_id,
                                 char** result, task_error** error) TASK_NOEXCEPT;

/* One page of the caller's tasks; query like GET /api/v1/tasks (status, task_type, priority,
 * tag, search, due_before, due_after, sort_by, sort_order, limit, offset, cursor). Result:
 * {"tasks":[...],"count":n,"total":n,"limit":n,"offset":n,"next_cursor":"..."|null,
 * "filters":{...}}; pass next_cursor back as "cursor" for the next page. */
TASK_API task_code task_list_tasks(task_service* service, const char* user_id,
                                   const char* query_json, char** result,
                                   task_error** error) TASK_NOEXCEPT;

/* Partial update like PUT /api/v1/tasks/{id}; `if_match` is NULL or the ETag the caller read
 * (TASK_ERR_PRECONDITION when the task changed since). Result: the task as stored. */
TASK_API task_code task_update_task(task_service* service, const char* user_id, const char* task_id,
                                    const char* patch_json, const char* if_match, char** result,
                                    task_error** error) TASK_NOEXCEPT;

/* Soft delete. Result: {"message":"Task deleted successfully","task_id":"..."}. */
TASK_API task_code task_delete_task(task_service* service, const char* user_id, const char* task_id,
                                    char** result, task_error** error) TASK_NOEXCEPT;

/* Runs the task now on the calling thread (a manual run; it returns when the run has ended).
 * `body_json`: NULL or {"trigger_data":{...}}. Result: the execution as stored; a run that
 * failed is a result with "status":"failed", not an error. */
TASK_API task_code task_execute_task(task_service* service, const char* user_id,
                                     const char* task_id, const char* body_json, char** result,
                                     task_error** error) TASK_NOEXCEPT;

/* The task's executions, newest first; query: limit (1-100, default 50), offset. Result:
 * {"executions":[...],"total":n,"limit":n,"offset":n}. */
TASK_API task_code task_get_executions(task_service* service, const char* user_id,
                                       const char* task_id, const char* query_json, char** result,
                                       task_error** error) TASK_NOEXCEPT;

/* Templates at or below the caller's level; query: category, task_type. Result: [...]. */
TASK_API task_code task_list_templates(task_service* service, const char* user_id,
                                       const char* query_json, char** result,
                                       task_error** error) TASK_NOEXCEPT;

/* Creates a task from a template, body like POST /api/v1/tasks/from-template
 * ({"template_id":"...","name":"...","config":{...}}). Result: the task. */
TASK_API task_code task_create_from_template(task_service* service, const char* user_id,
                                             const char* body_json, char** result,
                                             task_error** error) TASK_NOEXCEPT;

/* The caller's analytics; query: days (1-365, default 30), tz (IANA). Result: the analytics. */
TASK_API task_code task_get_analytics(task_service* service, const char* user_id,
                                      const char* query_json, char** result,
                                      task_error** error) TASK_NOEXCEPT;

/* --- the scheduler ------------------------------------------------------------------------------
 *
 * For hosts that drive time themselves: one synchronous round on the calling thread at `now`
 * (RFC 3339 text, e.g. "2026-12-01T09:00:00Z"; NULL = the current time): fires due reminders,
 * claims the due tasks and runs each to completion. Result (may be NULL if not wanted):
 * {"claimed":n,"runs":n,"reminders":n}. A bad `now` is TASK_ERR_VALIDATION. */
TASK_API task_code task_scheduler_step(task_service* service, const char* now, char** result,
                                       task_error** error) TASK_NOEXCEPT;

/* Starts the background scheduler (its own threads, the system clock). Idempotent. */
TASK_API task_code task_scheduler_start(task_service* service, task_error** error) TASK_NOEXCEPT;

/* Stops the background scheduler, waiting for the runs in progress. Idempotent; after it,
 * task_scheduler_start() starts it again. */
TASK_API task_code task_scheduler_stop(task_service* service, task_error** error) TASK_NOEXCEPT;

/* 1 while the background scheduler runs, 0 otherwise (and for NULL). */
TASK_API int task_scheduler_running(const task_service* service) TASK_NOEXCEPT;

#ifdef __cplusplus
}
#endif

#endif /* TASK_TASK_H */
