// Runners that record the files they apply and run each in a transaction, detected from their layout (issue 15):
// sqlx, fider, Synapse, temporal-sql-tool and PostgreSQL extension scripts. Each test lints a fixture tree with the
// default selection through the binary and asserts the exact findings (gcc format: file:line:col, rule, message).
// What each runner does is in docs/locking.md ("Runners"); its PostgreSQL side in tests/test_runner_oracle.cpp.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "tests/paths.hpp"
#include "first_line.hpp"
#include "helpers.hpp"
#include "tests/prisma_engine.hpp"
#include "tests/shell.hpp"

namespace fs = std::filesystem;
using dgtest::prisma_engine::TempDir;
using dgtest::prisma_engine::write_file;

namespace {

// Findings of `rules` (comma-separated) as gcc lines, run in `dir`.
std::string lint_gcc(const fs::path& dir, const std::string& paths, const std::string& rules) {
  std::string cmd = "cd " + dgtest::shell_quote(dir.string()) + " && NO_COLOR=1 " +
                    dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint " + paths + " --format gcc";
  auto run = dgtest::run_shell(cmd + " < /dev/null");
  std::string out;
  std::size_t pos = 0;
  while (pos < run.out.size()) {
    std::size_t eol = run.out.find('\n', pos);
    if (eol == std::string::npos) eol = run.out.size();
    std::string line = run.out.substr(pos, eol - pos);
    pos = eol + 1;
    for (std::size_t a = 0; a <= rules.size();) {
      std::size_t b = rules.find(',', a);
      if (b == std::string::npos) b = rules.size();
      std::string tag = "[";  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on `"[" + std::string&&`
      tag += rules.substr(a, b - a);
      tag += ']';
      if (line.find(tag) != std::string::npos) {
        out += line + "\n";
        break;
      }
      a = b + 1;
    }
  }
  return out;
}

// One rule's findings with their notes: the runner's part in a finding (which transaction a statement runs in) is a
// note.
std::string lint_notes(const fs::path& dir, const std::string& paths, const std::string& rule) {
  auto run = dgtest::run_shell("cd " + dgtest::shell_quote(dir.string()) + " && " +
                               dgtest::shell_quote(DRIFTGUARD_BINARY) + " lint " + paths + " --format json --rule " +
                               rule + " < /dev/null");
  return dgtest::report_with_notes(run.out, rule);
}

const char* kIdem = "require-if-not-exists,require-if-exists,non-idempotent-insert,unguarded-create,require-or-replace";

// Two statements that fail when run twice, and a drop that fails when the object is gone.
const char* kBody =
    "CREATE TABLE t (id bigint);\n"
    "INSERT INTO t VALUES (1);\n"
    "DROP TABLE u;\n";

}  // namespace

