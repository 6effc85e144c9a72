#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include <re2/re2.h>

#include <cstdint>
#include <functional>
#include <iterator>

#include "analyzer/migration_name.hpp"
#include "analyzer/source.hpp"
#include "analyzer/source_ref.hpp"
#include "analyzer/supabase_layout.hpp"
#include "helpers.hpp"
#include "tests/git_repo.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

TEST_CASE("layouts are recognized from paths", "[source]") {
  auto p = classify("app/prisma/migrations/20240102030405_add_users/migration.sql");
  CHECK(p.layout == Layout::prisma);
  CHECK(p.version == "20240102030405");
  CHECK(p.name == "add_users");
  CHECK(p.set == "app/prisma/migrations");

  auto s = classify("supabase/migrations/20231010120000_init.sql");
  CHECK(s.layout == Layout::supabase);
  CHECK(s.version == "20231010120000");
  CHECK(s.name == "init");

  auto u = classify("db/migrations/000003_add_index.up.sql");
  CHECK(u.layout == Layout::up_down);
  CHECK(u.direction == Direction::up);
  CHECK(u.version == "000003");
  auto d = classify("db/migrations/000003_add_index.down.sql");
  CHECK(d.direction == Direction::down);

  auto folder = classify("migrations/down/0002_x.sql");
  CHECK(folder.layout == Layout::up_down);
  CHECK(folder.direction == Direction::down);
  CHECK(folder.set == "migrations");

  auto diesel = classify("migrations/2020-01-01-000000_create/down.sql");
  CHECK(diesel.layout == Layout::up_down);
  CHECK(diesel.direction == Direction::down);

  auto plain = classify("sql/V2__add_column.sql");
  CHECK(plain.layout == Layout::plain);
  CHECK(plain.version == "V2");
  CHECK(plain.name == "add_column");
}

// Every object of a model remembers its file: the path is held once per process, not once per object.
TEST_CASE("source positions share one copy of each file path", "[source]") {
  std::string built = std::string("db/migrations/") + "0001_init.sql";
  SourceRef a{"db/migrations/0001_init.sql", 3, 5};
  SourceRef b{built, 7, 1};
  CHECK(&a.file.str() == &b.file.str());
  CHECK(a.file == b.file);
  CHECK(a.file == built);
  CHECK(a.file != SourceRef{"db/migrations/0002_more.sql", 1, 1}.file);
  CHECK(a.str() == "db/migrations/0001_init.sql:3:5");
  CHECK(a.file + ":" + std::to_string(a.line) == "db/migrations/0001_init.sql:3");
  CHECK(SourceRef{}.str() == "?");
  CHECK(!SourceRef{}.known());
  CHECK(SourceRef{"", 1, 1}.file == SourceRef{}.file);
  CHECK(sizeof(SourceRef) == sizeof(void*) + 2 * sizeof(int));  // was a std::string: 40 bytes and a heap copy
  // Threads that parse ahead intern the same path: one copy still.
  const std::string* other = nullptr;
  std::thread t([&] { other = &SourceRef{"db/migrations/0001_init.sql", 1, 1}.file.str(); });
  t.join();
  CHECK(other == &a.file.str());
}

TEST_CASE("migrations are ordered by version, numerically", "[source]") {
  std::vector<std::string> v = {"m/10_c.sql", "m/9_b.sql", "m/100_d.sql", "m/1_a.sql", "m/readme.sql"};
  sort_migrations(v);
  CHECK(v == std::vector<std::string>{"m/1_a.sql", "m/9_b.sql", "m/10_c.sql", "m/100_d.sql", "m/readme.sql"});
}

