# Finds libpg_query (Debian: libpg-query-dev), which ships neither a CMake config nor a pkg-config file.
# Defines the imported target PgQuery::PgQuery.
find_path(PgQuery_INCLUDE_DIR NAMES pg_query.h)
find_library(PgQuery_LIBRARY NAMES pg_query)
# The archive, for DRIFTGUARD_STATIC_DEPS (Debian's libpg-query-dev ships it).
find_library(PgQuery_ARCHIVE NAMES libpg_query.a)
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(PgQuery REQUIRED_VARS PgQuery_LIBRARY PgQuery_INCLUDE_DIR)
if(PgQuery_FOUND AND NOT TARGET PgQuery::PgQuery)
  set(_pg_query_location "${PgQuery_LIBRARY}")
  if(DRIFTGUARD_STATIC_DEPS)
    if(NOT PgQuery_ARCHIVE)
      message(FATAL_ERROR "DRIFTGUARD_STATIC_DEPS: no libpg_query.a (install libpg-query-dev, or -DDRIFTGUARD_STATIC_DEPS=OFF)")
    endif()
    set(_pg_query_location "${PgQuery_ARCHIVE}")
  endif()
  add_library(PgQuery::PgQuery UNKNOWN IMPORTED)
  set_target_properties(PgQuery::PgQuery PROPERTIES
    IMPORTED_LOCATION "${_pg_query_location}"
    INTERFACE_INCLUDE_DIRECTORIES "${PgQuery_INCLUDE_DIR}")
endif()
mark_as_advanced(PgQuery_INCLUDE_DIR PgQuery_LIBRARY PgQuery_ARCHIVE)