TEST_CASE("sqlx: migrations beside a Cargo.toml run in a transaction, -- no-transaction sends one query",
          "[lint][runner]") {
  TempDir t("runner_sqlx");
  write_file(t.dir / "migrations/20240101000000_init.sql", kBody);
  write_file(t.dir / "migrations/20240102000000_index.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id);\n");
  // Without a crate it is a plain psql folder: every idempotency hazard is reported.
  CHECK(lint_gcc(t.dir, "migrations", kIdem) ==
        "migrations/20240101000000_init.sql:1:1: warning: re-run fails: table t already exists "
        "[require-if-not-exists]\n"
        "migrations/20240101000000_init.sql:2:1: warning: a re-run inserts the rows into t again "
        "[non-idempotent-insert]\n"
        "migrations/20240101000000_init.sql:3:1: warning: re-run fails: table u was already "
        "dropped [require-if-exists]\n"
        "migrations/20240102000000_index.sql:1:1: warning: re-run fails: index t_id already "
        "exists [require-if-not-exists]\n");
  // sqlx::migrate!() reads CARGO_MANIFEST_DIR/migrations: each file runs in a transaction with its
  // _sqlx_migrations row, so a failed file leaves nothing and an applied one never runs again.
  write_file(t.dir / "Cargo.toml", "[package]\nname = \"app\"\n");
  CHECK(lint_gcc(t.dir, "migrations", kIdem).empty());
  // CONCURRENTLY fails inside that transaction ...
  CHECK(lint_notes(t.dir, "migrations", "ban-concurrent-index-creation-in-transaction") ==
        "migrations/20240102000000_index.sql:1:1: CREATE INDEX CONCURRENTLY fails inside a transaction block "
        "[ban-concurrent-index-creation-in-transaction]\n"
        "  note: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the "
        "runner's transaction (sqlx runs each migration in a transaction): the migration fails\n");
  // ... unless the file starts with -- no-transaction: one statement then runs alone.
  write_file(t.dir / "migrations/20240102000000_index.sql",
             "-- no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");
  CHECK(lint_gcc(t.dir, "migrations", "ban-concurrent-index-creation-in-transaction").empty());
  // Several statements after -- no-transaction are one query: one implicit transaction, which CONCURRENTLY
  // refuses as well.
  write_file(t.dir / "migrations/20240102000000_index.sql",
             "-- no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\nANALYZE t;\n");
  CHECK(lint_notes(t.dir, "migrations", "ban-concurrent-index-creation-in-transaction") ==
        "migrations/20240102000000_index.sql:2:1: CREATE INDEX CONCURRENTLY fails inside a transaction block "
        "[ban-concurrent-index-creation-in-transaction]\n"
        "  note: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the "
        "runner's transaction (-- no-transaction: sqlx sends the file as one query, which PostgreSQL runs as one "
        "transaction): the migration fails\n");
  // The marker counts only as the file's first bytes.
  write_file(t.dir / "migrations/20240102000000_index.sql",
             "\n-- no-transaction\nCREATE INDEX CONCURRENTLY t_id ON t (id);\n");
  CHECK(lint_notes(t.dir, "migrations", "ban-concurrent-index-creation-in-transaction") ==
        "migrations/20240102000000_index.sql:3:1: CREATE INDEX CONCURRENTLY fails inside a transaction block "
        "[ban-concurrent-index-creation-in-transaction]\n"
        "  note: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the "
        "runner's transaction (sqlx runs each migration in a transaction): the migration fails\n");
}

TEST_CASE("fider: the migrations folder of github.com/getfider/fider runs each file in a transaction",
          "[lint][runner]") {
  TempDir t("runner_fider");
  write_file(t.dir / "migrations/201701261850_create_tenants.sql", kBody);
  const std::string plain =
      "migrations/201701261850_create_tenants.sql:1:1: warning: re-run fails: table t already "
      "exists [require-if-not-exists]\n"
      "migrations/201701261850_create_tenants.sql:2:1: warning: a re-run inserts the rows into t again "
      "[non-idempotent-insert]\n"
      "migrations/201701261850_create_tenants.sql:3:1: warning: re-run fails: table u was already "
      "dropped [require-if-exists]\n";
  CHECK(lint_gcc(t.dir, "migrations", kIdem) == plain);
  // Another Go module: still plain.
  write_file(t.dir / "go.mod", "module github.com/example/app\n\ngo 1.22\n");
  CHECK(lint_gcc(t.dir, "migrations", kIdem) == plain);
  write_file(t.dir / "go.mod", "module github.com/getfider/fider\n\ngo 1.22\n");
  CHECK(lint_gcc(t.dir, "migrations", kIdem).empty());
  // Only 12-digit versions are fider's (its runner refuses any other).
  write_file(t.dir / "migrations/20170126185000_other.sql", "DROP TABLE v;\nDROP TABLE w;\n");
  CHECK(lint_gcc(t.dir, "migrations/20170126185000_other.sql", kIdem) ==
        "migrations/20170126185000_other.sql:1:1: warning: re-run fails: table v was already "
        "dropped [require-if-exists]\n"
        "migrations/20170126185000_other.sql:2:1: warning: re-run fails: table w was already "
        "dropped [require-if-exists]\n");
}

