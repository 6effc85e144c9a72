// GRANT, REVOKE and ALTER DEFAULT PRIVILEGES through replay, catalog and drift (analyzer/model/replay/grants.cpp),
// each behaviour checked on PostgreSQL 15: the replay's privileges equal the catalog's after the same SQL, and the
// replay refuses what PostgreSQL refuses with PostgreSQL's message.
#include <catch2/catch.hpp>

#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "introspect/diff.hpp"
#include "tests/round_trip.hpp"

using namespace driftguard;

namespace {

// Roles are the cluster's: created once on the test server (they outlive the test's databases).
void ensure_roles() {
  dgtest::pg::exec(dgtest::pg::conninfo("postgres"),
                   "DO $$ DECLARE r text; BEGIN FOREACH r IN ARRAY ARRAY['dg_reader', 'dg_writer'] LOOP "
                   "IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = r) THEN EXECUTE format('CREATE ROLE %I', r); "
                   "END IF; END LOOP; END $$");
}

std::string privileges(const model::SchemaModel& m) {
  std::string out;
  for (const auto& g : model::grantable(m)) {
    if (g.grants->empty()) continue;
    out += g.on + ":";
    for (const auto& [who, letters] : *g.grants) out += " " + who + "=" + letters;
    out += "\n";
  }
  return out;
}

// A file, as a history is read (generated SQL would point every object at one position).
model::SchemaModel replayed_file(const std::string& sql) {
  model::Replayer r;
  std::vector<Finding> findings;
  r.apply_file(make_source("test.sql", sql), parse_sql(sql), findings);
  for (const auto& f : findings) FAIL_CHECK("replay: " << f.message);
  return r.take();
}

// A file, not generated SQL: the replay refuses missing objects only in a history it reads whole.
std::string replay_errors(const std::string& sql) {
  model::Replayer r;
  std::vector<Finding> findings;
  r.apply_file(make_source("test.sql", sql), parse_sql(sql), findings);
  std::string out;
  for (const auto& f : findings) out += f.message + "\n";
  return out;
}

constexpr const char* kSetup = R"sql(CREATE SCHEMA app;
CREATE TABLE app.items (id serial PRIMARY KEY, n integer GENERATED ALWAYS AS IDENTITY);
CREATE VIEW app.item_ids AS SELECT id FROM app.items;
CREATE MATERIALIZED VIEW app.totals AS SELECT count(*) AS c FROM app.items;
CREATE SEQUENCE app.counter;
CREATE FUNCTION app.one() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
CREATE TABLE notes (id integer);
)sql";

}  // namespace

TEST_CASE("GRANT and REVOKE on tables - views - sequences - functions - procedures and schemas: the replay's privileges "
          "are the catalog's - checked on PostgreSQL",
          "[grants][pg]") {
  ensure_roles();
  std::string sql = std::string(kSetup) + R"sql(GRANT SELECT ON ALL TABLES IN SCHEMA app TO dg_reader;
GRANT USAGE ON ALL SEQUENCES IN SCHEMA app TO dg_reader;
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO dg_writer;
GRANT ALL ON app.counter TO dg_writer WITH GRANT OPTION;
REVOKE GRANT OPTION FOR UPDATE ON SEQUENCE app.counter FROM dg_writer;
GRANT INSERT, UPDATE ON TABLE notes TO dg_writer, PUBLIC;
REVOKE UPDATE ON notes FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA app TO dg_reader;
REVOKE EXECUTE ON FUNCTION app.one() FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE app.noop() TO dg_reader;
GRANT SELECT ON notes TO CURRENT_USER;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO dg_writer;
)sql";
  model::SchemaModel got = dgtest::round_trip(sql, "grants");
  // ALL TABLES covers views and materialized views; ALL FUNCTIONS leaves the procedure out; the serial sequence is
  // a sequence of the schema; the owner's (CURRENT_USER's) entry is left out.
  CHECK(privileges(got) ==
        "SCHEMA app: dg_reader=UC\n"
        "SCHEMA public: dg_writer=U\n"
        "SEQUENCE app.counter: dg_reader=U dg_writer=r*wU*\n"
        "SEQUENCE app.items_id_seq: dg_reader=U\n"
        "PROCEDURE app.noop(): PUBLIC=X dg_reader=X\n"
        "FUNCTION app.one(): dg_writer=X\n"
        "TABLE app.items: dg_reader=r\n"
        "TABLE app.item_ids: dg_reader=r\n"
        "TABLE app.totals: dg_reader=r\n"
        "TABLE notes: PUBLIC=a dg_writer=aw\n");
  CHECK(privileges(dgtest::replayed(sql)) == privileges(got));
}

