# Install rules of the whole package (the per-library rules are in TaskLibrary.cmake): the CMake
# package `task` (find_package(task 0.2 REQUIRED COMPONENTS core store) -> task::core, ...) and
# libtask.pc. Both are relocatable: they find their files relative to where they are installed.
include(CMakePackageConfigHelpers)

get_property(TASK_INSTALLED_COMPONENTS GLOBAL PROPERTY TASK_COMPONENTS)
set(TASK_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/task)
set(TASK_RUNTIME_REQUIRES core memory events clients)
foreach(area store executors)
  if(${area} IN_LIST TASK_INSTALLED_COMPONENTS)
    list(APPEND TASK_RUNTIME_REQUIRES ${area})
  endif()
endforeach()
# libtask_c.so carries the C++ libraries inside it, unless they are shared libraries themselves.
set(TASK_C_REQUIRES "")
if(BUILD_SHARED_LIBS)
  set(TASK_C_REQUIRES runtime)
endif()
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/taskConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/taskConfig.cmake
                              INSTALL_DESTINATION ${TASK_CMAKE_DIR})
# 0.x: a minor release may change the API, so 0.2 accepts 0.2.*, not 0.3.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/taskConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/taskConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/taskConfigVersion.cmake
              ${CMAKE_CURRENT_LIST_DIR}/task-soci.cmake
        DESTINATION ${TASK_CMAKE_DIR} COMPONENT task_development)

# libtask.pc: every C++ component built, in link order, with what the archives need.
set(TASK_PC_LIBS "")
set(TASK_PC_REQUIRES "")
set(TASK_PC_OTHER "-lboost_json -lboost_container -ldate-tz -pthread")
foreach(c IN LISTS TASK_INSTALLED_COMPONENTS)
  if(NOT c STREQUAL "c")
    string(PREPEND TASK_PC_LIBS "-ltask_${c} ")
  endif()
endforeach()
if(store IN_LIST TASK_INSTALLED_COMPONENTS)
  list(APPEND TASK_PC_REQUIRES libpq sqlite3)
  string(PREPEND TASK_PC_OTHER "-lsoci_postgresql -lsoci_sqlite3 -lsoci_core -ldl ")
endif()
if(events IN_LIST TASK_INSTALLED_COMPONENTS)
  list(APPEND TASK_PC_REQUIRES libnats)
endif()
if(clients IN_LIST TASK_INSTALLED_COMPONENTS OR executors IN_LIST TASK_INSTALLED_COMPONENTS)
  list(APPEND TASK_PC_REQUIRES cpp-httplib libcrypto)
endif()
list(JOIN TASK_PC_REQUIRES " " TASK_PC_REQUIRES)
# The date library's configuration macros (USE_OS_TZDB, ...) must match the library's build.
set(TASK_PC_CFLAGS "")
foreach(dep date::date date::date-tz Boost::json)
  if(NOT TARGET ${dep})
    continue()
  endif()
  get_target_property(defs ${dep} INTERFACE_COMPILE_DEFINITIONS)
  foreach(d IN LISTS defs)
    if(d AND NOT " ${TASK_PC_CFLAGS} " MATCHES " -D${d} ")
      string(APPEND TASK_PC_CFLAGS " -D${d}")
    endif()
  endforeach()
endforeach()
# Static archives (the default) need their dependencies on every link; shared libraries only on
# static links.
if(BUILD_SHARED_LIBS)
  set(TASK_PC_REQUIRES_FIELD "Requires.private")
  set(TASK_PC_LIBS_PRIVATE "Libs.private: ${TASK_PC_OTHER}")
else()
  set(TASK_PC_REQUIRES_FIELD "Requires")
  string(APPEND TASK_PC_LIBS " ${TASK_PC_OTHER}")
  set(TASK_PC_LIBS_PRIVATE "")
endif()
file(RELATIVE_PATH TASK_PC_PREFIX_REL /${CMAKE_INSTALL_LIBDIR}/pkgconfig /)
string(REGEX REPLACE "/$" "" TASK_PC_PREFIX_REL "${TASK_PC_PREFIX_REL}")
configure_file(${CMAKE_CURRENT_LIST_DIR}/libtask.pc.in ${CMAKE_CURRENT_BINARY_DIR}/libtask.pc @ONLY)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/libtask.pc
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT task_development)