TEST_CASE("Synapse: schema deltas run in a transaction, schema_version.sql runs at every start", "[lint][runner]") {
  TempDir t("runner_synapse");
  write_file(t.dir / "synapse/storage/schema/main/delta/83/01_t.sql", kBody);
  write_file(t.dir / "synapse/storage/schema/common/schema_version.sql", "CREATE TABLE schema_version (v int);\n"
                                                                         "CREATE TABLE applied (f text);\n");
  CHECK(lint_gcc(t.dir, "synapse", kIdem) ==
        "synapse/storage/schema/common/schema_version.sql:1:1: warning: re-run fails: table "
        "schema_version already exists [require-if-not-exists]\n"
        "synapse/storage/schema/common/schema_version.sql:2:1: warning: re-run fails: table "
        "applied already exists [require-if-not-exists]\n");
}

TEST_CASE("temporal-sql-tool: statements one by one, a re-run goes on past \"already exists\"", "[lint][runner]") {
  TempDir t("runner_temporal");
  write_file(t.dir / "schema/postgresql/v12/temporal/versioned/v1.5/a.sql",
             "CREATE TABLE t (id bigint);\n"
             "CREATE INDEX t_id ON t (id);\n"
             "ALTER TABLE t ADD COLUMN c text;\n"
             "CREATE TYPE mood AS ENUM ('ok');\n"
             "DROP INDEX old_idx;\n"
             "INSERT INTO t VALUES (1);\n");
  // The creates fail with "already exists" on a re-run, which the tool skips; the DROP of what the first run
  // dropped fails with "does not exist", and the INSERT runs again.
  CHECK(lint_gcc(t.dir, "schema", kIdem) ==
        "schema/postgresql/v12/temporal/versioned/v1.5/a.sql:5:1: warning: re-run fails: index "
        "old_idx was already dropped [require-if-exists]\n"
        "schema/postgresql/v12/temporal/versioned/v1.5/a.sql:6:1: warning: a re-run inserts the rows into t again "
        "[non-idempotent-insert]\n");
  // --runner plain: the creates again.
  CHECK(lint_gcc(t.dir, "schema --runner plain", "require-if-not-exists,unguarded-create") ==
        "schema/postgresql/v12/temporal/versioned/v1.5/a.sql:1:1: warning: re-run fails: table t "
        "already exists [require-if-not-exists]\n"
        "schema/postgresql/v12/temporal/versioned/v1.5/a.sql:2:1: warning: re-run fails: index "
        "t_id already exists [require-if-not-exists]\n"
        "schema/postgresql/v12/temporal/versioned/v1.5/a.sql:3:15: warning: re-run fails: column "
        "c of t already exists [require-if-not-exists]\n"
        "schema/postgresql/v12/temporal/versioned/v1.5/a.sql:4:1: warning: re-run fails: type "
        "mood already exists [unguarded-create]\n");
}

