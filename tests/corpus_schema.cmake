# Replays every migration folder of the shared corpus (sql/, supabase/, prisma/) into a schema model: it must finish
# without a crash (exit 0, or 1 for replay errors — Supabase histories reference platform objects such as
# auth.users —, or 2 for the corpus's deliberately unreadable files; a signal or abort is not accepted).
file(GLOB dirs LIST_DIRECTORIES true ${CORPUS}/sql/* ${CORPUS}/supabase/* ${CORPUS}/prisma/*/migrations)
set(count 0)
foreach(dir IN LISTS dirs)
  if(NOT IS_DIRECTORY ${dir})
    continue()
  endif()
  execute_process(COMMAND ${BIN} schema --from migrations:${dir} --format json
    OUTPUT_QUIET ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc MATCHES "^[012]$")
    message(FATAL_ERROR "driftguard schema crashed on ${dir}: ${rc}\n${err}")
  endif()
  math(EXPR count "${count} + 1")
endforeach()
if(count LESS 20)
  message(FATAL_ERROR "only ${count} corpus folders found")
endif()
message(STATUS "replayed ${count} corpus folders")