TEST_CASE("ALTER DEFAULT PRIVILEGES reach tables - views - CREATE TABLE AS - serial sequences - functions and procedures "
          "created afterwards - checked on PostgreSQL",
          "[grants][pg]") {
  ensure_roles();
  std::string sql = R"sql(CREATE SCHEMA app;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO dg_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT USAGE ON SEQUENCES TO dg_reader;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT EXECUTE ON ROUTINES TO dg_writer;
ALTER DEFAULT PRIVILEGES GRANT INSERT ON TABLES TO dg_writer;
CREATE TABLE app.before_revoke (id serial);
ALTER DEFAULT PRIVILEGES REVOKE INSERT ON TABLES FROM dg_writer;
CREATE TABLE app.items (id serial PRIMARY KEY);
CREATE VIEW app.v AS SELECT id FROM app.items;
CREATE MATERIALIZED VIEW app.mv AS SELECT id FROM app.items;
CREATE TABLE app.copy AS SELECT id FROM app.items;
CREATE FUNCTION app.one() RETURNS integer LANGUAGE sql AS 'SELECT 1';
CREATE PROCEDURE app.noop() LANGUAGE sql AS 'SELECT 1';
CREATE FUNCTION two() RETURNS integer LANGUAGE sql AS 'SELECT 2';
CREATE TABLE plain (id integer);
CREATE OR REPLACE FUNCTION app.one() RETURNS integer LANGUAGE sql AS 'SELECT 11';
)sql";
  model::SchemaModel got = dgtest::round_trip(sql, "default_grants");
  CHECK(privileges(got) ==
        "SCHEMA public: PUBLIC=U\n"
        "SEQUENCE app.before_revoke_id_seq: dg_reader=U\n"
        "SEQUENCE app.items_id_seq: dg_reader=U\n"
        "PROCEDURE app.noop(): dg_writer=X\n"
        "FUNCTION app.one(): dg_writer=X\n"
        "TABLE app.before_revoke: dg_reader=r dg_writer=a\n"
        "TABLE app.copy: dg_reader=r\n"
        "TABLE app.items: dg_reader=r\n"
        "TABLE app.mv: dg_reader=r\n"
        "TABLE app.v: dg_reader=r\n");
}