TEST_CASE("extension scripts run in the transaction of CREATE/ALTER EXTENSION", "[lint][runner][parse]") {
  TempDir t("runner_extension");
  const char* update =
      "CREATE OR REPLACE FUNCTION @extschema@.f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE TABLE _ext_catalog.t (id bigint);\n"
      "DROP VIEW _ext_catalog.v;\n"
      "CREATE INDEX CONCURRENTLY t_id ON _ext_catalog.t (id);\n";
  write_file(t.dir / "sql/updates/2.13.0--2.13.1.sql", update);
  CHECK(lint_gcc(t.dir, "sql", std::string(kIdem) + ",syntax-error,ban-concurrent-index-creation-in-transaction") ==
        "sql/updates/2.13.0--2.13.1.sql:4:1: error: CREATE INDEX CONCURRENTLY fails inside a transaction block "
        "[ban-concurrent-index-creation-in-transaction]\n");
  CHECK(lint_notes(t.dir, "sql", "ban-concurrent-index-creation-in-transaction") ==
        "sql/updates/2.13.0--2.13.1.sql:4:1: CREATE INDEX CONCURRENTLY fails inside a transaction block "
        "[ban-concurrent-index-creation-in-transaction]\n"
        "  note: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the "
        "runner's transaction (CREATE/ALTER EXTENSION runs the script in its transaction): the migration fails\n");
  // PostgreSQL's own naming (name--old--new.sql, name--version.sql), and @extschema@ in any file.
  write_file(t.dir / "ext/myext--1.0--1.1.sql", update);
  write_file(t.dir / "ext/myext--1.0.sql", "CREATE TABLE @extschema@.t (id bigint);\nCREATE TABLE u (id bigint);\n");
  write_file(t.dir / "src/functions.sql", "CREATE FUNCTION @extschema@.g() RETURNS int LANGUAGE sql AS 'SELECT 2';\n"
                                          "DROP TABLE w;\nDROP FUNCTION @extschema@.g();\n");
  CHECK(lint_gcc(t.dir, "ext src", std::string(kIdem) + ",syntax-error") == "");
  // @extschema@ is rendered as the name it stands for (the function dropped is the one created above, so no
  // ban-drop-function); as a plain file, the findings name it.
  CHECK(lint_gcc(t.dir, "src --runner plain", std::string(kIdem) + ",syntax-error,ban-drop-function") ==
        "src/functions.sql:1:1: warning: re-run fails: function extschema.g already exists "
        "[require-or-replace]\n"
        "src/functions.sql:2:1: warning: re-run fails: table w was already dropped "
        "[require-if-exists]\n");
  // CONCURRENTLY cannot run in an extension script (PostgreSQL refuses it there: tests/test_runner_oracle.cpp), so
  // the rules asking for it are quiet; the same file run by psql gets them.
  write_file(t.dir / "ext2/other--2.0--2.1.sql", "CREATE INDEX t_id ON @extschema@.t (id);\n"
                                                 "DROP INDEX @extschema@.t_old;\nREINDEX INDEX @extschema@.t_id2;\n");
  const std::string concurrent =
      "require-concurrent-index-creation,require-concurrent-index-deletion,require-concurrent-reindex";
  CHECK(lint_gcc(t.dir, "ext2", concurrent) == "");
  CHECK(lint_gcc(t.dir, "ext2 --runner plain", concurrent) ==
        "ext2/other--2.0--2.1.sql:1:1: warning: CREATE INDEX without CONCURRENTLY takes SHARE on extschema.t "
        "[require-concurrent-index-creation]\n"
        "ext2/other--2.0--2.1.sql:2:1: warning: DROP INDEX extschema.t_old without CONCURRENTLY takes ACCESS EXCLUSIVE "
        "[require-concurrent-index-deletion]\n"
        "ext2/other--2.0--2.1.sql:3:1: warning: REINDEX without CONCURRENTLY takes ACCESS EXCLUSIVE on extschema.t_id2 "
        "[require-concurrent-reindex]\n");
}

