// Registry, documentation and fixtures agree: every rule has docs/rules/<id>.md with the required sections and
// the right category and severity, a fixtures/rules/<id>/ folder with bad and ok cases, and nothing exists for a
// rule that is not registered.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "helpers.hpp"
#include "shell.hpp"
#include "rules/docs.hpp"
#include "rules/registry.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

namespace {
using dgtest::read_file;
// Rules whose findings come from a git diff (`lint --changed-since`, `prisma-check`) or from a history of up and
// down migrations (`incomplete-down-migration`), which a single SQL fixture file cannot express: they have no
// fixtures folder and are tested on real repositories in tests/test_git.cpp and tests/test_prisma_check.cpp, and on
// migration folders in tests/test_check_down.cpp, instead.
const std::set<std::string> kNoFixtures = {
    "deleted-applied-migration",    "duplicate-migration-version",     "edited-applied-migration",
    "incomplete-down-migration",    "migration-order",
    "prisma-changed-map",           "prisma-changed-type",             "prisma-new-required-relation",
    "prisma-removed-enum-value",    "prisma-removed-field",            "prisma-removed-model",
    "prisma-required-without-default", "schema-without-migration"};
bool kebab(const std::string& s) {
  if (s.empty() || s.front() == '-' || s.back() == '-') return false;
  for (char c : s) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
  }
  return true;
}
}  // namespace

TEST_CASE("rule ids are unique, kebab-case and in registry order", "[consistency]") {
  auto rules = make_all_rules();
  std::set<std::string> seen;
  std::string prev;
  const std::set<std::string> categories = {"destructive", "breaking",  "idempotency", "locking",
                                            "transaction", "types",     "security",    "convention"};
  for (const auto& r : rules) {
    std::string id(r->info().id);
    INFO(id);
    CHECK(kebab(id));
    CHECK(seen.insert(id).second);
    CHECK(prev < id);
    CHECK(categories.count(std::string(r->info().category)) == 1);
    CHECK_FALSE(r->info().summary.empty());
    prev = id;
  }
}

TEST_CASE("every rule has a doc page with the required sections", "[consistency]") {
  auto rules = make_all_rules();
  fs::path docs = fs::path(dgtest::source_dir()) / "docs" / "rules";
  std::set<std::string> ids;
  for (const auto& r : rules) {
    std::string id(r->info().id);
    ids.insert(id);
    INFO(id);
    fs::path page = docs / (id + ".md");
    REQUIRE(fs::exists(page));
    std::string text = read_file(page);
    CHECK(text.rfind("# " + id + "\n", 0) == 0);
    std::string sev = r->info().severity == Severity::off ? "off (opt-in)" : std::string(to_string(r->info().severity));
    CHECK(text.find("**Category:** " + std::string(r->info().category) + " · **Default severity:** " + sev) !=
          std::string::npos);
    for (const char* section : {"## Why", "## Bad", "## Safe alternative", "## When it does not fire", "## Options",
                                "## Suppress"}) {
      INFO(section);
      CHECK(text.find(section) != std::string::npos);
    }
    bool embedded = false;
    for (const auto& d : rule_docs()) embedded = embedded || d.id == id;
    CHECK(embedded);
  }
  for (const auto& e : fs::directory_iterator(docs)) {
    INFO(e.path().string());
    CHECK(ids.count(e.path().stem().string()) == 1);
  }
}

TEST_CASE("every rule has fixtures: bad cases with expectations and ok cases", "[consistency]") {
  auto rules = make_all_rules();
  fs::path root = fs::path(dgtest::source_dir()) / "fixtures" / "rules";
  std::set<std::string> ids;
  for (const auto& r : rules) {
    std::string id(r->info().id);
    INFO(id);
    if (kNoFixtures.count(id)) {
      CHECK_FALSE(fs::exists(root / id));
      continue;
    }
    ids.insert(id);
    fs::path dir = root / id;
    REQUIRE(fs::is_directory(dir));
    int bad = 0;
    int ok = 0;
    for (const auto& f : fs::directory_iterator(dir)) {
      std::string name = f.path().filename().string();
      INFO(name);
      CHECK(f.path().extension() == ".sql");
      CHECK((name.rfind("bad_", 0) == 0 || name.rfind("ok_", 0) == 0));
      if (name.rfind("bad_", 0) == 0) {
        ++bad;
        CHECK(read_file(f.path()).find("-- expect: " + id) != std::string::npos);
      }
      if (name.rfind("ok_", 0) == 0) ++ok;
    }
    CHECK(bad >= 1);
    CHECK(ok >= 1);
  }
  for (const auto& e : fs::directory_iterator(root)) {
    INFO(e.path().string());
    CHECK(ids.count(e.path().filename().string()) == 1);
  }
}
