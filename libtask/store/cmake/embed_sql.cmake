# Writes OUT: a C++ file defining task::store::detail::embedded_migrations(), one entry per
# SQL_DIR/<backend>/NNNN_name.sql, sorted by file name.
file(GLOB files RELATIVE ${SQL_DIR} ${SQL_DIR}/postgres/*.sql ${SQL_DIR}/sqlite/*.sql)
list(SORT files)
set(body "")
foreach(f IN LISTS files)
  file(READ ${SQL_DIR}/${f} text)
  string(FIND "${text}" ")task_sql\"" bad)
  if(NOT bad EQUAL -1)
    message(FATAL_ERROR "${f} contains the raw-string delimiter")
  endif()
  get_filename_component(dir ${f} DIRECTORY)
  get_filename_component(name ${f} NAME_WE)
  string(APPEND body "      {\"${dir}\", \"${name}\", R\"task_sql(${text})task_sql\"},\n")
endforeach()
file(WRITE ${OUT}.tmp "// Generated from sql/ by libtask/store/cmake/embed_sql.cmake. Do not edit.
#include \"migrations.hpp\"

namespace task::store::detail {

const std::vector<EmbeddedMigration>& embedded_migrations() {
  static const std::vector<EmbeddedMigration> all{
${body}  };
  return all;
}

}  // namespace task::store::detail
")
file(COPY_FILE ${OUT}.tmp ${OUT} ONLY_IF_DIFFERENT)