TEST_CASE("drizzle: files listed in meta/_journal.json run in the migrator's one transaction", "[lint][runner]") {
  TempDir t("runner_drizzle");
  write_file(t.dir / "drizzle/0000_init.sql", kBody);
  write_file(t.dir / "drizzle/0001_index.sql", "CREATE INDEX CONCURRENTLY t_id ON t (id);\n");
  const std::string plain =
      "drizzle/0000_init.sql:1:1: warning: re-run fails: table t already exists "
      "[require-if-not-exists]\n"
      "drizzle/0000_init.sql:2:1: warning: a re-run inserts the rows into t again [non-idempotent-insert]\n"
      "drizzle/0000_init.sql:3:1: warning: re-run fails: table u was already dropped "
      "[require-if-exists]\n";
  const std::string index_plain =
      "drizzle/0001_index.sql:1:1: warning: re-run fails: index t_id already exists "
      "[require-if-not-exists]\n";
  // Without the journal drizzle's migrator does not run the folder: plain psql files.
  CHECK(lint_gcc(t.dir, "drizzle", kIdem) == plain + index_plain);
  // A journal that does not list a file: that file stays plain.
  write_file(t.dir / "drizzle/meta/_journal.json",
             R"({"version":"7","dialect":"postgresql","entries":[)"
             R"({"idx":0,"version":"7","when":1700000000000,"tag":"0001_index","breakpoints":true}]})");
  CHECK(lint_gcc(t.dir, "drizzle", kIdem) == plain);
  // Listed: drizzle-orm's PgDialect.migrate runs every pending migration inside one transaction and records each in
  // drizzle.__drizzle_migrations, so a failure leaves nothing and an applied file never runs again ...
  write_file(t.dir / "drizzle/meta/_journal.json",
             R"({"version":"7","dialect":"postgresql","entries":[)"
             R"({"idx":0,"version":"7","when":1700000000000,"tag":"0000_init","breakpoints":true},)"
             R"({"idx":1,"version":"7","when":1700000000001,"tag":"0001_index","breakpoints":true}]})");
  CHECK(lint_gcc(t.dir, "drizzle", kIdem).empty());
  // ... and CONCURRENTLY fails inside it.
  CHECK(lint_notes(t.dir, "drizzle", "ban-concurrent-index-creation-in-transaction") ==
        "drizzle/0001_index.sql:1:1: CREATE INDEX CONCURRENTLY fails inside a transaction block "
        "[ban-concurrent-index-creation-in-transaction]\n"
        "  note: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the "
        "runner's transaction (drizzle's migrator runs the pending migrations in one transaction): the migration "
        "fails\n");
  // A journal that is not JSON is no sign.
  write_file(t.dir / "drizzle/meta/_journal.json", "{\"entries\": [");
  CHECK(lint_gcc(t.dir, "drizzle", kIdem) == plain + index_plain);
}

TEST_CASE("drizzle: --> statement-breakpoint ends a statement where the migrator splits, positions kept",
          "[lint][parse]") {
  TempDir t("drizzle_breakpoint");
  // drizzle-kit writes the marker right after the `;`, or on a line of its own; the migrator sends each piece
  // alone, so a piece without its `;` is still one statement.
  write_file(t.dir / "m.sql",
             "CREATE TABLE \"a\" (\"id\" integer);--> statement-breakpoint\n"
             "CREATE TABLE \"b\" (\"id\" integer)\n"
             "--> statement-breakpoint\n"
             "  CREATE TABLE c (id integer);\n"
             "SELECT '--> statement-breakpoint';\n");
  CHECK(lint_gcc(t.dir, "m.sql", "syntax-error,require-if-not-exists") ==
        "m.sql:1:1: warning: re-run fails: table a already exists [require-if-not-exists]\n"
        "m.sql:2:1: warning: re-run fails: table b already exists [require-if-not-exists]\n"
        "m.sql:4:3: warning: re-run fails: table c already exists [require-if-not-exists]\n");
}

TEST_CASE("drizzle: a breakpoint inside a string or dollar quote cuts it, as the migrator splits the text",
          "[lint][parse]") {
  TempDir t("drizzle_breakpoint_string");
  // drizzle-orm's readMigrationFiles: query.split('--> statement-breakpoint'), blind to quoting; each piece is one
  // query, and PostgreSQL refuses all three (tests/test_runner_oracle.cpp sends them).
  write_file(t.dir / "drizzle/0000_x.sql",
             "CREATE TABLE \"a\" (\"id\" integer);\n"
             "SELECT 'x--> statement-breakpoint y';\n"
             "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1 --> statement-breakpoint\n$$;\n");
  // Run by psql (no journal lists it), the strings stay whole.
  CHECK(lint_gcc(t.dir, "drizzle", "syntax-error").empty());
  write_file(t.dir / "drizzle/meta/_journal.json",
             R"({"version":"7","dialect":"postgresql","entries":[)"
             R"({"idx":0,"version":"7","when":1700000000000,"tag":"0000_x","breakpoints":true}]})");
  CHECK(lint_gcc(t.dir, "drizzle", "syntax-error") ==
        "drizzle/0000_x.sql:2:8: error: unterminated quoted string (drizzle's migrator cuts the file at every --> "
        "statement-breakpoint, inside strings too) [syntax-error]\n"
        "drizzle/0000_x.sql:2:35: error: syntax error at or near \"y\" [syntax-error]\n"
        "drizzle/0000_x.sql:4:1: error: unterminated dollar-quoted string (drizzle's migrator cuts the file at every "
        "--> statement-breakpoint, inside strings too) [syntax-error]\n");
}

