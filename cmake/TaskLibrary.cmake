# task_library(<target> <component>): what every libtask library shares — the public include
# directory (the source tree while building, <prefix>/include once installed), the exported name
# (task_core -> task::core), position-independent code (the static archives link into shared
# objects such as libtask_c.so), precompiled headers when it has more than three sources
# (cmake/TaskPch.cmake), a SONAME from the project version when BUILD_SHARED_LIBS=ON, and
# the install rules of its component (library + headers).
# The global property TASK_COMPONENTS lists the components built, in dependency order.

function(task_library target component)
  target_include_directories(
    ${target} PUBLIC $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/include>
                     $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
  set_target_properties(
    ${target}
    PROPERTIES EXPORT_NAME ${component}
               POSITION_INDEPENDENT_CODE ON
               VERSION ${PROJECT_VERSION}
               SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})
  set_property(GLOBAL APPEND PROPERTY TASK_COMPONENTS ${component})
  get_target_property(sources ${target} SOURCES)
  list(LENGTH sources count)
  if(count GREATER 3)
    task_precompile(${target})  # cmake/TaskPch.cmake
  endif()
  if(TASK_INSTALL)
    install(TARGETS ${target} EXPORT task-${component}-targets
            ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT task_development
            LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT task_runtime
                    NAMELINK_COMPONENT task_development
            RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT task_runtime
            INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
    if(EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/include)
      install(DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/include/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
              COMPONENT task_development)
    endif()
    install(EXPORT task-${component}-targets NAMESPACE task::
            FILE task-${component}-targets.cmake
            DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/task COMPONENT task_development)
  endif()
endfunction()
