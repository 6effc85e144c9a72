# Lints the whole shared corpus in one run: it must finish without a crash (exit 0 or 1; 2 only for input errors
# such as the corpus's deliberately broken files is accepted too, but a signal or abort is not).
execute_process(COMMAND ${BIN} lint ${CORPUS} --format json --color never
  OUTPUT_FILE ${OUT} ERROR_VARIABLE err RESULT_VARIABLE rc)
if(NOT rc MATCHES "^[012]$")
  message(FATAL_ERROR "driftguard crashed or failed on the corpus: ${rc}\n${err}")
endif()
file(SIZE ${OUT} size)
if(size LESS 1000)
  message(FATAL_ERROR "corpus output is suspiciously small (${size} bytes)")
endif()
message(STATUS "corpus run: exit ${rc}, ${size} bytes of JSON")