TEST_CASE("Synapse: .sql.postgres schema files are discovered and run as deltas, .sql.sqlite never runs",
          "[lint][runner]") {
  TempDir t("runner_synapse_engine");
  write_file(t.dir / "synapse/storage/schema/main/delta/84/01_stats.sql.postgres",
             "CREATE INDEX CONCURRENTLY s_id ON s (id);\nCREATE TABLE s2 (id bigint);\n");
  write_file(t.dir / "synapse/storage/schema/main/delta/84/01_stats.sql.sqlite", "CREATE TABLE s3 (id INTEGER);\n");
  write_file(t.dir / "synapse/storage/schema/main/full_schemas/72/full.sql.postgres",
             "CREATE TABLE f (id bigint, name varchar(40));\n");
  // Outside Synapse's layout a .sql.postgres file is nobody's migration.
  write_file(t.dir / "other/x.sql.postgres", "DROP TABLE x;\n");
  CHECK(lint_notes(t.dir, ".", "ban-concurrent-index-creation-in-transaction") ==
        "synapse/storage/schema/main/delta/84/01_stats.sql.postgres:1:1: CREATE INDEX CONCURRENTLY fails inside a "
        "transaction block [ban-concurrent-index-creation-in-transaction]\n"
        "  note: CREATE INDEX CONCURRENTLY cannot run inside a transaction block, and this one runs inside the "
        "runner's transaction (Synapse runs each schema delta in a transaction): the migration fails\n");
  CHECK(lint_gcc(t.dir, ".", std::string(kIdem) + ",ban-concurrent-index-creation-in-transaction,ban-drop-table") ==
        "synapse/storage/schema/main/delta/84/01_stats.sql.postgres:1:1: error: CREATE INDEX CONCURRENTLY fails inside "
        "a transaction block [ban-concurrent-index-creation-in-transaction]\n");
  // Plain, the same files get the idempotency findings: they were linted, not skipped.
  CHECK(lint_gcc(t.dir, ". --runner plain", "require-if-not-exists") ==
        "synapse/storage/schema/main/delta/84/01_stats.sql.postgres:1:1: warning: re-run fails: index s_id already "
        "exists [require-if-not-exists]\n"
        "synapse/storage/schema/main/delta/84/01_stats.sql.postgres:2:1: warning: re-run fails: table s2 already "
        "exists [require-if-not-exists]\n"
        "synapse/storage/schema/main/full_schemas/72/full.sql.postgres:1:1: warning: re-run fails: table f already "
        "exists [require-if-not-exists]\n");
  // A full schema is pg_dump's output (scripts-dev/make_full_schema.sh): its column types were chosen by the deltas,
  // which are linted on their own, as for any schema dump; a delta's are reported.
  write_file(t.dir / "synapse/storage/schema/main/delta/84/02_name.sql", "ALTER TABLE s2 ADD COLUMN name varchar(40);\n");
  CHECK(lint_gcc(t.dir, "synapse --rule prefer-text-field", "prefer-text-field") ==
        "synapse/storage/schema/main/delta/84/02_name.sql:1:32: warning: column name of s2 is varchar(40) "
        "[prefer-text-field]\n");
}

