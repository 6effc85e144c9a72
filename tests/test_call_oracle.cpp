// Harness 1 on generated built-in calls (tests/oracle/calls.hpp, docs/testing.md "Built-in calls"): defaults,
// checks, policies and views calling built-in functions over columns of many types, applied to PostgreSQL 15 and
// replayed; the stored expressions must print the same. Fixed seed, a bounded count; the long run is
// `driftguard_fuzz_model calls SECONDS [SEED]`.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>

#include "tests/oracle/calls.hpp"
#include "tests/oracle/harness.hpp"
#include "tests/pg_server.hpp"

TEST_CASE("generated built-in calls: the replay prints them as PostgreSQL stores them", "[oracle][pg][functions]") {
  const std::string& server = dgtest::pg::server();
  constexpr std::uint64_t kSeed = 20261407;
  int n = 6;
  if (const char* v = std::getenv("DRIFTGUARD_CALL_HISTORIES"); v != nullptr && *v != '\0') n = std::atoi(v);
  int statements = 0, tried = 0, disagreeing = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < n; ++i) {
    std::uint64_t seed = kSeed + static_cast<std::uint64_t>(i);
    oracle::History h = oracle::generate_calls(seed, server, {}, &tried);
    oracle::Outcome o = oracle::run(h, server);
    statements += o.statements_applied;
    if (o.agree()) continue;
    ++disagreeing;
    std::string cls = *o.classes().begin();
    oracle::History small = oracle::shrink(h, server, cls);
    FAIL_CHECK("seed " << seed << ": " << cls << "; minimal reproducer:\n"
                       << oracle::reproducer(small, oracle::run(small, server)));
    if (disagreeing >= 3) break;  // each shrink costs many runs
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(n << " histories, " << statements << " statements applied of " << tried << " tried, " << secs << " s");
  CHECK(disagreeing == 0);
  // PostgreSQL accepted enough of the generated statements for the histories to say something
  CHECK(statements >= n * 20);
}