TEST_CASE("discovery expands directories and globs and reports bad inputs", "[source]") {
  fs::path root = fs::temp_directory_path() / "driftguard_discover_test";
  fs::remove_all(root);
  fs::create_directories(root / "migrations" / "2_b");
  fs::create_directories(root / "migrations" / "10_c");
  fs::create_directories(root / "empty");
  std::ofstream(root / "migrations" / "2_b" / "migration.sql") << "SELECT 1;";
  std::ofstream(root / "migrations" / "10_c" / "migration.sql") << "SELECT 1;";
  std::ofstream(root / "notes.txt") << "x";
  auto d = discover({root.string(), (root / "missing.sql").string(), (root / "empty").string(),
                     (root / "nomatch" / "*.sql").string()});
  REQUIRE(d.files.size() == 2);
  // Prisma applies its migration folders in plain string order.
  CHECK(d.files[0].find("10_c") != std::string::npos);
  CHECK(d.files[1].find("2_b") != std::string::npos);
  REQUIRE(d.errors.size() == 3);
  // Other layouts: numeric-aware.
  fs::create_directories(root / "plain");
  std::ofstream(root / "plain" / "2_b.sql") << "SELECT 1;";
  std::ofstream(root / "plain" / "10_c.sql") << "SELECT 1;";
  auto p = discover({(root / "plain").string()});
  REQUIRE(p.files.size() == 2);
  CHECK(p.files[0].find("2_b") != std::string::npos);
  CHECK(p.files[1].find("10_c") != std::string::npos);

  auto g = discover({(root / "**" / "migration.sql").string()});
  CHECK(g.files.size() == 2);
  CHECK(g.errors.empty());
  fs::remove_all(root);
}

TEST_CASE("a byte-order mark is stripped and offsets account for it", "[source]") {
  RuleSelection only_drop;
  only_drop.only = {"ban-drop-table", "syntax-error"};
  auto f = dgtest::lint_text("\xEF\xBB\xBF" "DROP TABLE t;", only_drop);
  REQUIRE(f.size() == 1);
  CHECK(f[0].start.line == 1);
  CHECK(f[0].start.column == 1);
  CHECK(f[0].span.begin == 3);
}

TEST_CASE("binary files are input errors", "[source]") {
  std::string bin("SELECT 1;\0\x01\x02", 12);
  CHECK_THROWS_AS(make_source("x.sql", bin), InputFailure);
}

TEST_CASE("invalid UTF-8 is a syntax-error finding with its position, and the file is still linted", "[source]") {
  RuleSelection only_drop;
  only_drop.only = {"ban-drop-table", "syntax-error"};
  auto f = dgtest::lint_text("SELECT 1;\nSELECT 'caf\xE9';\nDROP TABLE t;\n", only_drop);
  REQUIRE(f.size() == 2);
  CHECK(f[0].rule == "syntax-error");
  CHECK(f[0].start.line == 2);
  CHECK(f[0].start.column == 12);
  CHECK(f[1].rule == "ban-drop-table");
}

TEST_CASE("down migrations are parsed but not linted", "[source]") {
  auto f = dgtest::lint_text("DROP TABLE t;\nSELEC 1;\n", {}, {}, "db/0001_x.down.sql");
  REQUIRE(f.size() == 1);
  CHECK(f[0].rule == "syntax-error");
}

// classify's version split scans the name by hand (analyzer/source.cpp); the expression it stands for is the
// oracle: every name over an alphabet of the characters that matter up to 6 long, and random longer ones with line
// breaks, NULs and bytes that are not ASCII (those go to the expression itself).
TEST_CASE("split_version answers what its regular expression captures, on generated names", "[source]") {
  const RE2 re(kVersionPattern);
  REQUIRE(re.ok());
  std::size_t compared = 0;
  std::size_t matched = 0;
  auto same = [&](const std::string& stem) {
    std::pair<std::string, std::string> expected{"", stem};
    std::string version;
    std::string rest;
    if (RE2::FullMatch(stem, re, &version, &rest)) {
      expected = {version, rest};
      ++matched;
    }
    ++compared;
    auto got = split_version(stem);
    if (got != expected) FAIL_CHECK("name \"" << stem << "\": " << got.first << " | " << got.second);
  };
  const std::string small = "1v._-a";
  std::vector<std::string> level{""};
  for (int len = 0; len <= 6; ++len) {
    std::vector<std::string> next;
    for (const auto& s : level) {
      same(s);
      if (len < 6) {
        for (char c : small) next.push_back(s + c);
      }
    }
    level = std::move(next);
  }
  const std::string wide[] = {"0", "7", "9", "V", "v", ".", "_", "__", "-", "x", " ", "\n", "\r", std::string(1, '\0'),
                              "\xc3\xa9", "\x80", "\xff", "20240101120000"};
  std::uint32_t seed = 20261207;
  for (int n = 0; n < 200000; ++n) {
    std::string s;
    seed = seed * 1664525u + 1013904223u;
    int len = static_cast<int>(seed >> 28);
    for (int k = 0; k < len; ++k) {
      seed = seed * 1664525u + 1013904223u;
      s += wide[(seed >> 16) % std::size(wide)];
    }
    same(s);
  }
  CHECK(compared == 55987 + 200000);
  CHECK(matched > 15000);  // the generator reaches the matching names (15,451), not only the others
  CHECK(split_version("V1_2__x") == std::pair<std::string, std::string>{"V1_2", "x"});
  CHECK(split_version("1_2x") == std::pair<std::string, std::string>{"1", "2x"});
  CHECK(split_version("12x") == std::pair<std::string, std::string>{"", "12x"});
}