TEST_CASE("extension pieces: a file calling pg_extension_config_dump is part of an extension script",
          "[lint][runner]") {
  TempDir t("runner_config_dump");
  write_file(t.dir / "sql/pre_install/tables.sql",
             "CREATE TABLE _cat.t (id bigint);\n"
             "SELECT pg_catalog.pg_extension_config_dump('_cat.t', '');\n");
  // The same words in a string (a migration storing another script's text) or a function body are no sign.
  write_file(t.dir / "app/store.sql",
             "CREATE TABLE scripts (body text);\n"
             "INSERT INTO scripts VALUES ($s$SELECT pg_extension_config_dump('documents', '');$s$);\n");
  CHECK(lint_gcc(t.dir, "sql app", kIdem) ==
        "app/store.sql:1:1: warning: re-run fails: table scripts already exists "
        "[require-if-not-exists]\n"
        "app/store.sql:2:1: warning: a re-run inserts the rows into scripts again [non-idempotent-insert]\n");
}

TEST_CASE("extension pieces: files a CMake build concatenates into an installed extension script",
          "[lint][runner]") {
  TempDir t("runner_cmake_pieces");
  // timescaledb's shape: sql/CMakeLists.txt includes a module of cmake/ naming the pieces (by their path from
  // sql/, or by name with the folder passed as ${CMAKE_CURRENT_SOURCE_DIR}/updates), joins them into the install
  // and update scripts and installs those into PostgreSQL's extension folder.
  write_file(t.dir / "cmake/Pieces.cmake",
             "# pieces\nset(PRE_INSTALL_SOURCE_FILES\n    pre_install/schemas.sql # first\n    pre_install/types.pre.sql)\n"
             "set(PRE_UPDATE_FILES updates/pre-update.sql)\nset(REV_FILE reverse-dev.sql)\n");
  const std::string lists =
      "include(Pieces)\n"
      "add_custom_command(OUTPUT x COMMAND cat \"${PRE_INSTALL_SOURCE_FILES};${PRE_UPDATE_FILES}\")\n"
      "generate_downgrade_script(INPUT_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/updates FILES ${REV_FILE})\n";
  write_file(t.dir / "sql/CMakeLists.txt", lists);
  write_file(t.dir / "sql/pre_install/schemas.sql", "CREATE SCHEMA _cat;\n");
  write_file(t.dir / "sql/pre_install/types.pre.sql", "CREATE TYPE _cat.pair AS (a int, b int);\n");
  write_file(t.dir / "sql/updates/pre-update.sql", "CREATE TABLE _cat.saved (id bigint);\n");
  write_file(t.dir / "sql/updates/reverse-dev.sql", "DROP TABLE _cat.gone;\n");
  // Named nowhere in the build: not a piece.
  write_file(t.dir / "sql/scratch.sql", "CREATE TABLE scratch (id bigint);\n");
  const std::string rules = std::string(kIdem) + ",unguarded-create";
  const std::string scratch =
      "sql/scratch.sql:1:1: warning: re-run fails: table scratch already exists "
      "[require-if-not-exists]\n";
  const std::string plain =
      "sql/pre_install/schemas.sql:1:1: warning: re-run fails: schema _cat already exists "
      "[require-if-not-exists]\n"
      "sql/pre_install/types.pre.sql:1:1: warning: re-run fails: type _cat.pair already exists "
      "[unguarded-create]\n" +
      scratch +
      "sql/updates/pre-update.sql:1:1: warning: re-run fails: table _cat.saved already exists "
      "[require-if-not-exists]\n"
      "sql/updates/reverse-dev.sql:1:1: warning: re-run fails: table _cat.gone was already "
      "dropped [require-if-exists]\n";
  // A build that installs nothing into the extension folder does not make an extension script: plain files.
  CHECK(lint_gcc(t.dir, "sql", rules) == plain);
  write_file(t.dir / "sql/CMakeLists.txt",
             lists + "install(FILES ${CMAKE_CURRENT_BINARY_DIR}/${INSTALL_FILE} DESTINATION \"${PG_SHAREDIR}/extension\")\n");
  // CREATE/ALTER EXTENSION runs the joined script in its transaction, and records the version it reached.
  CHECK(lint_gcc(t.dir, "sql", rules) == scratch);
  CHECK(lint_gcc(t.dir, "sql --runner plain", rules) == plain);
}

