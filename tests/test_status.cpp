// driftguard status: SHA-256, checksum matching, edit classification and diffs (pure), then every history state
// of both trackers against a real server, through the binary.
#include <catch2/catch.hpp>

#include <pqxx/pqxx>

#include <optional>
#include <string>

#include "introspect/db/connection.hpp"
#include "introspect/history.hpp"
#include "introspect/sha256.hpp"
#include "tests/git_repo.hpp"
#include "tests/pg_server.hpp"

using namespace driftguard;
using namespace driftguard::history;
using dgtest::Repo;

// ---------------------------------------------------------------------------------------------------------------
// Pure parts.

TEST_CASE("sha256: FIPS 180-4 vectors and padding boundaries", "[status]") {
  CHECK(sha256_hex("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(sha256_hex("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(sha256_hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq") ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  // lengths around the 56-byte padding boundary and the block size (reference: Python's hashlib)
  CHECK(sha256_hex(std::string(55, 'a')) == "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  CHECK(sha256_hex(std::string(56, 'a')) == "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  CHECK(sha256_hex(std::string(63, 'a')) == "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
  CHECK(sha256_hex(std::string(64, 'a')) == "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  CHECK(sha256_hex(std::string(65, 'a')) == "635361c48bb9eab14198e76ea8ab7f1a41685d6ad62aa9146d301d4f17eb0ae0");
  CHECK(sha256_hex(std::string(119, 'a')) == "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  CHECK(sha256_hex(std::string(120, 'a')) == "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
  CHECK(sha256_hex(std::string(1000000, 'a')) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("Prisma checksums: exact, either line-ending variant, the old unpadded format", "[status]") {
  std::string lf = "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\n";
  std::string crlf = "CREATE TABLE a (id int);\r\nCREATE TABLE b (id int);\r\n";
  CHECK(match_checksum(lf, sha256_hex(lf)) == ChecksumMatch::exact);
  CHECK(match_checksum(lf, sha256_hex(crlf)) == ChecksumMatch::line_endings);
  CHECK(match_checksum(crlf, sha256_hex(lf)) == ChecksumMatch::line_endings);
  CHECK(match_checksum(lf, sha256_hex(lf + " ")) == ChecksumMatch::none);
  // uppercase hex is the same checksum
  std::string upper = sha256_hex(lf);
  for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  CHECK(match_checksum(lf, upper) == ChecksumMatch::exact);
  // sha256("abc") has the bytes 0x01 (index 6? no: ...) — find one with a byte below 0x10 to test the old format
  std::string abc_old;
  for (auto b : sha256("abc")) {
    const char* d = "0123456789abcdef";
    if (b >= 16) abc_old += d[b >> 4];
    abc_old += d[b & 15];
  }
  REQUIRE(abc_old.size() < 64);  // "abc" has bytes below 0x10 (0x01, 0x03, ...)
  CHECK(match_checksum("abc", abc_old) == ChecksumMatch::exact);
}

TEST_CASE("edits are classified: line endings, white space or comments, real change", "[status]") {
  CHECK(classify_edit("a;\n", "a;\n") == EditKind::none);
  CHECK(classify_edit("a;\r\nb;\n", "a;\nb;\n") == EditKind::line_endings);
  CHECK(classify_edit("CREATE TABLE t (id int);\n", "-- why\nCREATE TABLE t (\n  id int\n);\n") ==
        EditKind::whitespace_comments);
  CHECK(classify_edit("CREATE TABLE t (id int); /* x */", "CREATE  TABLE t(id int);") == EditKind::whitespace_comments);
  // white space inside a string literal is content
  CHECK(classify_edit("SELECT 'a b';", "SELECT 'a  b';") == EditKind::real_change);
  CHECK(classify_edit("CREATE TABLE t (id int);", "CREATE TABLE t (id bigint);") == EditKind::real_change);
}

TEST_CASE("statements as the Supabase CLI records them", "[status]") {
  CHECK(supabase_statements("create table a (id int);\n\n-- b\ncreate table b (x text default ';');\n") ==
        std::vector<std::string>{"create table a (id int)", "-- b\ncreate table b (x text default ';')"});
  CHECK(supabase_statements("select 1;\n-- trailing comment\n") ==
        std::vector<std::string>{"select 1", "-- trailing comment"});
  CHECK(supabase_statements("select 1") == std::vector<std::string>{"select 1"});
  CHECK(supabase_statements("create function f() returns int as $$ select 1; $$ language sql;") ==
        std::vector<std::string>{"create function f() returns int as $$ select 1; $$ language sql"});
  CHECK(supabase_statements("\n  \n").empty());
}

TEST_CASE("unified diff with context and hunks", "[status]") {
  CHECK(unified_diff("a\nb\n", "a\nb\n", "x", "y").empty());
  CHECK(unified_diff("a\nb\nc\n", "a\nB\nc\n", "old", "new") ==
        "--- old\n+++ new\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
  // two changes far apart: two hunks with 3 lines of context each
  std::string from = "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n11\n12\n";
  std::string to = "1\nX\n3\n4\n5\n6\n7\n8\n9\n10\n11\nY\n";
  CHECK(unified_diff(from, to, "a", "b") ==
        "--- a\n+++ b\n"
        "@@ -1,5 +1,5 @@\n 1\n-2\n+X\n 3\n 4\n 5\n"
        "@@ -9,4 +9,4 @@\n 9\n 10\n 11\n-12\n+Y\n");
  // insertion into an empty text, and a missing final newline
  CHECK(unified_diff("", "x\n", "a", "b") == "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n");
  CHECK(unified_diff("x\n", "x", "a", "b") ==
        "--- a\n+++ b\n@@ -1 +1 @@\n-x\n+x\n\\ No newline at end of file\n");
  // CR of CRLF lines is not part of the compared text
  CHECK(unified_diff("a\r\nb\r\n", "a\nc\n", "a", "b") == "--- a\n+++ b\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n");
}

TEST_CASE("audit without a database: rows and files give the states", "[status]") {
  std::vector<MigrationFile> files = {
      {"1_a", "1_a", "m/1_a/migration.sql", "A;\n"},
      {"2_b", "2_b", "m/2_b/migration.sql", "B;\n"},
      {"3_c", "3_c", "m/3_c/migration.sql", "C;\n"},
  };
  TrackerData d;
  d.table = "public._prisma_migrations";
  d.prisma.push_back({"i1", sha256_hex("A;\n"), "2024-01-01T00:00:01.000Z", "1_a", std::nullopt, std::nullopt,
                      "2024-01-01T00:00:00.000Z", 1});
  d.prisma.push_back({"i3", sha256_hex("C;\n"), "2024-01-03T00:00:01.000Z", "3_c", std::nullopt, std::nullopt,
                      "2024-01-03T00:00:00.000Z", 1});
  auto rep = audit(Tracker::prisma, files, d, nullptr);
  REQUIRE(rep.entries.size() == 3);
  CHECK(rep.entries[0].state == State::applied);
  CHECK(rep.entries[1].state == State::out_of_order);
  CHECK(rep.entries[1].problems == std::set<Problem>{Problem::pending, Problem::out_of_order});
  CHECK(rep.entries[1].out_of_order_after == "3_c");
  CHECK(rep.entries[2].state == State::applied);
}

// ---------------------------------------------------------------------------------------------------------------
// Against the server.

namespace {

const char* kPrismaDDL = R"(CREATE TABLE _prisma_migrations (
    id                      VARCHAR(36) PRIMARY KEY NOT NULL,
    checksum                VARCHAR(64) NOT NULL,
    finished_at             TIMESTAMPTZ,
    migration_name          VARCHAR(255) NOT NULL,
    logs                    TEXT,
    rolled_back_at          TIMESTAMPTZ,
    started_at              TIMESTAMPTZ NOT NULL DEFAULT now(),
    applied_steps_count     INTEGER NOT NULL DEFAULT 0
);
)";

const char* kSupabaseDDL =
    "CREATE SCHEMA supabase_migrations;\n"
    "CREATE TABLE supabase_migrations.schema_migrations (version text NOT NULL PRIMARY KEY, statements text[], "
    "name text);\n";

std::string lit(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}
std::string lit(const std::optional<std::string>& s) { return s ? lit(*s) : "NULL"; }

std::string hex(const std::string& s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += d[c >> 4];
    out += d[c & 15];
  }
  return out;
}

// The checksum computed by the server's own sha256(), from the exact bytes (independent of ours).
std::string server_checksum(const std::string& content) {
  return "encode(sha256(decode('" + hex(content) + "', 'hex')), 'hex')";
}

struct PrismaRowSpec {
  std::string name;
  std::string checksum_sql;  // an SQL expression
  std::string started;
  std::optional<std::string> finished;
  std::optional<std::string> rolled_back = std::nullopt;
  std::optional<std::string> logs = std::nullopt;
};

void insert_prisma(const std::string& db, const PrismaRowSpec& r) {
  dgtest::pg::exec(db, "INSERT INTO _prisma_migrations (id, checksum, finished_at, migration_name, logs, "
                       "rolled_back_at, started_at, applied_steps_count) VALUES (gen_random_uuid()::text, " +
                           r.checksum_sql + ", " + lit(r.finished) + ", " + lit(r.name) + ", " + lit(r.logs) + ", " +
                           lit(r.rolled_back) + ", " + lit(r.started) + ", " + (r.finished ? "1" : "0") + ")");
}

using dgtest::shell_quote;

std::string target_of(const std::string& db) {
  db::ConnectOptions o;
  o.url = db;
  return db::describe(o);
}

std::string header(const std::string& tracker, const std::string& db, const std::string& dir) {
  return "tracker:    " + tracker + "\ndatabase:   " + target_of(db) + "\nmigrations: " + dir + "\n\n";
}

std::string commit_of(const Repo& repo) { return dgtest::trim(repo.sh("git rev-parse HEAD")).substr(0, 12); }

const std::string kUTC = "+00";

}  // namespace

TEST_CASE("status (prisma): every state, edit classification and diffs", "[status][pg]") {
  Repo repo;
  const std::string m = "prisma/migrations/";
  auto file = [&](const std::string& name, const std::string& text) { repo.write(m + name + "/migration.sql", text); };
  // What was applied (committed first).
  file("20240101000000_init", "CREATE TABLE a (id integer);\n");
  file("20240102000000_crlf", "CREATE TABLE b (\r\n  id integer\r\n);\r\n");
  file("20240102500000_retried", "CREATE TABLE r (id integer);\n");
  file("20240103000000_ws", "CREATE TABLE c (id integer);\n");
  file("20240103500000_mixed", "CREATE TABLE m1 (id integer);\r\nCREATE TABLE m2 (id integer);\n");
  file("20240104000000_real", "CREATE TABLE d (id integer);\n");
  file("20240104500000_unknown", "CREATE TABLE u (id integer);\n");
  file("20240105000000_failed", "CREATE TABLE f (id integer REFERENCES nope);\n");
  file("20240106000000_rolled", "CREATE TABLE g (id integer);\n");
  file("20240108000000_late", "CREATE TABLE h (id integer);\n");
  file("20240108500000_early", "CREATE TABLE i (id integer);\n");
  file("20240109000000_ok", "CREATE TABLE j (id integer);\n");
  file("20240110000000_new", "CREATE TABLE k (id integer);\n");
  repo.write(m + "migration_lock.toml", "provider = \"postgresql\"\n");
  repo.write(m + "README.sql", "-- not a migration\n");
  repo.commit("migrations");
  std::string applied_commit = commit_of(repo);
  // Edited after apply.
  file("20240103000000_ws", "-- c holds things\nCREATE TABLE c (\n  id integer\n);\n");
  file("20240103500000_mixed", "CREATE TABLE m1 (id integer);\nCREATE TABLE m2 (id integer);\n");
  file("20240104000000_real", "CREATE TABLE d (id bigint);\n");
  repo.commit("edits");

  std::string db = dgtest::pg::fresh_database("status");
  dgtest::pg::exec(db, kPrismaDDL);
  // applied on the day its name says
  auto applied = [&](const std::string& name, const std::string& content) {
    std::string day = name.substr(0, 4) + "-" + name.substr(4, 2) + "-" + name.substr(6, 2);
    insert_prisma(db, {name, server_checksum(content), day + " 00:00:00" + kUTC, day + " 00:00:01" + kUTC});
  };
  applied("20240101000000_init", "CREATE TABLE a (id integer);\n");
  applied("20240102000000_crlf", "CREATE TABLE b (\n  id integer\n);\n");  // applied on a machine with LF
  insert_prisma(db, {"20240102500000_retried", server_checksum("CREATE TABLE r (id integer);\n"),
                     "2024-01-02 12:00:00" + kUTC, std::nullopt, "2024-01-02 12:05:00" + kUTC});
  insert_prisma(db, {"20240102500000_retried", server_checksum("CREATE TABLE r (id integer);\n"),
                     "2024-01-02 13:00:00" + kUTC, "2024-01-02 13:00:01" + kUTC});
  applied("20240103000000_ws", "CREATE TABLE c (id integer);\n");
  applied("20240103500000_mixed", "CREATE TABLE m1 (id integer);\r\nCREATE TABLE m2 (id integer);\n");
  applied("20240104000000_real", "CREATE TABLE d (id integer);\n");
  applied("20240104500000_unknown", "CREATE TABLE u (id text);\n");
  insert_prisma(db, {"20240105000000_failed", server_checksum("CREATE TABLE f (id integer REFERENCES nope);\n"),
                     "2024-01-05 00:00:00" + kUTC, std::nullopt, std::nullopt,
                     "A migration failed to apply.\n\nMigration name: 20240105000000_failed\n\nDatabase error code: "
                     "42P01\n\nDatabase error:\nERROR: relation \"nope\" does not exist\n"});
  insert_prisma(db, {"20240106000000_rolled", server_checksum("CREATE TABLE g (id integer);\n"),
                     "2024-01-06 00:00:00" + kUTC, std::nullopt, "2024-01-06 01:00:00" + kUTC});
  applied("20240107000000_gone", "CREATE TABLE gone (id integer);\n");
  applied("20240109000000_ok", "CREATE TABLE j (id integer);\n");
  // 20240108000000_late was applied after 20240109000000_ok
  insert_prisma(db, {"20240108000000_late", server_checksum("CREATE TABLE h (id integer);\n"),
                     "2024-02-01 00:00:00" + kUTC, "2024-02-01 00:00:01" + kUTC});

  std::string diff_commit = applied_commit;
  auto r = repo.driftguard("status --database-url " + shell_quote(db) + " --migrations prisma/migrations");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  CHECK(r.out ==
        header("prisma (public._prisma_migrations)", db, "prisma/migrations") +
            "applied      20240101000000_init\n"
            "applied      20240102000000_crlf  line endings differ from what was applied (accepted, as Prisma does)\n"
            "applied      20240102500000_retried\n"
            "edited       20240103000000_ws  edited after apply: white space or comments only (applied content from "
            "git commit " + diff_commit + ")\n"
            "    --- applied (git commit " + diff_commit + ")\n"
            "    +++ prisma/migrations/20240103000000_ws/migration.sql\n"
            "    @@ -1 +1,4 @@\n"
            "    -CREATE TABLE c (id integer);\n"
            "    +-- c holds things\n"
            "    +CREATE TABLE c (\n"
            "    +  id integer\n"
            "    +);\n"
            "edited       20240103500000_mixed  edited after apply: line endings only (applied content from git commit " +
            diff_commit + ")\n"
            "edited       20240104000000_real  edited after apply: a real change (applied content from git commit " +
            diff_commit + ")\n"
            "    --- applied (git commit " + diff_commit + ")\n"
            "    +++ prisma/migrations/20240104000000_real/migration.sql\n"
            "    @@ -1 +1 @@\n"
            "    -CREATE TABLE d (id integer);\n"
            "    +CREATE TABLE d (id bigint);\n"
            "edited       20240104500000_unknown  edited after apply: the applied content is unknown (no commit of the "
            "file in git history has the applied checksum)\n"
            "failed       20240105000000_failed  started 2024-01-05T00:00:00.000Z, not finished; logs: ERROR: relation "
            "\"nope\" does not exist\n"
            "rolled-back  20240106000000_rolled  rolled back 2024-01-06T01:00:00.000Z; the next deploy applies it again\n"
            "missing      20240107000000_gone  applied 2024-01-07T00:00:01.000Z; not in the directory\n"
            "out-of-order 20240108000000_late  applied 2024-02-01T00:00:00.000Z, after 20240109000000_ok, which sorts "
            "after it\n"
            "out-of-order 20240108500000_early  pending; sorts before 20240109000000_ok, which is already applied\n"
            "applied      20240109000000_ok\n"
            "pending      20240110000000_new\n"
            "\n"
            "note: ignored prisma/migrations/README.sql (not a prisma migration file)\n"
            "\n"
            "14 migrations: 4 applied, 1 pending, 2 out-of-order, 4 edited, 1 failed, 1 rolled-back, 1 missing\n");
  // one migration's state as a deploy script reads it: a failed migration exits 4
  auto failed = repo.driftguard("status --database-url " + shell_quote(db) +
                                " --migrations prisma/migrations --file prisma/migrations/20240105000000_failed/migration.sql");
  CHECK(failed.err == "");
  CHECK(failed.code == 4);
  CHECK(failed.out == "failed       20240105000000_failed  started 2024-01-05T00:00:00.000Z, not finished; logs: ERROR: "
                      "relation \"nope\" does not exist\n");
}

TEST_CASE("status (supabase): every state, statements compared without white space", "[status][pg]") {
  Repo repo;
  const std::string m = "supabase/migrations/";
  repo.write(m + "20240101000000_init.sql", "create table a (id int);\ncreate table b (id int);\n");
  repo.write(m + "20240102000000_crlf.sql", "create table c (\r\n  id int\r\n);\r\n");
  repo.write(m + "20240103000000_ws.sql", "create table d (id int,   name text);\n");
  repo.write(m + "20240104000000_comment.sql", "-- new comment\ncreate table e (id int);\n");
  repo.write(m + "20240105000000_real.sql", "create table f (id bigint);\n");
  repo.write(m + "20240106500000_early.sql", "create table g (id int);\n");
  repo.write(m + "20240107000000_last.sql", "create table h (id int);\n");
  repo.write(m + "20240108000000_new.sql", "create table i (id int);\n");
  repo.write(m + "notes.sql", "-- scratch\n");

  std::string db = dgtest::pg::fresh_database("status");
  dgtest::pg::exec(db, kSupabaseDDL);
  auto row = [&](const std::string& version, const std::string& name, const std::string& stmts) {
    dgtest::pg::exec(db, "INSERT INTO supabase_migrations.schema_migrations (version, name, statements) VALUES (" +
                             lit(version) + ", " + lit(name) + ", " + stmts + ")");
  };
  row("20240101000000", "init", "ARRAY['create table a (id int)', 'create table b (id int)']");
  row("20240102000000", "crlf", "ARRAY[E'create table c (\\n  id int\\n)']");
  row("20240103000000", "ws", "ARRAY['create table d (id int, name text)']");
  row("20240104000000", "comment", "ARRAY['create table e (id int)']");
  row("20240105000000", "real", "ARRAY['create table f (id int)']");
  row("20240106000000", "gone", "ARRAY['create table gone (id int)']");
  row("20240107000000", "last", "ARRAY['create table h (id int)']");

  auto r = repo.driftguard("status --database-url " + shell_quote(db) + " --migrations supabase/migrations");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  const std::string src = "supabase_migrations.schema_migrations.statements";
  CHECK(r.out ==
        header("supabase (supabase_migrations.schema_migrations)", db, "supabase/migrations") +
            "applied      20240101000000_init\n"
            "applied      20240102000000_crlf  line endings differ from the applied statements (accepted)\n"
            "applied      20240103000000_ws  white space differs from the applied statements (accepted)\n"
            "edited       20240104000000_comment  edited after apply: white space or comments only (applied content "
            "from " + src + ")\n"
            "    --- applied (" + src + ")\n"
            "    +++ supabase/migrations/20240104000000_comment.sql (statements)\n"
            "    @@ -1 +1,2 @@\n"
            "    +-- new comment\n"
            "     create table e (id int);\n"
            "edited       20240105000000_real  edited after apply: a real change (applied content from " + src + ")\n"
            "    --- applied (" + src + ")\n"
            "    +++ supabase/migrations/20240105000000_real.sql (statements)\n"
            "    @@ -1 +1 @@\n"
            "    -create table f (id int);\n"
            "    +create table f (id bigint);\n"
            "missing      20240106000000_gone  applied; not in the directory\n"
            "out-of-order 20240106500000_early  pending; sorts before 20240107000000_last, which is already applied\n"
            "applied      20240107000000_last\n"
            "pending      20240108000000_new\n"
            "\n"
            "note: ignored supabase/migrations/notes.sql (not a supabase migration file)\n"
            "\n"
            "9 migrations: 4 applied, 1 pending, 1 out-of-order, 2 edited, 1 missing\n");

  // A deploy applies exactly what is still to apply, in order.
  r = repo.driftguard("status --database-url " + shell_quote(db) + " --migrations supabase/migrations --pending-only --format names");
  CHECK(r.err == "");
  CHECK(r.code == 1);  // out of order and edited: attention needed, the script must stop
  CHECK(r.out == "supabase/migrations/20240106500000_early.sql\nsupabase/migrations/20240108000000_new.sql\n");
}

TEST_CASE("status: --pending-only, --format names and exit codes for a deploy", "[status][pg]") {
  Repo repo;
  const std::string m = "prisma/migrations/";
  repo.write(m + "20240101000000_a/migration.sql", "CREATE TABLE a (id integer);\n");
  repo.write(m + "20240102000000_b/migration.sql", "CREATE TABLE b (id integer);\n");
  repo.write(m + "20240103000000_c/migration.sql", "CREATE TABLE c (id integer);\n");
  std::string db = dgtest::pg::fresh_database("status");
  dgtest::pg::exec(db, kPrismaDDL);
  insert_prisma(db, {"20240101000000_a", server_checksum("CREATE TABLE a (id integer);\n"), "2024-01-01 00:00:00+00",
                     "2024-01-01 00:00:01+00"});
  std::string base = "status --database-url " + shell_quote(db) + " --migrations prisma/migrations";

  auto r = repo.driftguard(base + " --pending-only --format names");
  CHECK(r.err == "");
  CHECK(r.code == 0);  // pending is what a deploy is for
  CHECK(r.out == "prisma/migrations/20240102000000_b/migration.sql\nprisma/migrations/20240103000000_c/migration.sql\n");

  r = repo.driftguard(base + " --fail-on pending");
  CHECK(r.code == 1);
  CHECK(r.out == header("prisma (public._prisma_migrations)", db, "prisma/migrations") +
                     "applied      20240101000000_a\n"
                     "pending      20240102000000_b\n"
                     "pending      20240103000000_c\n"
                     "\n"
                     "3 migrations: 1 applied, 2 pending\n");

  r = repo.driftguard(base + " --pending-only");
  CHECK(r.code == 0);
  CHECK(r.out == header("prisma (public._prisma_migrations)", db, "prisma/migrations") +
                     "pending      20240102000000_b\n"
                     "pending      20240103000000_c\n"
                     "\n"
                     "3 migrations: 1 applied, 2 pending\n");

  // After the deploy: everything applied, nothing to print, exit 0 even with --fail-on all.
  insert_prisma(db, {"20240102000000_b", server_checksum("CREATE TABLE b (id integer);\n"), "2024-01-02 00:00:00+00",
                     "2024-01-02 00:00:01+00"});
  insert_prisma(db, {"20240103000000_c", server_checksum("CREATE TABLE c (id integer);\n"), "2024-01-03 00:00:00+00",
                     "2024-01-03 00:00:01+00"});
  r = repo.driftguard(base + " --pending-only --format names --fail-on all");
  CHECK(r.code == 0);
  CHECK(r.out == "");

  // A rolled-back migration is applied again by the next deploy: it is listed; rolled-back is not a failure by
  // default.
  dgtest::pg::exec(db, "UPDATE _prisma_migrations SET rolled_back_at = '2024-01-04 00:00:00+00', finished_at = NULL "
                       "WHERE migration_name = '20240103000000_c'");
  r = repo.driftguard(base + " --pending-only --format names");
  CHECK(r.code == 0);
  CHECK(r.out == "prisma/migrations/20240103000000_c/migration.sql\n");
  r = repo.driftguard(base + " --format names --pending-only --fail-on rolled-back,failed");
  CHECK(r.code == 1);

  // An edit fails by default; --fail-on chooses.
  repo.write(m + "20240101000000_a/migration.sql", "CREATE TABLE a (id bigint);\n");
  r = repo.driftguard(base + " --pending-only --format names");
  CHECK(r.code == 1);
  r = repo.driftguard(base + " --pending-only --format names --fail-on none");
  CHECK(r.code == 0);
  r = repo.driftguard(base + " --fail-on pending,bogus");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "driftguard: error: --fail-on: unknown condition 'bogus' (expected pending, failed, edited, missing, "
                 "out-of-order, rolled-back, partially-applied, all or none)\n");
}

TEST_CASE("status: JSON output", "[status][pg]") {
  Repo repo;
  const std::string m = "prisma/migrations/";
  const std::string a = "CREATE TABLE a (id integer);\n";
  const std::string b_applied = "CREATE TABLE b (id integer);\n";
  const std::string b_now = "CREATE TABLE b (id bigint);\n";
  repo.write(m + "20240101000000_a/migration.sql", a);
  repo.write(m + "20240102000000_b/migration.sql", b_applied);
  repo.commit("applied");
  std::string commit = commit_of(repo);
  repo.write(m + "20240102000000_b/migration.sql", b_now);
  repo.write(m + "20240103000000_c/migration.sql", "CREATE TABLE c (id integer);\n");
  std::string db = dgtest::pg::fresh_database("status");
  dgtest::pg::exec(db, kPrismaDDL);
  insert_prisma(db, {"20240101000000_a", server_checksum(a), "2024-01-01 00:00:00+00", "2024-01-01 00:00:01+00"});
  insert_prisma(db,
                {"20240102000000_b", server_checksum(b_applied), "2024-01-02 00:00:00+00", "2024-01-02 00:00:01+00"});

  auto r = repo.driftguard("status --database-url " + shell_quote(db) + " --migrations prisma/migrations --format json");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  std::string diff = "--- applied (git commit " + commit +
                     ")\\n+++ prisma/migrations/20240102000000_b/migration.sql\\n@@ -1 +1 @@\\n-CREATE TABLE b (id "
                     "integer);\\n+CREATE TABLE b (id bigint);\\n";
  CHECK(r.out == R"({
  "version": 1,
  "tracker": "prisma",
  "table": "public._prisma_migrations",
  "database": ")" + target_of(db) + R"(",
  "migrations_dir": "prisma/migrations",
  "migrations": [
    {
      "name": "20240101000000_a",
      "version": "20240101000000_a",
      "path": "prisma/migrations/20240101000000_a/migration.sql",
      "state": "applied",
      "problems": [],
      "in_database": true,
      "started_at": "2024-01-01T00:00:00.000Z",
      "finished_at": "2024-01-01T00:00:01.000Z",
      "rolled_back_at": null,
      "attempts": 1,
      "logs": null,
      "checksum": {
        "database": ")" + sha256_hex(a) + R"(",
        "file": ")" + sha256_hex(a) + R"("
      },
      "line_endings_differ": false,
      "whitespace_differs": false,
      "unverified": false,
      "edit": null,
      "out_of_order_after": null
    },
    {
      "name": "20240102000000_b",
      "version": "20240102000000_b",
      "path": "prisma/migrations/20240102000000_b/migration.sql",
      "state": "edited",
      "problems": [
        "edited"
      ],
      "in_database": true,
      "started_at": "2024-01-02T00:00:00.000Z",
      "finished_at": "2024-01-02T00:00:01.000Z",
      "rolled_back_at": null,
      "attempts": 1,
      "logs": null,
      "checksum": {
        "database": ")" + sha256_hex(b_applied) + R"(",
        "file": ")" + sha256_hex(b_now) + R"("
      },
      "line_endings_differ": false,
      "whitespace_differs": false,
      "unverified": false,
      "edit": {
        "kind": "real-change",
        "original": "git commit )" + commit + R"(",
        "original_unknown": null,
        "diff": ")" + diff + R"("
      },
      "out_of_order_after": null
    },
    {
      "name": "20240103000000_c",
      "version": "20240103000000_c",
      "path": "prisma/migrations/20240103000000_c/migration.sql",
      "state": "pending",
      "problems": [
        "pending"
      ],
      "in_database": false,
      "started_at": null,
      "finished_at": null,
      "rolled_back_at": null,
      "attempts": 0,
      "logs": null,
      "checksum": {
        "database": null,
        "file": ")" + sha256_hex("CREATE TABLE c (id integer);\n") + R"("
      },
      "line_endings_differ": false,
      "whitespace_differs": false,
      "unverified": false,
      "edit": null,
      "out_of_order_after": null
    }
  ],
  "notes": [],
  "summary": {
    "total": 3,
    "applied": 1,
    "pending": 1,
    "out-of-order": 0,
    "edited": 1,
    "failed": 0,
    "rolled-back": 0,
    "missing": 0
  },
  "fail_on": [
    "failed",
    "edited",
    "missing",
    "out-of-order"
  ],
  "exit_code": 1
}
)");
}

TEST_CASE("status: the tracker is chosen by layout, then by which table exists", "[status][pg]") {
  Repo repo;
  repo.write("db/20240101000000_a.sql", "create table a (id int);\n");
  repo.write("prisma/migrations/20240101000000_a/migration.sql", "CREATE TABLE a (id integer);\n");
  std::string db = dgtest::pg::fresh_database("status");
  auto status = [&](const std::string& dir, const std::string& extra = "") {
    return repo.driftguard("status --database-url " + shell_quote(db) + " --migrations " + dir + extra);
  };
  std::string target = target_of(db);

  // neither table
  auto r = status("db");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "driftguard: error: " + target +
                     " has no migration tracker table (neither _prisma_migrations nor "
                     "supabase_migrations.schema_migrations): nothing was recorded as applied there. Is it the right "
                     "database? Without a tracker table: --tracker json:FILE (a file that lists them) or --tracker infer (from the live "
                     "schema)\n");
  // a Prisma folder, but no _prisma_migrations
  r = status("prisma/migrations");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: " + target +
                     " has no _prisma_migrations table: no prisma migration was recorded as applied there. Is it the "
                     "right database? Without a tracker table: --tracker json:FILE (a file that lists them) or --tracker infer (from the live "
                     "schema)\n");

  // only Supabase's table: a plain folder uses it
  dgtest::pg::exec(db, kSupabaseDDL);
  dgtest::pg::exec(db, "INSERT INTO supabase_migrations.schema_migrations VALUES ('20240101000000', "
                       "ARRAY['create table a (id int)'], 'a')");
  r = status("db");
  CHECK(r.err == "");
  CHECK(r.code == 0);
  CHECK(r.out == header("supabase (supabase_migrations.schema_migrations)", db, "db") +
                     "applied      20240101000000_a\n\n1 migration: 1 applied\n");

  // both tables: a plain folder is ambiguous, a Prisma folder is not
  dgtest::pg::exec(db, kPrismaDDL);
  r = status("db");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: " + target +
                     " has both _prisma_migrations and supabase_migrations.schema_migrations, and db is neither a "
                     "Prisma nor a Supabase migrations folder: choose with --tracker\n");
  r = status("prisma/migrations");
  CHECK(r.code == 0);
  CHECK(r.out == header("prisma (public._prisma_migrations)", db, "prisma/migrations") +
                     "pending      20240101000000_a\n\n1 migration: 1 pending\n");
  r = status("db", " --tracker supabase --format names");
  CHECK(r.code == 0);
  CHECK(r.out == "db/20240101000000_a.sql\n");

  // a migrations folder that does not exist
  r = status("nowhere");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: --migrations nowhere: no such directory\n");
}

TEST_CASE("status: a password in the URL never appears in any output", "[status][pg]") {
  Repo repo;
  repo.write("prisma/migrations/20240101000000_a/migration.sql", "CREATE TABLE a (id integer);\n");
  const std::string secret = "TopSecret99";

  // connection failure
  auto r = repo.driftguard("status --database-url " +
                           shell_quote("postgresql://app:" + secret + "@/db?host=/nonexistent-dir&port=5999") +
                           " --migrations prisma/migrations");
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err.rfind("driftguard: error: cannot connect to /nonexistent-dir:5999/db as app: ", 0) == 0);
  CHECK(r.err.find(secret) == std::string::npos);

  // a URL that libpq rejects (Prisma's own parameters are accepted; an unknown one is not)
  r = repo.driftguard("status --database-url " + shell_quote("postgresql://app:" + secret + "@h/db?schema=public&colour=blue") +
                      " --migrations prisma/migrations");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: invalid database URL postgresql://app:****@h/db?schema=public&colour=blue: invalid "
                 "URI query parameter: \"colour\"\n");

  // a working connection (the test server trusts local connections, so any password is accepted)
  std::string db = dgtest::pg::fresh_database("status");
  std::string dir;
  std::string port;
  std::string name;
  {
    pqxx::connection c(db);
    pqxx::nontransaction tx(c);
    auto row = tx.exec("SELECT current_setting('unix_socket_directories'), current_setting('port'), "
                       "current_database()")[0];
    dir = row[0].as<std::string>();
    dir = dir.substr(0, dir.find(','));
    port = row[1].as<std::string>();
    name = row[2].as<std::string>();
  }
  std::string url = "postgresql://postgres:" + secret + "@/" + name + "?host=" + dir + "&port=" + port;
  std::string target = dir + ":" + port + "/" + name + " as postgres";
  // no tracker table yet: an error that names the database
  r = repo.driftguard("status --database-url " + shell_quote(url) + " --migrations prisma/migrations");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: " + target +
                     " has no _prisma_migrations table: no prisma migration was recorded as applied there. Is it the "
                     "right database? Without a tracker table: --tracker json:FILE (a file that lists them) or --tracker infer (from the live "
                     "schema)\n");
  dgtest::pg::exec(db, kPrismaDDL);
  for (std::string format : {"text", "json", "names"}) {
    r = repo.driftguard("status --database-url " + shell_quote(url) + " --migrations prisma/migrations --format " + format);
    INFO(format);
    CHECK(r.code == 0);
    CHECK(r.err == "");
    CHECK(r.out.find(secret) == std::string::npos);
  }
  r = repo.driftguard("status --database-url " + shell_quote(url) + " --migrations prisma/migrations");
  CHECK(r.out == "tracker:    prisma (public._prisma_migrations)\ndatabase:   " + target +
                     "\nmigrations: prisma/migrations\n\npending      20240101000000_a\n\n1 migration: 1 pending\n");
}

