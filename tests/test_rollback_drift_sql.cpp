// drift --format sql, checked on PostgreSQL: a database (the actual side) gets the script driftguard writes to turn it
// into the expected side, then drift runs again and must find nothing. Policies, RLS, triggers, functions, views
// and extensions included; destructive statements commented out unless --allow-destructive; schema.prisma's side
// never drops what Prisma cannot express.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "tests/paths.hpp"
#include "introspect/diff.hpp"
#include "tests/git_repo.hpp"
#include "tests/pg_server.hpp"
#include "tests/prisma_engine.hpp"
#include "tests/round_trip.hpp"
#include "tests/sql_apply.hpp"

using namespace driftguard;
namespace fs = std::filesystem;

namespace {

struct Dir {
  fs::path dir;
  Dir() {
    std::string tmpl = (fs::temp_directory_path() / "driftguard_driftsql_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir = tmpl;
  }
  ~Dir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((dir / rel).parent_path());
    std::ofstream(dir / rel, std::ios::binary) << text;
  }
};

dgtest::Run cli(const fs::path& dir, const std::string& args) {
  return dgtest::run_shell("cd '" + dir.string() + "' && NO_COLOR=1 '" + std::string(DRIFTGUARD_BINARY) + "' " + args +
                           " < /dev/null");
}

std::string single_quoted(const std::string& s) { return "'" + s + "'"; }

const char* kActual = R"sql(
CREATE TABLE users (id integer PRIMARY KEY, email text, age integer, legacy text);
CREATE TABLE extra (id integer);
CREATE INDEX users_legacy_idx ON users (legacy);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18;
CREATE POLICY old_policy ON users FOR SELECT USING (true);
)sql";

const char* kExpected = R"sql(
CREATE EXTENSION IF NOT EXISTS citext;
CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL, age bigint CHECK (age >= 0), name text DEFAULT 'x');
CREATE TABLE posts (id integer PRIMARY KEY, user_id integer REFERENCES users (id), title text);
CREATE INDEX posts_user_id_idx ON posts (user_id);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.title := trim(NEW.title); RETURN NEW; END $$;
CREATE TRIGGER posts_touch BEFORE INSERT ON posts FOR EACH ROW EXECUTE FUNCTION touch();
CREATE VIEW adults AS SELECT id, email, name FROM users WHERE age >= 21;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON users FOR ALL TO public USING (id > 0) WITH CHECK (id > 0);
)sql";

}  // namespace

TEST_CASE("drift --format sql: applied to the database, drift finds nothing", "[drift-sql][pg]") {
  Dir d;
  d.write("expected.sql", kExpected);
  std::string db = dgtest::pg::fresh_database("driftsql");
  REQUIRE(dgtest::apply_sql(db, make_source("actual.sql", kActual)) == "");
  std::string sides = "--sql expected.sql --database-url " + single_quoted(db);
  REQUIRE(cli(d.dir, "drift " + sides).code == 1);

  dgtest::Run safe = cli(d.dir, "drift " + sides + " --format sql");
  CHECK(safe.code == 1);
  // Destructive statements are there, commented out, with the warning.
  CHECK(safe.out.find("-- WARNING: ") != std::string::npos);
  CHECK(safe.out.find("-- DESTRUCTIVE, not run (--allow-destructive writes it):\n-- DROP TABLE IF EXISTS extra;\n") !=
        std::string::npos);
  // Lock-safe forms.
  CHECK(safe.out.find("DROP INDEX CONCURRENTLY IF EXISTS users_legacy_idx;") != std::string::npos);
  CHECK(safe.out.find("CREATE INDEX posts_user_id_idx ON posts USING btree (user_id);") != std::string::npos);  // a new table
  CHECK(safe.out.find("ALTER TABLE posts ADD CONSTRAINT posts_user_id_fkey FOREIGN KEY (user_id) REFERENCES users(id);") !=
        std::string::npos);
  CHECK(safe.out.find("ADD CONSTRAINT users_age_check CHECK (age >= 0) NOT VALID;") != std::string::npos);
  CHECK(safe.out.find("VALIDATE CONSTRAINT users_age_check;") != std::string::npos);
  CHECK(safe.out.find("ADD CONSTRAINT users_email_not_null CHECK (email IS NOT NULL) NOT VALID;") != std::string::npos);
  REQUIRE(dgtest::apply_sql(db, make_source("safe.sql", safe.out)) == "");
  // What was commented out is all that is left.
  dgtest::Run left = cli(d.dir, "drift " + sides + " --format json");
  CHECK(left.out.find("\"extra-table\"") != std::string::npos);
  CHECK(left.out.find("\"missing-column\"") == std::string::npos);

  dgtest::Run all = cli(d.dir, "drift " + sides + " --format sql --allow-destructive");
  CHECK(all.code == 1);
  CHECK(all.out.find("DESTRUCTIVE") == std::string::npos);
  REQUIRE(dgtest::apply_sql(db, make_source("all.sql", all.out)) == "");
  dgtest::Run after = cli(d.dir, "drift " + sides);
  INFO(after.out << after.err);
  CHECK(after.code == 0);
  // and the script for no drift
  dgtest::Run none = cli(d.dir, "drift " + sides + " --format sql");
  CHECK(none.code == 0);
  CHECK(none.out.find("-- nothing to change\n") != std::string::npos);
}