TEST_CASE("GRANT on a missing or wrong object is refused with PostgreSQL's message - checked on PostgreSQL",
          "[grants][pg]") {
  ensure_roles();
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"GRANT SELECT ON nosuch TO dg_reader;", "relation \"nosuch\" does not exist"},
      {"GRANT USAGE ON SEQUENCE app.item_ids TO dg_reader;", "\"item_ids\" is not a sequence"},
      {"GRANT USAGE ON TABLE notes TO dg_reader;", "invalid privilege type USAGE for table"},
      {"GRANT INSERT ON SEQUENCE app.counter TO dg_reader;", "invalid privilege type INSERT for sequence"},
      {"GRANT EXECUTE ON FUNCTION app.noop() TO dg_reader;", "app.noop() is not a function"},
      {"GRANT EXECUTE ON PROCEDURE app.one() TO dg_reader;", "app.one() is not a procedure"},
      {"GRANT EXECUTE ON FUNCTION app.nope(integer) TO dg_reader;", "function app.nope(integer) does not exist"},
      {"GRANT USAGE ON SCHEMA nope TO dg_reader;", "schema \"nope\" does not exist"},
      {"GRANT SELECT ON ALL TABLES IN SCHEMA nope TO dg_reader;", "schema \"nope\" does not exist"},
      {"GRANT SELECT ON notes TO PUBLIC WITH GRANT OPTION;", "grant options can only be granted to roles"},
      {"ALTER DEFAULT PRIVILEGES IN SCHEMA nope GRANT SELECT ON TABLES TO dg_reader;", "schema \"nope\" does not exist"},
      {"GRANT SELECT (nope) ON notes TO dg_reader;", "column \"nope\" of relation \"notes\" does not exist"},
      {"GRANT DELETE (id) ON notes TO dg_reader;", "invalid privilege type DELETE for column"},
  };
  for (const auto& [statement, message] : cases) {
    INFO(statement);
    CHECK(replay_errors(std::string(kSetup) + statement + "\n") == message + "\n");
    std::string db = dgtest::pg::fresh_database("grant_refused");
    dgtest::pg::exec(db, kSetup);
    std::string pg_error;
    try {
      dgtest::pg::exec(db, statement);
    } catch (const std::exception& e) {
      pg_error = e.what();
    }
    CHECK(pg_error.find("ERROR:  " + message) != std::string::npos);
  }
}

TEST_CASE("drift: a missing grant and an extra one are privileges items (warning) per grantee - the owner's "
          "entry is not compared - checked on PostgreSQL",
          "[grants][pg]") {
  ensure_roles();
  std::string db = dgtest::pg::fresh_database("grants_drift");
  dgtest::pg::exec(db, R"sql(CREATE TABLE notes (id integer);
GRANT SELECT, INSERT ON notes TO dg_reader WITH GRANT OPTION;
GRANT SELECT ON notes TO PUBLIC;
)sql");
  model::SchemaModel expected = replayed_file(R"sql(CREATE TABLE notes (id integer);
GRANT SELECT ON notes TO dg_reader;
GRANT ALL ON notes TO dg_writer;
)sql");
  auto items = diff::diff(expected, dgtest::live(db));
  std::string got;
  for (const auto& i : items) {
    got += std::string(to_string(i.severity)) + " " + i.kind + " " + i.path + " " + i.expected.src.file + ":" +
           std::to_string(i.expected.src.line) + ":" + std::to_string(i.expected.src.column) + ": " + i.message + ": " +
           i.expected.value + " | " + i.actual.value + "\n";
  }
  // Each item points at the GRANT that gave the grantee its privileges, or at the CREATE (PUBLIC's: none since then).
  CHECK(got ==
        "warning privileges public.notes test.sql:1:14: privileges of PUBLIC on TABLE notes differ: (none) | SELECT\n"
        "warning privileges public.notes test.sql:2:1: privileges of dg_reader on TABLE notes differ: SELECT | SELECT, INSERT "
        "(with grant option: SELECT, INSERT)\n"
        "warning privileges public.notes test.sql:3:1: privileges of dg_writer on TABLE notes differ: SELECT, INSERT, UPDATE, "
        "DELETE, TRUNCATE, REFERENCES, TRIGGER | (none)\n");
}