TEST_CASE("status (prisma): the applied content is unknown outside git", "[status][pg]") {
  Repo repo;
  repo.write("prisma/migrations/20240101000000_a/migration.sql", "CREATE TABLE a (id bigint);\n");
  repo.sh("rm -rf .git");
  std::string db = dgtest::pg::fresh_database("status");
  dgtest::pg::exec(db, kPrismaDDL);
  insert_prisma(db, {"20240101000000_a", server_checksum("CREATE TABLE a (id integer);\n"), "2024-01-01 00:00:00+00",
                     "2024-01-01 00:00:01+00"});
  auto r = repo.driftguard("status --database-url " + shell_quote(db) + " --migrations prisma/migrations");
  CHECK(r.code == 1);
  CHECK(r.out == header("prisma (public._prisma_migrations)", db, "prisma/migrations") +
                     "edited       20240101000000_a  edited after apply: the applied content is unknown (the "
                     "migrations are not in a git repository)\n\n1 migration: 1 edited\n");
}

TEST_CASE("status (supabase): an old tracker table without statements, duplicate versions", "[status][pg]") {
  Repo repo;
  repo.write("supabase/migrations/20240101000000_a.sql", "create table a (id int);\n");
  repo.write("supabase/migrations/20240101000000_b.sql", "create table b (id int);\n");
  std::string db = dgtest::pg::fresh_database("status");
  dgtest::pg::exec(db, "CREATE SCHEMA supabase_migrations; CREATE TABLE supabase_migrations.schema_migrations "
                       "(version text PRIMARY KEY); INSERT INTO supabase_migrations.schema_migrations VALUES "
                       "('20240101000000')");
  auto r = repo.driftguard("status --database-url " + shell_quote(db) + " --migrations supabase/migrations");
  CHECK(r.err == "");
  CHECK(r.code == 0);
  CHECK(r.out == header("supabase (supabase_migrations.schema_migrations)", db, "supabase/migrations") +
                     "applied      20240101000000_a  the tracker holds no statements: content not compared\n\n"
                     "note: version 20240101000000 is used by two files: supabase/migrations/20240101000000_a.sql and "
                     "supabase/migrations/20240101000000_b.sql (only the first is compared)\n"
                     "note: 1 applied migration has no statements in supabase_migrations.schema_migrations (recorded "
                     "by hand or by a deploy script, not by the Supabase CLI): applied, content not compared\n\n"
                     "1 migration: 1 applied\n");
  // nothing to apply
  r = repo.driftguard("status --database-url " + shell_quote(db) + " --migrations supabase/migrations --pending-only");
  CHECK(r.code == 0);
  CHECK(r.out == header("supabase (supabase_migrations.schema_migrations)", db, "supabase/migrations") +
                     "(no migration to show)\n\n"
                     "note: version 20240101000000 is used by two files: supabase/migrations/20240101000000_a.sql and "
                     "supabase/migrations/20240101000000_b.sql (only the first is compared)\n"
                     "note: 1 applied migration has no statements in supabase_migrations.schema_migrations (recorded "
                     "by hand or by a deploy script, not by the Supabase CLI): applied, content not compared\n\n"
                     "1 migration: 1 applied\n");
}

TEST_CASE("status: a query error exits 2 with the server's message", "[status][pg]") {
  Repo repo;
  repo.write("prisma/migrations/20240101000000_a/migration.sql", "CREATE TABLE a (id integer);\n");
  std::string db = dgtest::pg::fresh_database("status");
  dgtest::pg::exec(db, kPrismaDDL);
  std::string role = "dg_status_reader_" + std::to_string(::getpid());
  dgtest::pg::exec(db, "DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role + " LOGIN; REVOKE ALL ON "
                       "_prisma_migrations FROM PUBLIC");
  auto r = repo.driftguard("status --database-url " + shell_quote(db + " user=" + role) + " --migrations prisma/migrations");
  dgtest::pg::exec(db, "DROP OWNED BY " + role + "; DROP ROLE " + role);
  db::ConnectOptions o;
  o.url = db + " user=" + role;
  CHECK(r.code == 2);
  CHECK(r.out == "");
  CHECK(r.err == "driftguard: error: reading the migration history from " + db::describe(o) +
                     ": ERROR:  permission denied for table _prisma_migrations\n");
}
