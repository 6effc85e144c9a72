// lint --jobs (cli/parse_ahead.hpp): files are parsed ahead on worker threads while the lint walks them in
// migration order; the report must be the same bytes for any number of jobs.
#include <catch2/catch.hpp>

#include <string>

#include "tests/paths.hpp"
#include "helpers.hpp"
#include "shell.hpp"

TEST_CASE("lint --jobs N writes the same report for every N", "[lint][jobs]") {
  // fixtures/: 332 SQL files in many folders and layouts, with syntax errors, suppressions and Prisma schemas.
  auto lint = [](const std::string& jobs, const std::string& format) {
    auto r = dgtest::run_shell("cd " + dgtest::shell_quote(dgtest::source_dir()) + " && " +
                               dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint fixtures --format " + format +
                               " --jobs " + jobs + " < /dev/null");
    CHECK(r.code == 1);
    return r.out;
  };
  const std::string one = lint("1", "json");
  CHECK(one.find("\"findings\": 0") == std::string::npos);
  CHECK(one.size() > 100000);
  for (const std::string jobs : {"2", "3", "8", "0"}) {
    INFO("--jobs " << jobs);
    CHECK(lint(jobs, "json") == one);
  }
  CHECK(lint("3", "text") == lint("1", "text"));
}
