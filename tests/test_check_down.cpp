// driftguard check-down and the rule incomplete-down-migration: the exact findings (rule, file, line, column,
// message) and the completing SQL for every layout of down migrations, CRLF input, lint's default for up/down
// layouts, and the oracle: what check-down says of each pair equals what PostgreSQL does when the history, the up
// and the down are applied on the test server; --shadow says the same as the static check.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <tuple>

#include "analyzer/marker_lines.hpp"
#include "cli/check_down.hpp"
#include "introspect/diff.hpp"
#include "tests/git_repo.hpp"
#include "tests/helpers.hpp"
#include "tests/pg_server.hpp"
#include "tests/round_trip.hpp"
#include "tests/shell.hpp"
#include "tests/sql_apply.hpp"

#include <nlohmann/json.hpp>

using namespace driftguard;
namespace fs = std::filesystem;

namespace {

// A folder of migrations (a fresh git repository: config discovery stops there) and the driftguard binary run in it.
using Folder = dgtest::Repo;

std::string crlf(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\n' ? std::string("\r\n") : std::string(1, c);
  return out;
}

// golang-migrate: a complete down, one that forgets an index and a type change, one that does not apply.
void write_golang_migrate(const Folder& f, bool windows = false) {
  auto w = [&](const std::string& rel, const std::string& text) { f.write(rel, windows ? crlf(text) : text); };
  w("db/migrations/0001_init.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n");
  w("db/migrations/0001_init.down.sql", "DROP TABLE users;\n");
  w("db/migrations/0002_add.up.sql",
    "ALTER TABLE users ADD COLUMN name text;\nCREATE INDEX users_email_idx ON users (email);\n"
    "ALTER TABLE users ALTER COLUMN email TYPE varchar(200);\n");
  w("db/migrations/0002_add.down.sql", "-- undo 0002\nALTER TABLE users DROP COLUMN name;\n");
  w("db/migrations/0003_posts.up.sql", "CREATE TABLE posts (id bigint PRIMARY KEY);\n");
  w("db/migrations/0003_posts.down.sql", "DROP TABLE post;\n");
}

// One finding per down (its first line counts the differences) and one per statement that does not apply.
const char* kGolangFindings =
    "db/migrations/0002_add.down.sql:2:1: warning: the down migration leaves 2 differences from the schema before "
    "0002_add.up.sql [incomplete-down-migration]\n"
    "db/migrations/0003_posts.down.sql:1:1: warning: the down migration fails: table \"post\" does not exist "
    "[incomplete-down-migration]\n"
    "db/migrations/0003_posts.down.sql:1:1: warning: the down migration leaves 1 difference from the schema before "
    "0003_posts.up.sql [incomplete-down-migration]\n";

// Each difference is a note of its down's finding.
const char* kGolangNotes =
    "db/migrations/0002_add.down.sql:2:1: the down migration leaves 2 differences from the schema before "
    "0002_add.up.sql\n"
    "  note: after the down migration, column public.users.email has type character varying(200), expected text\n"
    "  note: the down migration leaves index public.users.users_email_idx, which did not exist before the up "
    "migration\n"
    "db/migrations/0003_posts.down.sql:1:1: the down migration fails: table \"post\" does not exist\n"
    "db/migrations/0003_posts.down.sql:1:1: the down migration leaves 1 difference from the schema before "
    "0003_posts.up.sql\n"
    "  note: the down migration leaves table public.posts, which did not exist before the up migration\n";

// The findings of one rule in a --format json report: "file:line:col: message", then its notes.
std::string with_notes(const std::string& json_report, const std::string& rule = "incomplete-down-migration") {
  std::string out;
  // Named: a range-for over parse(...)["findings"] would iterate a reference into a destroyed temporary.
  const nlohmann::json report = nlohmann::json::parse(json_report);
  for (const auto& f : report["findings"]) {
    if (f["rule"] != rule) continue;
    out += std::string(f["file"]) + ":" + std::to_string(int(f["line"])) + ":" + std::to_string(int(f["column"])) +
           ": " + std::string(f["message"]) + "\n";
    for (const auto& n : f.value("notes", nlohmann::json::array())) {
      out += "  note: ";  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `"literal" + std::string&&`
      out += std::string(n["message"]);
      out += '\n';
    }
  }
  return out;
}

// Every other layout: a complete pair and an incomplete one each.
void write_layouts(const Folder& f) {
  f.write("goose/00001_init.sql", "-- +goose Up\nCREATE TABLE users (id bigint PRIMARY KEY);\n\n-- +goose Down\nDROP TABLE users;\n");
  f.write("goose/00002_add.sql",
          "-- +goose Up\nALTER TABLE users ADD COLUMN name text;\nCREATE TABLE tags (id int);\n\n"
          "-- +goose Down\nALTER TABLE users DROP COLUMN name;\n");
  f.write("dbmate/20240101000000_init.sql", "-- migrate:up\nCREATE TABLE users (id bigint PRIMARY KEY);\n\n-- migrate:down\nDROP TABLE users;\n");
  f.write("dbmate/20240102000000_tags.sql",
          "-- migrate:up\nCREATE TABLE tags (id int);\nCREATE TYPE mood AS ENUM ('a');\n\n-- migrate:down\nDROP TABLE tags;\n");
  f.write("folders/up/001_a.sql", "CREATE TABLE a (id int);\n");
  f.write("folders/down/001_a.sql", "DROP TABLE a;\n");
  f.write("folders/up/002_b.sql", "CREATE TABLE b (id int);\n");
  f.write("folders/down/002_b.sql", "\n");
  f.write("perdir/001_a/up.sql", "CREATE TABLE a (id int DEFAULT 1);\n");
  f.write("perdir/001_a/down.sql", "DROP TABLE a;\n");
  f.write("perdir/002_b/up.sql", "ALTER TABLE a ALTER COLUMN id SET DEFAULT 2;\nALTER TABLE a ADD CONSTRAINT a_id_check CHECK (id > 0);\n");
  f.write("perdir/002_b/down.sql", "ALTER TABLE a DROP CONSTRAINT a_id_check;\n");
  f.write("prisma/migrations/20240101000000_init/migration.sql",
          "CREATE TABLE \"User\" (\"id\" INTEGER NOT NULL, CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\"));\n");
  f.write("prisma/migrations/20240101000000_init/down.sql", "DROP TABLE \"User\";\n");
  f.write("prisma/migrations/20240102000000_add/migration.sql", "ALTER TABLE \"User\" ADD COLUMN \"name\" TEXT;\n");
  f.write("prisma/migrations/20240102000000_add/down.sql", "-- nothing\n");
}

// Per layout: the gcc line, and the finding with its note (the up migration is named as its layout names it).
const std::vector<std::tuple<std::string, std::string, std::string>> kLayoutFindings = {
    {"goose",
     "goose/00002_add.sql:6:1: warning: the down migration leaves 1 difference from the schema before 00002_add.sql "
     "[incomplete-down-migration]\n",
     "goose/00002_add.sql:6:1: the down migration leaves 1 difference from the schema before 00002_add.sql\n"
     "  note: the down migration leaves table public.tags, which did not exist before the up migration\n"},
    {"dbmate",
     "dbmate/20240102000000_tags.sql:6:1: warning: the down migration leaves 1 difference from the schema before "
     "20240102000000_tags.sql [incomplete-down-migration]\n",
     "dbmate/20240102000000_tags.sql:6:1: the down migration leaves 1 difference from the schema before "
     "20240102000000_tags.sql\n"
     "  note: the down migration leaves enum public.mood, which did not exist before the up migration\n"},
    {"folders",
     "folders/down/002_b.sql:1:1: warning: the down migration leaves 1 difference from the schema before 002_b.sql "
     "[incomplete-down-migration]\n",
     "folders/down/002_b.sql:1:1: the down migration leaves 1 difference from the schema before 002_b.sql\n"
     "  note: the down migration leaves table public.b, which did not exist before the up migration\n"},
    {"perdir",
     "perdir/002_b/down.sql:1:1: warning: the down migration leaves 1 difference from the schema before 002_b "
     "[incomplete-down-migration]\n",
     "perdir/002_b/down.sql:1:1: the down migration leaves 1 difference from the schema before 002_b\n"
     "  note: after the down migration, column public.a.id has a different default (before the up migration: 1; "
     "after the down: 2)\n"},
    {"prisma/migrations",
     "prisma/migrations/20240102000000_add/down.sql:1:1: warning: the down migration leaves 1 difference from the "
     "schema before 20240102000000_add [incomplete-down-migration]\n",
     "prisma/migrations/20240102000000_add/down.sql:1:1: the down migration leaves 1 difference from the schema "
     "before 20240102000000_add\n"
     "  note: the down migration leaves column public.User.name, which did not exist before the up migration\n"},
};

}  // namespace

