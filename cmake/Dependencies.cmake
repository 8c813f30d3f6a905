# Every third-party library, found once and only for the components being built (see
# docs/dependencies.md for why each was chosen, docs/embedding.md for what each component needs).
# The installed package (cmake/taskConfig.cmake.in) finds the same ones for its consumers.
find_package(Threads REQUIRED)
find_package(Boost 1.81 CONFIG REQUIRED COMPONENTS json)
find_package(date CONFIG REQUIRED)

if(TASK_WITH_STORE OR TASK_WITH_EVENTS OR TASK_WITH_CLIENTS OR TASK_WITH_EXECUTORS OR TASK_WITH_APPS
   OR TASK_BUILD_TESTS OR TASK_BUILD_BENCH)
  find_package(PkgConfig REQUIRED)
endif()
# cpp-httplib's pkg-config flags carry -DCPPHTTPLIB_*_SUPPORT: required for ABI compatibility.
if(TASK_WITH_CLIENTS OR TASK_WITH_EXECUTORS OR TASK_WITH_APPS OR TASK_BUILD_TESTS
   OR TASK_BUILD_BENCH)
  pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)
endif()
if(TASK_WITH_CLIENTS OR TASK_WITH_EXECUTORS OR TASK_WITH_APPS)  # clients: request fingerprints
  pkg_check_modules(CRYPTO REQUIRED IMPORTED_TARGET libcrypto)
endif()
if(TASK_WITH_EVENTS OR TASK_BUILD_TESTS OR TASK_BUILD_BENCH)
  pkg_check_modules(NATS REQUIRED IMPORTED_TARGET libnats)
  # Eclipse Paho C (Debian libpaho-mqtt-dev ships a CMake config): the MQTT sink, and the
  # events tests' subscriber. paho-mqtt3a = the asynchronous client without TLS.
  find_package(eclipse-paho-mqtt-c CONFIG REQUIRED)
endif()
if(TASK_WITH_STORE OR TASK_BUILD_TESTS OR TASK_BUILD_BENCH)
  pkg_check_modules(PQ REQUIRED IMPORTED_TARGET libpq)
  pkg_check_modules(SQLITE3 REQUIRED IMPORTED_TARGET sqlite3)
  # SOCI 4.0.3 ships no CMake config and no .pc on Debian: SOCI::core/postgresql/sqlite3.
  include(${CMAKE_CURRENT_LIST_DIR}/task-soci.cmake)
endif()
if(TASK_WITH_APPS)
  find_package(CLI11 CONFIG REQUIRED)
  pkg_check_modules(JWT REQUIRED IMPORTED_TARGET libjwt)
endif()

if(TASK_BUILD_TESTS)
  find_package(Catch2 2 CONFIG REQUIRED)
  include(Catch)
endif()
