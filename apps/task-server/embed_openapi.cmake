# Writes OUTPUT, a C++ file defining task::server::kOpenApiJson with the text of INPUT.
file(READ ${INPUT} doc)
string(FIND "${doc}" ")OPENAPI\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "openapi.json contains the raw-string delimiter")
endif()
file(WRITE ${OUTPUT}.tmp "// Generated from docs/openapi.json; do not edit.\n#include \"server.hpp\"\nnamespace task::server {\nconst char* const kOpenApiJson = R\"OPENAPI(${doc})OPENAPI\";\n}  // namespace task::server\n")
file(COPY_FILE ${OUTPUT}.tmp ${OUTPUT} ONLY_IF_DIFFERENT)
