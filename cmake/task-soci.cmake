# SOCI 4.0.3 ships no CMake config and no .pc on Debian: imported targets SOCI::core,
# SOCI::postgresql and SOCI::sqlite3, made by hand. Needs PkgConfig::PQ and PkgConfig::SQLITE3.
# Used by the build and by the installed CMake package (task::store links SOCI privately).
if(NOT TARGET SOCI::core)
  find_path(SOCI_INCLUDE_DIR soci/soci.h REQUIRED)
  find_library(SOCI_CORE_LIBRARY soci_core REQUIRED)
  find_library(SOCI_POSTGRESQL_LIBRARY soci_postgresql REQUIRED)
  find_library(SOCI_SQLITE3_LIBRARY soci_sqlite3 REQUIRED)
  add_library(SOCI::core INTERFACE IMPORTED)
  target_include_directories(SOCI::core INTERFACE ${SOCI_INCLUDE_DIR})
  target_link_libraries(SOCI::core INTERFACE ${SOCI_CORE_LIBRARY} ${CMAKE_DL_LIBS})
  add_library(SOCI::postgresql INTERFACE IMPORTED)
  target_link_libraries(SOCI::postgresql INTERFACE ${SOCI_POSTGRESQL_LIBRARY} SOCI::core PkgConfig::PQ)
  add_library(SOCI::sqlite3 INTERFACE IMPORTED)
  target_link_libraries(SOCI::sqlite3 INTERFACE ${SOCI_SQLITE3_LIBRARY} SOCI::core PkgConfig::SQLITE3)
endif()