TEST_CASE("drift --format sql against schema.prisma keeps what Prisma cannot express", "[drift-sql][pg]") {
  Dir d;
  d.write("schema.prisma", R"(datasource db {
  provider = "postgresql"
}

model User {
  id    Int     @id @default(autoincrement())
  email String  @unique
  name  String?
  tags  String[]
}
)");
  std::string db = dgtest::pg::fresh_database("driftsqlprisma");
  // The database Prisma would build, without `name`, plus a policy, RLS, a trigger and a function of its own.
  REQUIRE(dgtest::apply_sql(db, make_source("actual.sql", R"sql(
CREATE TABLE "User" ("id" SERIAL NOT NULL, "email" TEXT NOT NULL, "tags" TEXT[], CONSTRAINT "User_pkey" PRIMARY KEY ("id"));
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");
ALTER TABLE "User" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "read own" ON "User" FOR SELECT USING (true);
CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER user_audit AFTER INSERT ON "User" FOR EACH ROW EXECUTE FUNCTION audit();
)sql")) == "");
  std::string sides = "--prisma schema.prisma --database-url " + single_quoted(db);
  dgtest::Run r = cli(d.dir, "drift " + sides + " --format sql");
  CHECK(r.code == 1);
  CHECK(r.out.find("ALTER TABLE \"User\" ADD COLUMN name text;") != std::string::npos);
  CHECK(r.out.find("POLICY") == std::string::npos);
  CHECK(r.out.find("TRIGGER") == std::string::npos);
  CHECK(r.out.find("FUNCTION") == std::string::npos);
  CHECK(r.out.find("ROW LEVEL SECURITY") == std::string::npos);
  CHECK(r.out.find("tags") == std::string::npos);  // Prisma lists: NOT NULL or not is no drift
  REQUIRE(dgtest::apply_sql(db, make_source("fix.sql", r.out)) == "");
  CHECK(cli(d.dir, "drift " + sides).code == 0);
}

TEST_CASE("drift --format sql --reverse: the migration for changes made in the database, checked on PostgreSQL",
          "[drift-sql][pg]") {
  Dir d;
  const char* init = "CREATE TABLE users (id integer PRIMARY KEY, email text);\nCREATE TABLE old (id integer);\n";
  d.write("migrations/0001_init.sql", init);
  std::string db = dgtest::pg::fresh_database("driftsqlrev");
  REQUIRE(dgtest::apply_sql(db, make_source("0001_init.sql", init)) == "");
  // Changes made in a dashboard, never written as a migration.
  REQUIRE(dgtest::apply_sql(db, make_source("dashboard.sql", R"sql(
ALTER TABLE users ADD COLUMN name text NOT NULL DEFAULT '';
ALTER TABLE users ALTER COLUMN email SET NOT NULL;
CREATE INDEX users_email_idx ON users (email);
CREATE TABLE audit (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, user_id integer REFERENCES users (id), at timestamptz DEFAULT now());
DROP TABLE old;
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON users FOR SELECT USING (id > 0);
CREATE VIEW named_users AS SELECT id, name FROM users;
)sql")) == "");
  std::string sides = "--migrations migrations --database-url " + single_quoted(db);
  CHECK(cli(d.dir, "drift " + sides + " --reverse").err ==
        "driftguard: error: --reverse reverses the script of --format sql: add --format sql\n");

  // Without --allow-destructive the DROP TABLE is written commented out.
  dgtest::Run safe = cli(d.dir, "drift " + sides + " --format sql --reverse");
  CHECK(safe.code == 1);
  CHECK(safe.out.rfind("-- driftguard drift --format sql --reverse: turns migrations:migrations into database:", 0) == 0);
  CHECK(safe.out.find("-- DESTRUCTIVE, not run (--allow-destructive writes it):\n-- DROP TABLE IF EXISTS old;\n") !=
        std::string::npos);

  dgtest::Run r = cli(d.dir, "drift " + sides + " --format sql --reverse --allow-destructive");
  CHECK(r.code == 1);
  INFO(r.out);
  // The oracle: PostgreSQL applies the history and the written migration to a fresh database, whose catalog must be
  // the dashboard-changed database's.
  std::string rebuilt = dgtest::pg::fresh_database("driftsqlrev2");
  REQUIRE(dgtest::apply_sql(rebuilt, make_source("0001_init.sql", init)) == "");
  REQUIRE(dgtest::apply_sql(rebuilt, make_source("0002_dashboard.sql", r.out)) == "");
  CHECK(dgtest::items(diff::diff(dgtest::live(db), dgtest::live(rebuilt))) == "");
  // Committed as the next migration, the history builds what the database has: no drift.
  d.write("migrations/0002_dashboard.sql", r.out);
  dgtest::Run after = cli(d.dir, "drift " + sides);
  INFO(after.out << after.err);
  CHECK(after.code == 0);
}

TEST_CASE("drift --format sql: INHERITS parents the database lacks are joined, extra ones left", "[drift-sql][pg]") {
  Dir d;
  d.write("expected.sql", "CREATE TABLE p (id integer, a text);\nCREATE TABLE q (id integer);\n"
                          "CREATE TABLE c (id integer, a text, b integer);\nALTER TABLE c INHERIT p;\n"
                          "CREATE TABLE o (id integer);\n");
  std::string db = dgtest::pg::fresh_database("driftsql_inherits");
  REQUIRE(dgtest::apply_sql(db, make_source("actual.sql", "CREATE TABLE p (id integer, a text);\nCREATE TABLE q (id integer);\n"
                                                          "CREATE TABLE c (id integer, a text, b integer) INHERITS (q);\n"
                                                          "CREATE TABLE o () INHERITS (q);\n")) == "");
  std::string sides = "--sql expected.sql --database-url " + single_quoted(db);
  dgtest::Run before = cli(d.dir, "drift " + sides);
  CHECK(before.code == 1);
  CHECK(before.out.find("inherits") != std::string::npos);
  dgtest::Run script = cli(d.dir, "drift " + sides + " --format sql");
  INFO(script.out << script.err);
  CHECK(script.code == 1);
  CHECK(script.out.find("ALTER TABLE c NO INHERIT q;\n") != std::string::npos);
  CHECK(script.out.find("ALTER TABLE o NO INHERIT q;\n") != std::string::npos);
  CHECK(script.out.find("ALTER TABLE c INHERIT p;\n") != std::string::npos);
  // leaving comes before anything else changes the tables, joining after their columns match
  CHECK(script.out.find("NO INHERIT q;") < script.out.find("INHERIT p;"));
  REQUIRE(dgtest::apply_sql(db, make_source("fix.sql", script.out)) == "");
  dgtest::Run after = cli(d.dir, "drift " + sides);
  INFO(after.out << after.err);
  CHECK(after.code == 0);
}

TEST_CASE("drift sees comments (info), drift --format sql sets them, checked on PostgreSQL, schema.prisma compares none",
          "[drift-sql][pg]") {
  Dir d;
  d.write("expected.sql", R"sql(CREATE TABLE users (id integer PRIMARY KEY, email text);
CREATE VIEW emails AS SELECT id, email FROM users;
COMMENT ON TABLE users IS 'who signs in';
COMMENT ON COLUMN users.email IS 'their address';
COMMENT ON VIEW emails IS 'addresses';
)sql");
  std::string db = dgtest::pg::fresh_database("driftsql_comments");
  // The same objects; comments changed, removed and added in the database, and a view with another definition and
  // a column more (CREATE OR REPLACE VIEW cannot drop it: the script drops the view and creates it again, so its
  // comment must come back with it).
  REQUIRE(dgtest::apply_sql(db, make_source("actual.sql", R"sql(CREATE TABLE users (id integer PRIMARY KEY, email text);
CREATE VIEW emails AS SELECT id, email, id > 0 AS positive FROM users;
COMMENT ON TABLE users IS 'accounts';
COMMENT ON CONSTRAINT users_pkey ON users IS 'added by hand';
COMMENT ON VIEW emails IS 'addresses';
)sql")) == "");
  std::string sides = "--sql expected.sql --database-url " + single_quoted(db);
  dgtest::Run before = cli(d.dir, "drift " + sides + " --format gcc");
  INFO(before.out << before.err);
  CHECK(before.code == 1);  // the view's definition (a warning); comments alone are info
  CHECK(before.out.find("info: comment on COLUMN users.email differs [comment]") != std::string::npos);
  CHECK(before.out.find("info: comment on TABLE users differs [comment]") != std::string::npos);
  CHECK(before.out.find("info: comment on CONSTRAINT users_pkey ON users differs [comment]") != std::string::npos);
  CHECK(before.out.find("comment on VIEW emails") == std::string::npos);  // the same on both sides
  dgtest::Run script = cli(d.dir, "drift " + sides + " --format sql");
  INFO(script.out << script.err);
  CHECK(script.out.find("COMMENT ON TABLE users IS 'who signs in';\n\nCOMMENT ON COLUMN users.email IS 'their address';\n\n"
                        "COMMENT ON CONSTRAINT users_pkey ON users IS NULL;\n\nCOMMENT ON VIEW emails IS 'addresses';\n") !=
        std::string::npos);
  REQUIRE(dgtest::apply_sql(db, make_source("fix.sql", script.out)) == "");
  dgtest::Run after = cli(d.dir, "drift " + sides + " --format json");
  INFO(after.out << after.err);
  CHECK(after.code == 0);
  CHECK(after.out.find("\"comment\"") == std::string::npos);

  // schema.prisma: Prisma's engine writes no COMMENT ON for `///` doc comments, so comments are not compared
  // and the script leaves the database's as they are.
  const char* schema = R"(datasource db {
  provider = "postgresql"
}

/// who signs in
model users {
  id    Int     @id
  /// their address
  email String?
}
)";
  d.write("schema.prisma", schema);
  if (dgtest::prisma_engine::available()) {
    auto engine = dgtest::prisma_engine::run({"sql", (d.dir / "schema.prisma").string()});
    INFO(engine.err);
    REQUIRE(engine.code == 0);
    CHECK(engine.out.find("CREATE TABLE \"users\"") != std::string::npos);
    CHECK(engine.out.find("COMMENT") == std::string::npos);
  }
  std::string prisma_sides = "--prisma schema.prisma --database-url " + single_quoted(db);
  dgtest::Run p = cli(d.dir, "drift " + prisma_sides + " --format json");
  CHECK(p.out.find("\"comment\"") == std::string::npos);
  dgtest::Run ps = cli(d.dir, "drift " + prisma_sides + " --format sql");
  CHECK(ps.out.find("COMMENT") == std::string::npos);
}

TEST_CASE("drift sees privileges (warning) - drift --format sql grants and revokes them - checked on PostgreSQL - "
          "schema.prisma compares none",
          "[drift-sql][pg]") {
  dgtest::pg::exec(dgtest::pg::conninfo("postgres"),
                   "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_ds_reader') THEN "
                   "CREATE ROLE dg_ds_reader; END IF; END $$");
  Dir d;
  d.write("expected.sql", R"sql(CREATE TABLE users (id integer PRIMARY KEY, email text);
CREATE VIEW emails AS SELECT id, email FROM users;
CREATE FUNCTION one() RETURNS integer LANGUAGE sql AS 'SELECT 1';
GRANT SELECT ON users TO dg_ds_reader;
GRANT SELECT ON emails TO dg_ds_reader;
REVOKE EXECUTE ON FUNCTION one() FROM PUBLIC;
)sql");
  std::string db = dgtest::pg::fresh_database("driftsql_grants");
  // A missing grant, an extra one (to PUBLIC), a function still executable by PUBLIC, and a view with another
  // definition and a column more (dropped and created again by the script: its grant must come back with it).
  REQUIRE(dgtest::apply_sql(db, make_source("actual.sql", R"sql(CREATE TABLE users (id integer PRIMARY KEY, email text);
CREATE VIEW emails AS SELECT id, email, id > 0 AS positive FROM users;
CREATE FUNCTION one() RETURNS integer LANGUAGE sql AS 'SELECT 1';
GRANT SELECT ON emails TO dg_ds_reader;
GRANT INSERT ON users TO PUBLIC;
)sql")) == "");
  std::string sides = "--sql expected.sql --database-url " + single_quoted(db);
  dgtest::Run before = cli(d.dir, "drift " + sides + " --format gcc");
  INFO(before.out << before.err);
  CHECK(before.code == 1);
  CHECK(before.out.find("warning: privileges of dg_ds_reader on TABLE users differ [privileges]") != std::string::npos);
  CHECK(before.out.find("warning: privileges of PUBLIC on TABLE users differ [privileges]") != std::string::npos);
  CHECK(before.out.find("warning: privileges of PUBLIC on FUNCTION one() differ [privileges]") != std::string::npos);
  CHECK(before.out.find("on VIEW emails") == std::string::npos);  // the same on both sides
  dgtest::Run script = cli(d.dir, "drift " + sides + " --format sql");
  INFO(script.out << script.err);
  CHECK(script.out.find("REVOKE EXECUTE ON FUNCTION one() FROM PUBLIC;\n\nREVOKE INSERT ON TABLE users FROM PUBLIC;\n\n"
                        "GRANT SELECT ON TABLE users TO dg_ds_reader;\n\nGRANT SELECT ON TABLE emails TO dg_ds_reader;\n") !=
        std::string::npos);
  REQUIRE(dgtest::apply_sql(db, make_source("fix.sql", script.out)) == "");
  dgtest::Run after = cli(d.dir, "drift " + sides + " --format json");
  INFO(after.out << after.err);
  CHECK(after.code == 0);
  CHECK(after.out.find("\"privileges\"") == std::string::npos);

  // schema.prisma: Prisma has no grants; nothing is compared and the script writes none.
  d.write("schema.prisma", R"(datasource db {
  provider = "postgresql"
}

model users {
  id    Int     @id
  email String?
}
)");
  std::string prisma_sides = "--prisma schema.prisma --database-url " + single_quoted(db);
  dgtest::Run p = cli(d.dir, "drift " + prisma_sides + " --format json");
  CHECK(p.out.find("\"privileges\"") == std::string::npos);
  dgtest::Run ps = cli(d.dir, "drift " + prisma_sides + " --format sql");
  CHECK(ps.out.find("GRANT") == std::string::npos);
  CHECK(ps.out.find("REVOKE") == std::string::npos);
}

TEST_CASE("drift sees default privileges and column privileges at the statements that set them - drift --format sql "
          "writes them - checked on PostgreSQL",
          "[drift-sql][pg]") {
  dgtest::pg::exec(dgtest::pg::conninfo("postgres"),
                   "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'dg_ds_reader') THEN "
                   "CREATE ROLE dg_ds_reader; END IF; END $$");
  Dir d;
  d.write("expected.sql", R"sql(CREATE SCHEMA app;
CREATE TABLE users (id integer PRIMARY KEY, email text, secret text);
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO dg_ds_reader;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT SELECT (id, email), UPDATE (email) ON users TO dg_ds_reader;
CREATE TABLE app.audit (id integer, note text);
GRANT INSERT (note) ON app.audit TO dg_ds_reader;
)sql");
  std::string db = dgtest::pg::fresh_database("driftsql_default_grants");
  // The database: other defaults, another column grant, and no app.audit (the script creates it: it starts with the
  // database's default privileges, then gets the expected ones, and only then are the defaults changed).
  REQUIRE(dgtest::apply_sql(db, make_source("actual.sql", R"sql(CREATE SCHEMA app;
CREATE TABLE users (id integer PRIMARY KEY, email text, secret text);
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT ON TABLES TO dg_ds_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO dg_ds_reader;
GRANT SELECT (secret) ON users TO dg_ds_reader;
)sql")) == "");
  std::string sides = "--sql expected.sql --database-url " + single_quoted(db);
  dgtest::Run before = cli(d.dir, "drift " + sides + " --format gcc");
  INFO(before.out << before.err);
  CHECK(before.code == 1);
  // Each item at the statement that set what the expected side holds (a column without grants: its definition; a
  // default the expected side never changed: no position).
  CHECK(before.out ==
        "expected.sql:2:57: warning: privileges of dg_ds_reader on COLUMN users.secret differ [privileges]\n"
        "expected.sql:3:1: warning: default privileges of dg_ds_reader IN SCHEMA app ON TABLES differ [default-privileges]\n"
        "expected.sql:4:1: warning: default privileges of PUBLIC ON FUNCTIONS differ [default-privileges]\n"
        "expected.sql:5:1: warning: privileges of dg_ds_reader on COLUMN users.email differ [privileges]\n"
        "expected.sql:5:1: warning: privileges of dg_ds_reader on COLUMN users.id differ [privileges]\n"
        "expected.sql:6:14: error: table app.audit is missing [missing-table]\n"
        "sql:expected.sql: warning: default privileges of dg_ds_reader ON SEQUENCES differ [default-privileges]\n");
  dgtest::Run script = cli(d.dir, "drift " + sides + " --format sql");
  INFO(script.out << script.err);
  std::string body = script.out.substr(script.out.find("SET lock_timeout"));
  CHECK(body ==
        "SET lock_timeout = '5s';\n\nCREATE TABLE app.audit (\n  id integer,\n  note text\n);\n\n"
        "REVOKE INSERT ON TABLE app.audit FROM dg_ds_reader;\n\n"
        "GRANT INSERT (note) ON TABLE app.audit TO dg_ds_reader;\n\n"
        "GRANT SELECT (id) ON TABLE users TO dg_ds_reader;\n\n"
        "GRANT SELECT (email), UPDATE (email) ON TABLE users TO dg_ds_reader;\n\n"
        "REVOKE SELECT (secret) ON TABLE users FROM dg_ds_reader;\n\n"
        "ALTER DEFAULT PRIVILEGES REVOKE USAGE ON SEQUENCES FROM dg_ds_reader;\n\n"
        "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n\n"
        "ALTER DEFAULT PRIVILEGES IN SCHEMA app REVOKE INSERT ON TABLES FROM dg_ds_reader;\n");
  REQUIRE(dgtest::apply_sql(db, make_source("fix.sql", script.out)) == "");
  dgtest::Run after = cli(d.dir, "drift " + sides + " --format json");
  INFO(after.out << after.err);
  CHECK(after.code == 0);
  CHECK(after.out.find("privileges") == std::string::npos);
}
