# The Debian package `task-service` (CPack DEB): task-server, task-cli, the hardened systemd
# unit, /etc/default/task-server with every setting commented, the bash completion and the
# operations guide. Build it with scripts/package (Release build, then cpack); the ctest
# `package_deb` builds one from the current build tree and checks it. Only the apps are
# installed here: the library's own install rules, if any, live with the library.
include(GNUInstallDirs)

install(TARGETS task-server task-cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT apps)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/systemd/task-server.service
        DESTINATION lib/systemd/system COMPONENT apps)
install(FILES ${PROJECT_SOURCE_DIR}/deploy/debian/task-server.default
        DESTINATION /etc/default RENAME task-server COMPONENT apps)
install(FILES ${PROJECT_SOURCE_DIR}/scripts/completion/task-cli.bash
        DESTINATION share/bash-completion/completions RENAME task-cli COMPONENT apps)
install(FILES ${PROJECT_SOURCE_DIR}/docs/operations.md ${PROJECT_SOURCE_DIR}/docs/api.md
              ${PROJECT_SOURCE_DIR}/docs/cli.md ${PROJECT_SOURCE_DIR}/docs/openapi.json
              ${PROJECT_SOURCE_DIR}/deploy/prometheus/alerts.yml
        DESTINATION share/doc/task-service COMPONENT apps)

set(CPACK_GENERATOR DEB)
# Only the `apps` component goes into the package (whatever else the project installs, e.g. the
# library's headers, stays out of it).
set(CPACK_INSTALL_CMAKE_PROJECTS "${CMAKE_BINARY_DIR};${PROJECT_NAME};apps;/")
set(CPACK_PACKAGE_NAME task-service)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_CONTACT "Task Service maintainers <task-service@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Task Service: per-user tasks and task automation (HTTP API and CLI)")
set(CPACK_PACKAGE_DESCRIPTION "task-server serves the Task Service HTTP API (PostgreSQL or SQLite storage, NATS events, a scheduler); task-cli manages tasks locally or over HTTP. Includes a hardened systemd unit.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION net)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)  # Depends from the binaries' shared libraries
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, tzdata")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "postgresql, nats-server, prometheus")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${PROJECT_SOURCE_DIR}/deploy/debian/conffiles ${PROJECT_SOURCE_DIR}/deploy/debian/postinst
    ${PROJECT_SOURCE_DIR}/deploy/debian/prerm ${PROJECT_SOURCE_DIR}/deploy/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_WARN_ON_ABSOLUTE_INSTALL_DESTINATION OFF)
include(CPack)