TEST_CASE("drift: default privileges and column privileges are items (warning) at the statement that set them - "
          "checked on PostgreSQL",
          "[grants][pg]") {
  ensure_roles();
  std::string db = dgtest::pg::fresh_database("default_grants_drift");
  dgtest::pg::exec(db, R"sql(CREATE SCHEMA app;
CREATE TABLE notes (id integer, body text);
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT, INSERT ON TABLES TO dg_reader;
ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO dg_writer;
GRANT SELECT (body) ON notes TO dg_reader;
)sql");
  model::SchemaModel expected = replayed_file(R"sql(CREATE SCHEMA app;
CREATE TABLE notes (id integer, body text);
ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO dg_reader;
ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;
GRANT SELECT (id), UPDATE (body) ON notes TO dg_reader;
)sql");
  auto items = diff::diff(expected, dgtest::live(db));
  std::string got;
  for (const auto& i : items) {
    got += std::string(to_string(i.severity)) + " " + i.kind + " " + i.path + " " + std::to_string(i.expected.src.line) +
           ":" + std::to_string(i.expected.src.column) + ": " + i.message + ": " + i.expected.value + " | " +
           i.actual.value + "\n";
  }
  CHECK(got ==
        "warning default-privileges  0:0: default privileges of dg_writer ON SEQUENCES differ: (none) | USAGE\n"
        "warning default-privileges  4:1: default privileges of PUBLIC ON FUNCTIONS differ: (none) | EXECUTE\n"
        "warning default-privileges app 3:1: default privileges of dg_reader IN SCHEMA app ON TABLES differ: SELECT | "
        "SELECT, INSERT\n"
        "warning privileges public.notes.body 5:1: privileges of dg_reader on COLUMN notes.body differ: UPDATE | SELECT\n"
        "warning privileges public.notes.id 5:1: privileges of dg_reader on COLUMN notes.id differ: SELECT | (none)\n");
}

TEST_CASE("GRANT on objects the model does not hold (a view's columns - an identity sequence - databases - types) is "
          "listed as not represented",
          "[grants][model]") {
  model::Replayer r;
  std::vector<Finding> findings;
  std::string sql = "CREATE TABLE t (id integer GENERATED ALWAYS AS IDENTITY);\nCREATE VIEW v AS SELECT id FROM t;\n"
                    "GRANT SELECT (id) ON v TO x;\nGRANT USAGE ON SEQUENCE t_id_seq TO x;\nGRANT CONNECT ON DATABASE postgres TO x;\n"
                    "GRANT USAGE ON TYPE int4 TO x;\nALTER DEFAULT PRIVILEGES GRANT USAGE ON TYPES TO x;\n"
                    "GRANT SELECT ON t TO x;\nGRANT SELECT (id) ON t TO y;\n";
  r.apply_file(make_source("test.sql", sql), parse_sql(sql), findings);
  CHECK(findings.empty());
  std::string listed;
  for (const auto& s : r.skipped()) listed += std::to_string(s.where.line) + " " + s.what + "\n";
  CHECK(listed == "3 GRANT/REVOKE\n4 GRANT/REVOKE\n5 GRANT/REVOKE\n6 GRANT/REVOKE\n7 ALTER DEFAULT PRIVILEGES\n");
  CHECK(privileges(r.model()) == "SCHEMA public: PUBLIC=U\nTABLE t: x=r\nTABLE t: y=r\n");
  CHECK(model::to_sql(r.model()).find("\n-- privileges\nGRANT SELECT ON TABLE t TO x;\nGRANT SELECT (id) ON TABLE t TO y;\n") !=
        std::string::npos);
}

