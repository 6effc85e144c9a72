// Issue 16: every finding's first line is a short statement of the hazard naming the object (at most 80
// characters apart from long names: tests/first_line.hpp), the detail in notes. tests/test_fixtures.cpp checks it on every rule
// fixture; this file checks the bound itself and every finding lint reports on the shared corpus.
#include <catch2/catch.hpp>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>

#include "tests/paths.hpp"
#include "first_line.hpp"
#include "helpers.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;

TEST_CASE("first lines: names count at most 8 characters, prose and keywords in full", "[first-line]") {
  using dgtest::first_line_width;
  CHECK(first_line_width("drops table orders") == 18);
  CHECK(first_line_width("drops table orders\nsecond line") == 18);
  // a name (underscores) counts 8; prose and keywords count in full, trailing punctuation included
  CHECK(first_line_width("drops table person_actions_person_id_fkey") == 12 + 8);
  CHECK(first_line_width("CREATE INDEX without CONCURRENTLY takes SHARE on events.inputs") == 49 + 8);
  CHECK(first_line_width("notwithstanding, uncharacteristic") == 33);
  // a lower-case word longer than 16 letters is a name (temporalreportedproblems)
  CHECK(first_line_width("adds column temporalreportedproblems") == 12 + 8);
  CHECK(first_line_width("ALTER COLUMN email TYPE varchar(100) rewrites users under ACCESS EXCLUSIVE") == 70);
  // a quoted name with spaces is one word; an apostrophe inside a word opens nothing
  CHECK(first_line_width("drops policy \"Users can delete their invitations\" on t") == 13 + 8 + 5);
  CHECK(first_line_width("drops policy public.\"Users can delete their invitations\"") == 13 + 8);
  CHECK(first_line_width("the table's owner bypasses it") == 29);
  // multi-byte characters count once
  CHECK(first_line_width("drops table \xC3\xBC" "ber_x") == 12 + 6);
  CHECK(first_line_width(std::string(81, 'X') + " y") == 81 + 2);
  CHECK(first_line_width(std::string(81, 'X') + "1") == 8);
}

TEST_CASE("first lines: every finding lint reports on the shared corpus has a short first line", "[first-line][corpus]") {
  fs::path corpus = fs::path(dgtest::source_dir()) / "../shared/corpus";
  if (!fs::is_directory(corpus)) {
    WARN("../shared/corpus is not there: skipped");
    return;
  }
  std::string cmd = "'";  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"'" + std::string&&`
  cmd += DRIFTGUARD_BINARY;
  cmd += "' lint ";
  cmd += dgtest::shell_quote(corpus.string());
  cmd += " --format json --color never";
  auto r = dgtest::run_shell(cmd);
  auto findings = nlohmann::json::parse(r.out)["findings"];
  REQUIRE(findings.size() > 10000);
  std::map<std::string, std::size_t> over;  // rule -> findings over the bound
  std::string examples;
  for (const auto& f : findings) {
    std::string message = f["message"];
    if (dgtest::first_line_width(message) <= dgtest::kFirstLineWidth) continue;
    if (over[f["rule"]]++ < 2) examples += std::string(f["rule"]) + ": " + message + "\n";
  }
  INFO(examples);
  CHECK(over.empty());
}