TEST_CASE("check-down: every object a down migration does not restore, at the down's first statement", "[check-down]") {
  Folder f;
  write_golang_migrate(f);
  dgtest::Run r = f.driftguard("check-down db/migrations --format gcc");
  CHECK(r.code == 1);
  CHECK(r.out == kGolangFindings);
  CHECK(r.err == "driftguard: 3 down migrations of 3 up migrations checked: 1 restore the schema before their up\n");
  CHECK(with_notes(f.driftguard("check-down db/migrations --format json").out) == kGolangNotes);

  // The SQL that completes the down is the fix of its first finding: appended at the end of the down file.
  dgtest::Run text = f.driftguard("check-down db/migrations");
  CHECK(text.out.find(R"(  = fix: append the SQL that restores the schema before the up migration
    - 
    + 
    + -- Completes the down migration (driftguard check-down): restores the schema before db/migrations/0002_add.up.sql.
    + 
    + DROP INDEX IF EXISTS users_email_idx;
    + 
    + -- type character varying(200) back to text
    + -- driftguard-ignore changing-column-type down migration
    + ALTER TABLE users ALTER COLUMN email TYPE text;
)") != std::string::npos);

  // Once the fix is appended, the down is complete.
  f.write("db/migrations/0002_add.down.sql",
          "-- undo 0002\nALTER TABLE users DROP COLUMN name;\nDROP INDEX IF EXISTS users_email_idx;\n"
          "ALTER TABLE users ALTER COLUMN email TYPE text;\n");
  f.write("db/migrations/0003_posts.down.sql", "DROP TABLE posts;\n");
  dgtest::Run fixed = f.driftguard("check-down db/migrations --format gcc");
  CHECK(fixed.code == 0);
  CHECK(fixed.out == "");
  CHECK(fixed.err == "driftguard: 3 down migrations of 3 up migrations checked: 3 restore the schema before their up\n");
}

TEST_CASE("check-down: CRLF migrations give the same findings", "[check-down]") {
  Folder f;
  write_golang_migrate(f, true);
  dgtest::Run r = f.driftguard("check-down db/migrations --format gcc");
  CHECK(r.code == 1);
  CHECK(r.out == kGolangFindings);
}

TEST_CASE("check-down: goose and dbmate Down sections, up/ and down/ folders, up.sql/down.sql, Prisma down.sql",
          "[check-down]") {
  Folder f;
  write_layouts(f);
  for (const auto& [dir, want, notes] : kLayoutFindings) {
    INFO(dir);
    dgtest::Run r = f.driftguard("check-down " + dir + " --format gcc");
    CHECK(r.code == 1);
    CHECK(r.out == want);
    CHECK(with_notes(f.driftguard("check-down " + dir + " --format json").out) == notes);
    CHECK(r.err == "driftguard: 2 down migrations of 2 up migrations checked: 1 restore the schema before their up\n");
  }
  // The fix of a Down section is inserted at the section's end, never after a following Up section.
  SourceFile goose = load_file((f.dir() / "goose/00002_add.sql").string());
  DownHistory h = down_history({(f.dir() / "goose/00001_init.sql").string(), (f.dir() / "goose/00002_add.sql").string()});
  REQUIRE(h.pairs.size() == 2);
  CHECK(h.pairs[1].section);
  CheckDownResult checked = check_down(h, LoadContext{});
  REQUIRE(checked.checks.size() == 2);
  CHECK(checked.checks[0].findings.empty());
  REQUIRE(checked.checks[1].findings.size() == 1);
  REQUIRE(checked.checks[1].findings[0].fix);
  CHECK(checked.checks[1].findings[0].fix->edits[0].span.begin == goose.text.size());
  CHECK(checked.checks[1].completion ==
        "-- Completes the down migration (driftguard check-down): restores the schema before " +
            (f.dir() / "goose/00002_add.sql").string() +
            ".\n\n-- driftguard-ignore ban-drop-table down migration\nDROP TABLE IF EXISTS tags;\n");
}

TEST_CASE("lint: incomplete-down-migration on by default for up/down layouts, opt-in for goose", "[check-down]") {
  Folder f;
  write_golang_migrate(f);
  write_layouts(f);
  auto rule_lines = [](const std::string& out) {
    std::string lines;
    std::size_t pos = 0;
    while (pos < out.size()) {
      std::size_t eol = out.find('\n', pos);
      std::string line = out.substr(pos, eol - pos + 1);
      if (line.find("[incomplete-down-migration]") != std::string::npos) lines += line;
      pos = eol + 1;
    }
    return lines;
  };
  CHECK(rule_lines(f.driftguard("lint db/migrations --format gcc").out) == kGolangFindings);
  // Only the down file that was linted is reported.
  CHECK(rule_lines(f.driftguard("lint db/migrations/0003_posts.down.sql --format gcc").out) ==
        "db/migrations/0003_posts.down.sql:1:1: warning: the down migration fails: table \"post\" does not exist "
        "[incomplete-down-migration]\n"
        "db/migrations/0003_posts.down.sql:1:1: warning: the down migration leaves 1 difference from the schema "
        "before 0003_posts.up.sql [incomplete-down-migration]\n");
  CHECK(rule_lines(f.driftguard("lint goose --format gcc").out) == "");
  CHECK(rule_lines(f.driftguard("lint goose --format gcc --severity incomplete-down-migration=error").out) ==
        "goose/00002_add.sql:6:1: error: the down migration leaves 1 difference from the schema before "
        "00002_add.sql [incomplete-down-migration]\n");
  CHECK(rule_lines(f.driftguard("lint db/migrations --format gcc --exclude-rule incomplete-down-migration").out) == "");
}

TEST_CASE("check-down and lint: driftguard-ignore comments and the configured severity reach incomplete-down-migration",
          "[check-down]") {
  Folder f;
  write_golang_migrate(f);
  // 0002's down is accepted as it is, with a reason; 0001's complete down carries an ignore that suppresses nothing.
  f.write("db/migrations/0002_add.down.sql",
          "-- undo 0002\n-- driftguard-ignore incomplete-down-migration the index stays on purpose\n"
          "ALTER TABLE users DROP COLUMN name;\n");
  f.write("db/migrations/0001_init.down.sql", "-- driftguard-ignore incomplete-down-migration\nDROP TABLE users;\n");
  const std::string posts =
      "db/migrations/0003_posts.down.sql:1:1: warning: the down migration fails: table \"post\" does not exist "
      "[incomplete-down-migration]\n"
      "db/migrations/0003_posts.down.sql:1:1: warning: the down migration leaves 1 difference from the schema before "
      "0003_posts.up.sql [incomplete-down-migration]\n";
  dgtest::Run r = f.driftguard("check-down db/migrations --format gcc");
  CHECK(r.code == 1);
  CHECK(r.out == posts);
  CHECK(r.err == "driftguard: 3 down migrations of 3 up migrations checked: 2 restore the schema before their up\n");
  // 0002's ignored finding is gone with its notes; 0003's note names what is left.
  CHECK(with_notes(f.driftguard("check-down db/migrations --format json").out) ==
        "db/migrations/0003_posts.down.sql:1:1: the down migration fails: table \"post\" does not exist\n"
        "db/migrations/0003_posts.down.sql:1:1: the down migration leaves 1 difference from the schema before "
        "0003_posts.up.sql\n"
        "  note: the down migration leaves table public.posts, which did not exist before the up migration\n");
  // lint: the same findings, and the ignore that suppresses nothing is unused-ignore (check-down leaves that to lint).
  dgtest::Run l = f.driftguard("lint db/migrations --format gcc");
  std::string down_lines;  // the up files' own findings left out
  for (std::size_t at = 0, eol; at < l.out.size(); at = eol + 1) {
    eol = l.out.find('\n', at);
    std::string line = l.out.substr(at, eol - at + 1);
    if (line.find(".down.sql:") != std::string::npos) down_lines += line;
  }
  CHECK(down_lines == "db/migrations/0001_init.down.sql:1:22: warning: driftguard-ignore for incomplete-down-migration "
                 "suppresses nothing [unused-ignore]\n" +
                     posts);
  CHECK(with_notes(f.driftguard("lint db/migrations --format json").out, "unused-ignore") ==
        "db/migrations/0001_init.down.sql:1:22: driftguard-ignore for incomplete-down-migration suppresses nothing\n"
        "  note: incomplete-down-migration reports nothing on the next statement\n");

  // The severity: --severity, then driftguard.toml, as for lint; off accepts every down.
  dgtest::Run e = f.driftguard("check-down db/migrations --format gcc --severity incomplete-down-migration=error");
  CHECK(e.code == 1);
  CHECK(e.out.find("0003_posts.down.sql:1:1: error: the down migration leaves 1 difference from the schema before "
                   "0003_posts.up.sql [incomplete-down-migration]\n") != std::string::npos);
  CHECK(e.out.find("warning") == std::string::npos);
  dgtest::Run off = f.driftguard("check-down db/migrations --format gcc --severity incomplete-down-migration=off");
  CHECK(off.code == 0);
  CHECK(off.out == "");
  CHECK(off.err == "driftguard: 3 down migrations of 3 up migrations checked: 3 restore the schema before their up\n");
  f.write("driftguard.toml", "[rules.severity]\nincomplete-down-migration = \"info\"\n");
  dgtest::Run info = f.driftguard("check-down db/migrations --format gcc");
  CHECK(info.code == 1);
  CHECK(info.out == "db/migrations/0003_posts.down.sql:1:1: info: the down migration fails: table \"post\" does "
                    "not exist [incomplete-down-migration]\n"
                    "db/migrations/0003_posts.down.sql:1:1: info: the down migration leaves 1 difference from the "
                    "schema before 0003_posts.up.sql [incomplete-down-migration]\n");
  dgtest::Run bad = f.driftguard("check-down db/migrations --severity incomplete-down-migration");
  CHECK(bad.code == 2);
  CHECK(bad.err.find("--severity expects RULE=LEVEL") != std::string::npos);
}

TEST_CASE("lint --staged and lint - (stdin): a down file's findings and its ignores, from the content linted",
          "[check-down]") {
  Folder f;
  write_golang_migrate(f);
  f.commit("history");
  const std::string incomplete = f.read("db/migrations/0002_add.down.sql");
  const std::string ignored = "-- undo 0002\n-- driftguard-ignore incomplete-down-migration the index stays\n"
                              "ALTER TABLE users DROP COLUMN name;\n";
  // The working copy is complete; the index holds what is committed.
  f.write("db/migrations/0002_add.down.sql",
          "ALTER TABLE users ALTER COLUMN email TYPE text;\nDROP INDEX users_email_idx;\nALTER TABLE users DROP COLUMN name;\n");
  const std::string findings =
      "db/migrations/0002_add.down.sql:2:1: warning: the down migration leaves 2 differences from the schema before "
      "0002_add.up.sql [incomplete-down-migration]\n";
  // What the staged down leaves: the notes.
  const std::string notes =
      "db/migrations/0002_add.down.sql:2:1: the down migration leaves 2 differences from the schema before "
      "0002_add.up.sql\n"
      "  note: after the down migration, column public.users.email has type character varying(200), expected text\n"
      "  note: the down migration leaves index public.users.users_email_idx, which did not exist before the up "
      "migration\n";
  const std::string only = " --format gcc --rule incomplete-down-migration --rule unused-ignore";
  CHECK(f.driftguard("lint db/migrations/0002_add.down.sql" + only).out == "");
  CHECK(f.driftguard("lint --staged db/migrations/0002_add.down.sql" + only).out == findings);
  CHECK(with_notes(f.driftguard("lint --staged db/migrations/0002_add.down.sql --format json").out) == notes);
  f.write("staged.sql", ignored);
  f.sh("cp staged.sql db/migrations/0002_add.down.sql && git add db/migrations/0002_add.down.sql && rm staged.sql");
  CHECK(f.driftguard("lint --staged db/migrations/0002_add.down.sql" + only).out == "");

  f.write("stdin.sql", incomplete);
  dgtest::Run in = f.driftguard("lint - --stdin-filename db/migrations/0002_add.down.sql" + only + " < stdin.sql");
  CHECK(in.code == 0);  // warnings
  CHECK(in.out == findings);
  CHECK(with_notes(f.driftguard("lint - --stdin-filename db/migrations/0002_add.down.sql --format json < stdin.sql").out) ==
        notes);
  f.write("stdin.sql", ignored);
  CHECK(f.driftguard("lint - --stdin-filename db/migrations/0002_add.down.sql" + only + " < stdin.sql").out == "");
}

TEST_CASE("lint --fix appends the SQL that completes a down migration", "[check-down]") {
  Folder f;
  write_golang_migrate(f);
  dgtest::Run fixed = f.driftguard("lint db/migrations/0002_add.down.sql --fix --format gcc");
  CHECK(fixed.err == "db/migrations/0002_add.down.sql: applied 1 fix\n");
  CHECK(fixed.out.find("incomplete-down-migration") == std::string::npos);
  CHECK(f.read("db/migrations/0002_add.down.sql").rfind("-- undo 0002\nALTER TABLE users DROP COLUMN name;\n\n"
                                                        "-- Completes the down migration (driftguard check-down)", 0) == 0);
  dgtest::Run r = f.driftguard("check-down db/migrations --format gcc");
  CHECK(r.err == "driftguard: 3 down migrations of 3 up migrations checked: 2 restore the schema before their up\n");
}

namespace {

// What PostgreSQL does with each pair: the history before the up applied to a fresh database on the test server,
// the catalog read, the up and the down applied, the catalog read again; the drift items between the two, and
// whether the down applied.
// The file as it runs up: a goose/dbmate Down section blanked.
SourceFile up_part(const std::string& path) {
  SourceFile f = load_file(path);
  for (const auto& s : down_sections(f.text)) {
    for (std::size_t i = s.begin; i < s.end; ++i) f.text[i] = f.text[i] == '\n' ? '\n' : ' ';
  }
  return f;
}

std::string pg_says(const DownHistory& h) {
  std::string out;
  for (const auto& pair : h.pairs) {
    std::string db = dgtest::pg::fresh_database("checkdown");
    for (std::size_t i = 0; i < pair.up_index; ++i) REQUIRE(dgtest::apply_sql(db, up_part(h.ups[i])) == "");
    model::SchemaModel before = dgtest::live(db);
    REQUIRE(dgtest::apply_sql(db, up_part(pair.up)) == "");
    std::string err = dgtest::apply_sql(db, down_source(pair));
    out += pair.down + (err.empty() ? ": applies\n" : ": does not apply\n") +
           dgtest::items(diff::diff(before, dgtest::live(db)));
  }
  return out;
}

std::string check_down_says(const CheckDownResult& r) {
  std::string out;
  for (const auto& c : r.checks) {
    bool applies = std::none_of(c.findings.begin(), c.findings.end(), [](const Finding& f) {
      return f.message.rfind("the down migration fails", 0) == 0;
    });
    out += c.pair.down + (applies ? ": applies\n" : ": does not apply\n") + dgtest::items(c.items);
  }
  return out;
}

}  // namespace

TEST_CASE("check-down oracle: what it says of each pair is what PostgreSQL does with it", "[check-down][pg]") {
  Folder f;
  write_golang_migrate(f);
  write_layouts(f);
  int pairs = 0;
  int incomplete = 0;
  for (const char* dir : {"db/migrations", "goose", "dbmate", "folders", "perdir", "prisma/migrations"}) {
    INFO(dir);
    DownHistory h = down_history(discover({(f.dir() / dir).string()}).files);
    CheckDownResult r = check_down(h, LoadContext{});
    CHECK(r.errors.empty());
    std::string got = check_down_says(r);
    CHECK(got == pg_says(h));
    pairs += static_cast<int>(r.checks.size());
    for (const auto& c : r.checks) incomplete += c.findings.empty() ? 0 : 1;
  }
  CHECK(pairs == 13);
  CHECK(incomplete == 7);
}

TEST_CASE("check-down --shadow: PostgreSQL in throwaway clusters says what the static check says", "[check-down][pg]") {
  Folder f;
  write_layouts(f);
  dgtest::Run stat = f.driftguard("check-down goose --format gcc");
  dgtest::Run shadow = f.driftguard("check-down goose --format gcc --shadow");
  CHECK(shadow.code == 1);
  CHECK(shadow.out == stat.out);
  CHECK(shadow.err ==
        "driftguard: 2 down migrations of 2 up migrations checked in throwaway clusters: 1 restore the schema before "
        "their up\n");
}

TEST_CASE("check-down: an up migration the replay cannot apply leaves its pair unchecked, and says so", "[check-down]") {
  Folder f;
  f.write("db/0001_bad.up.sql", "CREATE TABL x (id int);\n");
  f.write("db/0001_bad.down.sql", "DROP TABLE x;\n");
  dgtest::Run r = f.driftguard("check-down db --format gcc");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err ==
        "driftguard: db/0001_bad.down.sql: not checked: the up migration does not apply: db/0001_bad.up.sql:1: "
        "statement does not parse, so the schema after it is unknown: syntax error at or near \"TABL\"\n"
        "driftguard: 1 down migration of 1 up migration checked: 0 restore the schema before their up, 1 could not "
        "be checked\n");
  // lint reports the syntax error of the up, and nothing of the down.
  CHECK(f.driftguard("lint db --format gcc").out.find("incomplete-down-migration") == std::string::npos);
}

