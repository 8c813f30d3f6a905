# Precompiled headers (TASK_PCH, default OFF; GCC only). Every TU of a target gets the same
# prefix header, compiled once per target: the standard library and Boost.JSON headers nearly
# every TU uses (through task/domain/model.hpp), plus the target's own heavy third-party headers
# (SOCI, cpp-httplib, Catch2). Only headers of other projects go in: they never change while we
# work, so an edit of a project header rebuilds no more than it did without PCH.
# ccache caches PCH builds only with sloppiness pch_defines,time_macros: the top-level
# CMakeLists.txt sets CCACHE_SLOPPINESS in the compiler launcher (no source uses __DATE__ or
# __TIME__). Off with clang (the fuzz preset): clang's .pch records header mtimes, which a
# ccache shared between checkouts would not match. Off in the sanitize preset: that g++ tree
# then also proves every TU includes what it uses (a PCH makes a missing #include compile).
# Default OFF: with a warm ccache (the usual case: CI and a contributor's second build) restoring
# the 125-170 MB .gch files costs more than it saves (docs/dependencies.md, "Build times");
# turn it on for cold builds without ccache.
option(TASK_PCH "Precompiled headers for the libraries, apps and test tiers (GCC)" OFF)
if(TASK_PCH AND NOT CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  message(STATUS "TASK_PCH is for GCC; off for ${CMAKE_CXX_COMPILER_ID}")
  set(TASK_PCH OFF)
endif()

set(TASK_PCH_COMMON
    <algorithm> <chrono> <cstdint> <functional> <map> <memory> <mutex> <optional> <stdexcept>
    <string> <string_view> <utility> <vector> <boost/json.hpp>)

# GCC 12 forgets, for code it reads from a PCH, that the code came from a system header: its
# middle-end false positives inside libstdc++'s inlined std::string code (-Warray-bounds,
# -Wstringop-overflow; the family of GCC bug 105329, for which -Wno-restrict is off already),
# silent without a PCH, then reach -Werror. Rather than turning those warnings off, the few TUs
# where that happens compile without the PCH (absolute paths; full checks everywhere).
set(TASK_PCH_SKIP ${PROJECT_SOURCE_DIR}/libtask/core/src/schedule/cron.cpp)

# task_precompile(<target> [<header>...]): TASK_PCH_COMMON (once) plus the given headers as the
# C++ prefix of the target; the sources in TASK_PCH_SKIP go without. Generated sources of
# embedded data set SKIP_PRECOMPILE_HEADERS themselves. A target of two or three TUs gains
# little: task_library() skips those.
function(task_precompile target)
  if(NOT TASK_PCH)
    return()
  endif()
  get_target_property(common ${target} TASK_PCH_COMMON_SET)
  set(headers ${ARGN})
  if(NOT common)
    set_property(TARGET ${target} PROPERTY TASK_PCH_COMMON_SET ON)
    list(PREPEND headers ${TASK_PCH_COMMON})
  endif()
  list(TRANSFORM headers REPLACE "^(.+)$" "$<$<COMPILE_LANGUAGE:CXX>:\\1>")
  target_precompile_headers(${target} PRIVATE ${headers})
  foreach(source IN LISTS TASK_PCH_SKIP)
    get_target_property(sources ${target} SOURCES)
    if(source IN_LIST sources)
      set_source_files_properties(${source} PROPERTIES SKIP_PRECOMPILE_HEADERS ON)
    endif()
  endforeach()
endfunction()
