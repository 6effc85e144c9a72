// Harness 1's call generator (docs/testing.md, "Built-in calls"): histories of one table with a column of each of
// a few dozen built-in types, then column defaults, CHECK constraints and views that call built-in functions
// (those of analyzer/model/builtin_functions.inc) over those columns, literals and other calls. PostgreSQL decides
// which calls are valid: each statement is tried first in a transaction rolled back, and only those it accepts are
// kept. The history then goes through the harness (run, shrink) like the DDL generator's: the stored expressions
// (pg_get_expr, pg_get_viewdef) must equal driftguard's printing.
#pragma once

#include <cstdint>
#include <string>

#include "tests/oracle/generator.hpp"

namespace oracle {

struct CallOptions {
  int statements = 24;  // defaults, checks and views kept (tried until this many are accepted, or 12 times as many)
};

// `server`: the superuser conninfo of the test server (tests/pg_server.hpp). `tried` / `kept` count statements.
History generate_calls(std::uint64_t seed, const std::string& server, const CallOptions& o = {}, int* tried = nullptr);

}  // namespace oracle