// A file golang-migrate runs as one request rolls back whole when a statement fails: a down to the model after its
// up (the check keeps that model, and restores from it), an up to the model before it (kept for the comparison).
// Were either not restored, 0002's down would be said to drop users, or 0004's up would fail (tags exists).
TEST_CASE("check-down: a down or an up that fails inside its transaction leaves the model it started with",
          "[check-down]") {
  Folder f;
  f.write("db/0001_init.up.sql", "CREATE TABLE users (id bigint PRIMARY KEY);\n");
  f.write("db/0001_init.down.sql", "DROP TABLE users;\n");
  f.write("db/0002_posts.up.sql", "CREATE TABLE posts (id bigint PRIMARY KEY);\n");
  f.write("db/0002_posts.down.sql", "DROP TABLE posts;\nDROP TABLE users;\nDROP TABLE nothing_here;\n");
  f.write("db/0003_tags.up.sql", "CREATE TABLE tags (id int);\nCREATE INDEX tags_x ON missing_table (id);\n");
  f.write("db/0003_tags.down.sql", "DROP TABLE tags;\n");
  f.write("db/0004_tags.up.sql", "CREATE TABLE tags (name text);\n");
  f.write("db/0004_tags.down.sql", "DROP TABLE tags;\n");
  dgtest::Run r = f.driftguard("check-down db --format gcc");
  CHECK(r.code == 2);
  CHECK(r.out ==
        "db/0002_posts.down.sql:1:1: warning: the down migration leaves 1 difference from the schema before "
        "0002_posts.up.sql [incomplete-down-migration]\n"
        "db/0002_posts.down.sql:3:1: warning: the down migration fails at this statement [incomplete-down-migration]\n");
  CHECK(with_notes(f.driftguard("check-down db --format json").out) ==
        "db/0002_posts.down.sql:1:1: the down migration leaves 1 difference from the schema before 0002_posts.up.sql\n"
        "  note: the down migration leaves table public.posts, which did not exist before the up migration\n"
        "db/0002_posts.down.sql:3:1: the down migration fails at this statement\n"
        "  note: it does not apply: table \"nothing_here\" does not exist; the file runs as one transaction (one "
        "request), so nothing of it applies\n");
  CHECK(r.err ==
        "driftguard: db/0003_tags.down.sql: not checked: the up migration does not apply: db/0003_tags.up.sql:2: "
        "relation \"missing_table\" does not exist; the file runs as one transaction (one request), so nothing of it "
        "applies\n"
        "driftguard: 4 down migrations of 4 up migrations checked: 2 restore the schema before their up, 1 could not "
        "be checked\n");
}
