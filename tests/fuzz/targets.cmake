# The libFuzzer targets of tests/fuzz: one source fuzz_<name>.cpp and one seed corpus
# corpus/<name>/ each. Read by tests/fuzz/CMakeLists.txt (the `fuzz` preset builds them) and by
# tests/CMakeLists.txt (ctest runs each for a bounded time).
set(TASK_FUZZ_TARGETS
    requests       # bodies of create / update / from-template / execute
    list_query     # GET /api/v1/tasks query strings and cursors
    schedule       # schedule JSON
    cron           # cron expressions
    rfc3339        # RFC 3339 timestamps
    url_policy     # outbound URLs and the address policy
    jwt            # JWT verification and the identity headers
    account_events # CloudEvents from the account service subscription
    store_rows     # rows read back by the store codec (SQLite)
)