// classify splits a path by hand where no component is empty; std::filesystem::path is the oracle: every path of
// up to 4 components from names that classify looks at, absolute or relative, with and without a trailing '/'.
TEST_CASE("path_parts names a path's parts as std::filesystem::path does, on generated paths", "[source]") {
  const std::vector<std::string> names = {"", ".", "..", "migrations", "supabase", "up", "1_x.sql", "migration.sql", "a b"};
  std::size_t compared = 0;
  std::function<void(std::string, int)> each = [&](std::string path, int left) {
    for (const std::string& lead : {std::string(), std::string("/")}) {
      for (const std::string& tail : {std::string(), std::string("/")}) {
        const std::string p = lead + path + tail;
        const fs::path fp(p);
        const PathParts parts = path_parts(p);
        ++compared;
        INFO("path \"" << p << "\"");
        CHECK(parts.file == fp.filename().string());
        CHECK(parts.dir == fp.parent_path().string());
        CHECK(parts.parent == fp.parent_path().filename().string());
        CHECK(parts.grand == fp.parent_path().parent_path().string());
        CHECK(parts.grand_name == fp.parent_path().parent_path().filename().string());
      }
    }
    if (left == 0) return;
    for (const auto& n : names) each(path.empty() ? n : path + "/" + n, left - 1);
  };
  each("", 4);
  CHECK(compared == 4 * (1 + 9 + 81 + 729 + 6561));
}

TEST_CASE("a Prisma migration is its folder's migration.sql: a rollback.sql beside it is skipped with a note",
          "[source][prisma]") {
  // Found on a collected Prisma project: each migration folder also kept a hand-written rollback.sql, which
  // `schema --from migrations:` replayed as migrations of their own (replay errors, a wrong schema).
  dgtest::Repo repo;
  repo.write("prisma/migrations/migration_lock.toml", "provider = \"postgresql\"\n");
  repo.write("prisma/migrations/20240101000000_init/migration.sql", "CREATE TABLE \"A\" (id int);\n");
  repo.write("prisma/migrations/20240101000000_init/rollback.sql", "DROP TABLE \"A\";\n");
  repo.write("prisma/migrations/20240201000000_next/migration.sql", "CREATE TABLE \"B\" (id int);\n");
  repo.write("prisma/migrations/20240201000000_next/down.sql", "DROP TABLE \"B\";\n");
  fs::path cwd = fs::current_path();
  fs::current_path(repo.dir());
  std::vector<driftguard::InputError> skipped;
  driftguard::Discovery d = driftguard::discover_with_notes({"prisma/migrations"}, skipped);
  fs::current_path(cwd);
  CHECK(d.files == std::vector<std::string>{"prisma/migrations/20240101000000_init/migration.sql",
                                            "prisma/migrations/20240201000000_next/down.sql",
                                            "prisma/migrations/20240201000000_next/migration.sql"});
  REQUIRE(skipped.size() == 1);
  CHECK(skipped[0].path == "prisma/migrations/20240101000000_init/rollback.sql");
  CHECK(skipped[0].message == "next to a Prisma migration.sql: Prisma applies only migration.sql");
  auto r = repo.driftguard("schema --from migrations:prisma/migrations");
  CHECK(r.code == 0);
  CHECK(r.err == "driftguard: note: skipped prisma/migrations/20240101000000_init/rollback.sql: next to a Prisma "
                 "migration.sql: Prisma applies only migration.sql\n");
  CHECK(r.out.find("CREATE TABLE \"A\"") != std::string::npos);
  CHECK(r.out.find("CREATE TABLE \"B\"") != std::string::npos);
}