TEST_CASE("column privileges: GRANT and REVOKE of columns - a table REVOKE reaches its columns - renames keep them - "
          "children and LIKE copies do not take them - the replay's attacl is the catalog's - checked on PostgreSQL",
          "[grants][pg]") {
  ensure_roles();
  std::string sql = R"sql(CREATE TABLE accounts (id integer PRIMARY KEY, email text, secret text);
GRANT SELECT (id, email), UPDATE (email) ON accounts TO dg_reader;
GRANT INSERT (id) ON accounts TO dg_writer WITH GRANT OPTION;
GRANT ALL (secret) ON accounts TO dg_writer;
GRANT SELECT, REFERENCES (id) ON accounts TO dg_writer;
REVOKE UPDATE ON accounts FROM dg_reader;
REVOKE GRANT OPTION FOR INSERT ON accounts FROM dg_writer;
REVOKE SELECT (secret) ON accounts FROM dg_writer;
ALTER TABLE accounts RENAME COLUMN email TO mail;
ALTER TABLE accounts ALTER COLUMN mail TYPE varchar(200);
CREATE TABLE child () INHERITS (accounts);
CREATE TABLE copied (LIKE accounts INCLUDING DEFAULTS INCLUDING COMMENTS);
CREATE TABLE parted (id integer, v text) PARTITION BY RANGE (id);
GRANT SELECT (v) ON parted TO dg_reader;
CREATE TABLE parted_1 PARTITION OF parted FOR VALUES FROM (0) TO (10);
)sql";
  model::SchemaModel got = dgtest::round_trip(sql, "column_grants");
  std::string out;
  for (const auto& g : model::grantable(got)) {
    if (g.kind != 'c' || g.grants->empty()) continue;
    out += g.target + ":";
    for (const auto& [who, letters] : *g.grants) out += " " + who + "=" + letters;
    out += "\n";
  }
  CHECK(out ==
        "COLUMN accounts.id: dg_reader=r dg_writer=ax\n"
        "COLUMN accounts.mail: dg_reader=r\n"
        "COLUMN accounts.secret: dg_writer=awx\n"
        "COLUMN parted.v: dg_reader=r\n");
}

// The differ runs its privileges pass only when a walk by name (introspect/diff.cpp, privileges_may_differ) finds an
// object both sides hold with other grants: each kind alone, in a schema of its own and in public, and a column
// whose place differs between the sides, must still be an item.
TEST_CASE("drift: a privileges difference on one schema, sequence, table, column, view or function alone is an item",
          "[grants]") {
  const std::string base = "CREATE SCHEMA app;\nCREATE TABLE app.t (a int, b int);\nCREATE SEQUENCE app.s;\n"
                           "CREATE VIEW v AS SELECT 1 AS x;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\n";
  auto items = [](const std::string& expected, const std::string& actual) {
    std::string got;
    for (const auto& i : diff::diff(replayed_file(expected), replayed_file(actual))) {
      got += i.kind + " " + i.path + ": " + i.message + ": " + i.expected.value + " | " + i.actual.value + "\n";
    }
    return got;
  };
  CHECK(items(base, base + "GRANT USAGE ON SCHEMA app TO PUBLIC;\n") == "privileges app: privileges of PUBLIC on SCHEMA app differ: (none) | USAGE\n");
  CHECK(items(base, base + "GRANT SELECT ON SEQUENCE app.s TO PUBLIC;\n") == "privileges app.s: privileges of PUBLIC on SEQUENCE app.s differ: (none) | SELECT\n");
  CHECK(items(base, base + "GRANT SELECT ON app.t TO PUBLIC;\n") == "privileges app.t: privileges of PUBLIC on TABLE app.t differ: (none) | SELECT\n");
  CHECK(items(base, base + "GRANT UPDATE (b) ON app.t TO PUBLIC;\n") == "privileges app.t.b: privileges of PUBLIC on COLUMN app.t.b differ: (none) | UPDATE\n");
  CHECK(items(base, base + "GRANT SELECT ON v TO PUBLIC;\n") == "privileges public.v: privileges of PUBLIC on VIEW v differ: (none) | SELECT\n");
  CHECK(items(base, base + "REVOKE EXECUTE ON FUNCTION f() FROM PUBLIC;\n") == "privileges public.f(): privileges of PUBLIC on FUNCTION f() differ: EXECUTE | (none)\n");
  CHECK(items("CREATE TABLE m (a int, b int);\nGRANT SELECT (b) ON m TO PUBLIC;\n",
              "CREATE TABLE m (b int, a int);\n") == "privileges public.m.b: privileges of PUBLIC on COLUMN m.b differ: SELECT | (none)\n");
}