TEST_CASE("temporal-sql-tool: setup-schema's schema.sql beside versioned/ builds a new database",
          "[lint][runner]") {
  TempDir t("runner_temporal_setup");
  write_file(t.dir / "schema/postgresql/v12/temporal/schema.sql",
             "CREATE TABLE namespaces (id bytea PRIMARY KEY);\n"
             "INSERT INTO namespace_metadata VALUES (54321, 1);\n");
  const std::string plain =
      "schema/postgresql/v12/temporal/schema.sql:1:1: warning: re-run fails: table namespaces "
      "already exists [require-if-not-exists]\n"
      "schema/postgresql/v12/temporal/schema.sql:2:1: warning: a re-run inserts the rows into namespace_metadata "
      "again [non-idempotent-insert]\n";
  CHECK(lint_gcc(t.dir, "schema", kIdem) == plain);
  // With the versioned/ folder update-schema reads, schema.sql is the file setup-schema loads into a new database
  // (tools/common/schema/setuptask.go; --overwrite drops every table first): never run on one that has its tables.
  write_file(t.dir / "schema/postgresql/v12/temporal/versioned/v1.0/manifest.json", "{}");
  CHECK(lint_gcc(t.dir, "schema", kIdem).empty());
  CHECK(lint_gcc(t.dir, "schema --runner plain", kIdem) == plain);
}

TEST_CASE("plain psql: a file that quits under a psql if meta-command before it changes anything guards its re-runs",
          "[lint][runner]") {
  TempDir t("runner_psql_guard");
  const std::string guard =
      "\\set ON_ERROR_STOP true\n"
      "SELECT EXISTS (SELECT 1 FROM information_schema.tables WHERE table_name = 'tenants') AS db_exists;\n"
      "\\gset\n"
      "\\if :db_exists\n"
      "\\echo DB already exists, stopping script\n"
      "\\q\n"
      "\\endif\n";
  const std::string body =
      "BEGIN;\n"
      "CREATE TABLE tenants (id bigint);\n"
      "COMMIT;\n"
      "CREATE INDEX CONCURRENTLY tenants_id ON tenants (id);\n";
  write_file(t.dir / "init_schema.sql", guard + body);
  // Inside the transaction a failure leaves nothing and the guard stops a second run; the statement after COMMIT
  // can be left applied by a failure after it, so it stays checked.
  CHECK(lint_gcc(t.dir, "init_schema.sql", kIdem) ==
        "init_schema.sql:11:1: warning: re-run fails: index tenants_id already exists "
        "[require-if-not-exists]\n");
  // An \if that does not quit, or a change before the guard, is no guard.
  write_file(t.dir / "init_schema.sql", "\\if :db_exists\n\\echo exists\n\\endif\n" + body);
  CHECK(lint_gcc(t.dir, "init_schema.sql", kIdem) ==
        "init_schema.sql:5:1: warning: re-run fails: table tenants already exists "
        "[require-if-not-exists]\n"
        "init_schema.sql:7:1: warning: re-run fails: index tenants_id already exists "
        "[require-if-not-exists]\n");
  write_file(t.dir / "init_schema.sql", "CREATE TABLE early (id bigint);\n" + guard + body);
  CHECK(lint_gcc(t.dir, "init_schema.sql", kIdem) ==
        "init_schema.sql:1:1: warning: re-run fails: table early already exists "
        "[require-if-not-exists]\n"
        "init_schema.sql:10:1: warning: re-run fails: table tenants already exists "
        "[require-if-not-exists]\n"
        "init_schema.sql:12:1: warning: re-run fails: index tenants_id already exists "
        "[require-if-not-exists]\n");
}
