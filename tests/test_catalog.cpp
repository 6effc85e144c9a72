// The catalog reader against a real server: every object kind read with exact values, the same SQL replayed gives
// the same model (no drift either way), schema selection, platform schemas, extension members, the statement
// timeout, and a role that may only read the catalogs.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>

#include "analyzer/model/replay.hpp"
#include "introspect/catalog.hpp"
#include "introspect/diff.hpp"
#include "tests/pg_server.hpp"
#include "tests/round_trip.hpp"

using namespace driftguard;

namespace {

using dgtest::items;
using dgtest::live;
using dgtest::replayed;
using dgtest::round_trip;

const char* kEverything = R"sql(
CREATE EXTENSION citext;
CREATE SCHEMA billing;
CREATE TYPE "Role" AS ENUM ('USER', 'ADMIN');
ALTER TYPE "Role" ADD VALUE 'OWNER' BEFORE 'ADMIN';
CREATE TYPE billing.state AS ENUM ('open', 'paid');
CREATE TYPE point3 AS (x double precision, "Y" double precision);
CREATE DOMAIN positive_int AS integer CHECK (VALUE > 0) NOT NULL DEFAULT 1;
CREATE DOMAIN short_text AS text COLLATE "C" CONSTRAINT short CHECK (length(VALUE) < 10);
CREATE TYPE floatrange AS RANGE (subtype = float8);
CREATE SEQUENCE counter AS integer;
CREATE TABLE users (
  id serial PRIMARY KEY,
  email citext NOT NULL UNIQUE,
  name varchar(40) COLLATE "C",
  bio text,
  role "Role" NOT NULL DEFAULT 'USER',
  roles "Role"[] NOT NULL DEFAULT ARRAY['USER']::"Role"[],
  created_at timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  score numeric(10,2) CHECK (score >= 0),
  active boolean NOT NULL DEFAULT true,
  name_len integer GENERATED ALWAYS AS (length(name)) STORED,
  tags text[] DEFAULT '{}'
);
CREATE TABLE billing.invoices (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id integer NOT NULL REFERENCES users(id) ON DELETE CASCADE ON UPDATE RESTRICT,
  state billing.state NOT NULL DEFAULT 'open',
  amount numeric NOT NULL,
  period tsrange,
  code text,
  CONSTRAINT amount_small CHECK (amount < 1000000) NOT VALID,
  CONSTRAINT no_overlap EXCLUDE USING gist (period WITH &&),
  CONSTRAINT invoices_code_key UNIQUE NULLS NOT DISTINCT (code) INCLUDE (amount),
  CONSTRAINT invoices_user_fk FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL DEFERRABLE INITIALLY DEFERRED
);
ALTER TABLE billing.invoices ADD CONSTRAINT amount_positive CHECK (amount > 0) NOT VALID;
CREATE UNIQUE INDEX users_lower_email ON users (lower(email::text)) WHERE active;
CREATE INDEX users_name_idx ON users (name DESC NULLS LAST) INCLUDE (email);
CREATE INDEX users_bio_pattern ON users (bio text_pattern_ops);
CREATE INDEX users_tags ON users USING gin (tags);
CREATE INDEX users_bio_c ON users (bio COLLATE "C");
ALTER TABLE users ENABLE ROW LEVEL SECURITY;
ALTER TABLE users FORCE ROW LEVEL SECURITY;
CREATE POLICY own ON users FOR SELECT USING (id = current_setting('app.user_id')::integer);
CREATE POLICY admins ON users AS RESTRICTIVE FOR UPDATE TO postgres USING (role = 'ADMIN') WITH CHECK (active);
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.created_at := now(); RETURN NEW; END $$;
CREATE TRIGGER users_touch BEFORE UPDATE OF name, bio ON users FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name) EXECUTE FUNCTION touch();
CREATE FUNCTION add(a integer, b integer DEFAULT 1) RETURNS integer LANGUAGE sql STRICT IMMUTABLE AS 'SELECT a + b';
CREATE FUNCTION billing.secret() RETURNS SETOF text LANGUAGE sql STABLE SECURITY DEFINER SET search_path = '' AS $$ SELECT 'x' $$;
CREATE PROCEDURE billing.noop(n integer) LANGUAGE plpgsql AS $$ BEGIN END $$;
CREATE VIEW active_users AS SELECT users.id, users.email FROM users WHERE users.active;
CREATE MATERIALIZED VIEW user_counts AS SELECT users.role, count(*) AS n FROM users GROUP BY users.role;
CREATE INDEX user_counts_role ON user_counts (role);
)sql";

const char* kTricky = R"sql(
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE parent (id bigint NOT NULL, created date NOT NULL, PRIMARY KEY (id, created)) PARTITION BY RANGE (created);
CREATE TABLE parent_2024 PARTITION OF parent FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE INDEX parent_created_idx ON parent (created);
CREATE TABLE items (
  id integer PRIMARY KEY,
  m mood NOT NULL DEFAULT 'happy',
  price numeric(8,2) DEFAULT 0.00,
  ratio double precision DEFAULT random() * 100,
  at timestamptz DEFAULT now(),
  epoch timestamptz DEFAULT '1970-01-01 00:00:00',
  shifted timestamp(3) with time zone DEFAULT '2020-01-01 01:30:00.250+02:30',
  day date DEFAULT CURRENT_DATE,
  label varchar(20) DEFAULT 'x',
  code char(3),
  data jsonb DEFAULT '{}'::jsonb,
  ids uuid[] DEFAULT ARRAY[]::uuid[],
  CHECK (m IN ('happy', 'sad')),
  CHECK (label IN ('x', 'y')),
  CHECK (price BETWEEN 0 AND 100),
  CHECK (code ~ '^[A-Z]+$'),
  CHECK (day > '2020-01-01')
);
CREATE INDEX items_data ON items USING gin (data jsonb_path_ops);
CREATE INDEX items_label_lower ON items (lower(label)) WHERE label IS NOT NULL AND m = 'happy';
CREATE FUNCTION trg() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE TRIGGER items_audit AFTER INSERT OR DELETE ON items FOR EACH STATEMENT EXECUTE FUNCTION trg('a', 'b''c');
CREATE POLICY p1 ON items USING (EXISTS (SELECT 1 FROM parent WHERE parent.id = items.id));
CREATE POLICY p2 ON items FOR INSERT WITH CHECK (m = ANY (ARRAY['happy'::mood]));
CREATE VIEW v1 AS SELECT items.id, items.label FROM items WHERE items.price > 10::numeric;
CREATE VIEW v2 AS SELECT i.id, lower(i.label::text) AS l FROM items i JOIN parent p ON p.id = i.id;
CREATE FUNCTION f2(x text, VARIADIC rest integer[]) RETURNS TABLE(a integer, b text) LANGUAGE sql AS $$ SELECT 1, x $$;
CREATE FUNCTION f3(OUT a integer, INOUT b text) LANGUAGE sql AS $$ SELECT 1, b $$;
CREATE FUNCTION f4() RETURNS integer LANGUAGE sql SET search_path TO public, pg_temp PARALLEL SAFE AS 'SELECT 1';
CREATE TABLE kid (extra text) INHERITS (items);
CREATE DOMAIN dom AS int;
CREATE TABLE dup_a (id char(36) NOT NULL PRIMARY KEY, x text DEFAULT NULL, y int DEFAULT NULL::integer, UNIQUE (id),
  v varchar(255) DEFAULT NULL, d dom DEFAULT NULL);
ALTER TABLE dup_a ADD COLUMN e numeric(10,2) DEFAULT NULL, ADD COLUMN f mood DEFAULT NULL;
CREATE TABLE dup_b (id int UNIQUE, CONSTRAINT b_named UNIQUE (id), n int UNIQUE, UNIQUE (n) DEFERRABLE);
CREATE TABLE docs (body text, w tsvector GENERATED ALWAYS AS (setweight(to_tsvector('english', body), 'A')) STORED);
CREATE INDEX docs_fts ON docs USING gin (to_tsvector('simple', body));
CREATE TABLE builds (id bigint PRIMARY KEY, old_id integer, job_id integer);
CREATE INDEX builds_order ON builds ((COALESCE(old_id, id)) DESC, GREATEST(job_id, 0::bigint));
)sql";

}  // namespace

TEST_CASE("catalog: PostgreSQL's printed forms of expressions, partitions, inheritance, views and functions",
          "[catalog][pg]") {
  model::SchemaModel m = round_trip(kTricky, "cattr");
  const model::Table& items = *m.table("public", "items");
  CHECK(items.constraint("items_m_check")->definition() == "CHECK (m = ANY (ARRAY['happy'::mood, 'sad'::mood]))");
  CHECK(m.schemas.at("public").functions.at("f3(text)").returns == "record");
  // Partitions are tables; the partition's copies of its parent's key and index are the parent's.
  const model::Table& part = *m.table("public", "parent_2024");
  CHECK(part.columns.size() == 2);
  CHECK(part.constraints.empty());
  CHECK(part.indexes.empty());
  CHECK(m.table("public", "parent")->indexes.size() == 1);
  // An inheriting table has its parent's columns first, not its constraints.
  CHECK(m.table("public", "kid")->columns.size() == 13);
  CHECK(items.column("epoch")->default_expr == "'1970-01-01 00:00:00+00'");
  CHECK(items.column("shifted")->default_expr == "'2019-12-31 23:00:00.25+00'");
  CHECK(m.table("public", "kid")->columns.back().name == "extra");
  CHECK(m.table("public", "kid")->constraints.empty());
  CHECK(m.table("public", "dup_a")->constraints.size() == 1);
  CHECK(m.table("public", "dup_b")->constraints.size() == 3);
  CHECK(m.table("public", "dup_b")->constraint("b_named"));
  CHECK(m.table("public", "docs")->column("w")->generated() == "setweight(to_tsvector('english', body), 'A')");
}

TEST_CASE("catalog: every object kind, with exact values, and the replayed model is the same", "[catalog][pg]") {
  model::SchemaModel m = round_trip(kEverything, "cat");
  REQUIRE(m.schemas.size() == 2);
  REQUIRE(m.extensions.size() == 1);
  CHECK(m.extensions.at("citext").schema == "public");
  const model::Schema& pub = m.schemas.at("public");
  const model::Schema& bill = m.schemas.at("billing");

  // types
  CHECK(pub.types.at("Role").kind == "enum");
  CHECK(pub.types.at("Role").values == std::vector<std::string>{"USER", "OWNER", "ADMIN"});
  CHECK(bill.types.at("state").values == std::vector<std::string>{"open", "paid"});
  CHECK(pub.types.at("point3").kind == "composite");
  CHECK(pub.types.at("point3").definition == "(x double precision, \"Y\" double precision)");
  CHECK(pub.types.at("positive_int").definition == "integer DEFAULT 1 NOT NULL CHECK (value > 0)");
  CHECK(pub.types.at("short_text").definition == "text COLLATE \"C\" CONSTRAINT short CHECK (length(value) < 10)");
  CHECK(pub.types.at("floatrange").definition == "(subtype = double precision)");
  CHECK(pub.types.size() == 5);  // citext belongs to its extension

  // sequences
  CHECK(pub.sequences.at("counter").type == "integer");
  CHECK(pub.sequences.at("counter").owned_by == "");
  CHECK(pub.sequences.at("users_id_seq").owned_by == "users.id");
  CHECK(bill.sequences.empty());  // the identity column's sequence is part of the column

  // columns
  const model::Table& u = pub.tables.at("users");
  REQUIRE(u.columns.size() == 11);
  CHECK(u.columns[0].name == "id");
  CHECK(u.columns[0].type == "integer");
  CHECK(u.columns[0].not_null);
  CHECK(u.columns[0].default_expr == "nextval('users_id_seq'::regclass)");
  CHECK(u.column("email")->type == "citext");
  CHECK(u.column("name")->type == "character varying(40)");
  CHECK(u.column("name")->collation == "\"C\"");
  CHECK(u.column("role")->type == "\"Role\"");
  CHECK(u.column("role")->default_expr == "'USER'");
  CHECK(u.column("roles")->type == "\"Role\"[]");
  CHECK(u.column("created_at")->type == "timestamp(3) without time zone");
  CHECK(u.column("created_at")->default_expr == "CURRENT_TIMESTAMP");
  CHECK(u.column("score")->type == "numeric(10,2)");
  CHECK_FALSE(u.column("score")->not_null);
  CHECK(u.column("active")->default_expr == "true");
  CHECK(u.column("name_len")->generated() == "length(name)");
  CHECK(u.column("name_len")->default_expr == "");
  CHECK(u.column("tags")->default_expr == "'{}'");
  const model::Table& inv = bill.tables.at("invoices");
  CHECK(inv.column("id")->identity == "ALWAYS");
  CHECK(inv.column("id")->type == "bigint");
  CHECK(inv.column("state")->type == "billing.state");

  // constraints
  CHECK(u.primary_key()->name == "users_pkey");
  CHECK(u.primary_key()->columns == std::vector<std::string>{"id"});
  CHECK(u.constraint("users_email_key")->definition() == "UNIQUE (email)");
  CHECK(u.constraint("users_score_check")->definition() == "CHECK (score >= 0)");
  CHECK(inv.constraint("amount_positive")->definition() == "CHECK (amount > 0) NOT VALID");
  CHECK(inv.constraint("amount_small")->definition() == "CHECK (amount < 1000000)");  // NOT VALID: not in CREATE TABLE
  CHECK(inv.constraint("no_overlap")->definition() == "EXCLUDE USING gist (period WITH &&)");
  CHECK(inv.constraint("invoices_code_key")->definition() == "UNIQUE NULLS NOT DISTINCT (code) INCLUDE (amount)");
  CHECK(inv.constraint("invoices_user_id_fkey")->definition() ==
        "FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE RESTRICT ON DELETE CASCADE");
  CHECK(inv.constraint("invoices_user_fk")->definition() ==
        "FOREIGN KEY (user_id) REFERENCES users(id) MATCH FULL DEFERRABLE INITIALLY DEFERRED");
  CHECK(inv.constraints.size() == 7);

  // indexes (the indexes of constraints are the constraints)
  REQUIRE(u.indexes.size() == 5);
  auto idx = [&](const std::string& n) { return const_cast<model::Table&>(u).index(n)->definition(); };
  CHECK(idx("users_lower_email") == "UNIQUE btree ((lower((email)::text))) WHERE (active)");
  CHECK(idx("users_name_idx") == "btree (name DESC NULLS LAST) INCLUDE (email)");
  CHECK(idx("users_bio_pattern") == "btree (bio text_pattern_ops)");
  CHECK(idx("users_tags") == "gin (tags)");
  CHECK(idx("users_bio_c") == "btree (bio COLLATE \"C\")");

  // row-level security, policies, triggers
  CHECK(u.rls_enabled);
  CHECK(u.rls_forced);
  CHECK_FALSE(inv.rls_enabled);
  REQUIRE(u.policies.size() == 2);
  CHECK(const_cast<model::Table&>(u).policy("own")->definition() ==
        "AS PERMISSIVE FOR SELECT TO public USING (id = (current_setting('app.user_id'))::integer)");
  CHECK(const_cast<model::Table&>(u).policy("admins")->definition() ==
        "AS RESTRICTIVE FOR UPDATE TO postgres USING (role = 'ADMIN') WITH CHECK (active)");
  REQUIRE(u.triggers.size() == 1);
  CHECK(u.triggers[0].definition() ==
        "BEFORE UPDATE OF name, bio FOR EACH ROW WHEN (old.name IS DISTINCT FROM new.name) EXECUTE FUNCTION touch()");

  // views
  CHECK_FALSE(pub.views.at("active_users").materialized);
  CHECK(pub.views.at("active_users").definition == "SELECT users.id, users.email FROM users WHERE users.active");
  CHECK(pub.views.at("user_counts").materialized);
  REQUIRE(pub.views.at("user_counts").indexes.size() == 1);
  CHECK(pub.views.at("user_counts").indexes[0].definition() == "btree (role)");

  // functions
  REQUIRE(pub.functions.size() == 2);
  const model::Function& add = pub.functions.at("add(integer, integer)");
  CHECK(add.arguments == "a integer, b integer DEFAULT 1");
  CHECK(add.returns == "integer");
  CHECK(add.language == "sql");
  CHECK(add.body == "SELECT a + b");
  CHECK(add.options == std::vector<std::string>{"IMMUTABLE", "STRICT"});
  const model::Function& secret = bill.functions.at("billing.secret()");
  CHECK(secret.returns == "SETOF text");
  CHECK(secret.options == std::vector<std::string>{"STABLE", "SECURITY DEFINER", "SET search_path = ''"});
  const model::Function& noop = bill.functions.at("billing.noop(integer)");
  CHECK(noop.procedure);
  CHECK(noop.returns == "");
  CHECK(pub.functions.at("touch()").returns == "trigger");
}

TEST_CASE("catalog: schema selection, platform schemas and extension members", "[catalog][pg]") {
  std::string db = dgtest::pg::fresh_database("catsel");
  dgtest::pg::exec(db, R"sql(
CREATE EXTENSION pgcrypto;
CREATE SCHEMA auth;
CREATE TABLE auth.users (id uuid PRIMARY KEY DEFAULT gen_random_uuid());
CREATE SCHEMA storage;
CREATE TABLE storage.objects (id bigint PRIMARY KEY);
CREATE SCHEMA app;
CREATE TABLE app.things (id bigint PRIMARY KEY, owner uuid REFERENCES auth.users (id));
CREATE TABLE profiles (id uuid PRIMARY KEY REFERENCES auth.users (id));
CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL,
  n integer GENERATED ALWAYS AS (length(checksum)) STORED);
CREATE TABLE zz (a text, b integer GENERATED ALWAYS AS (length(a)) STORED);
)sql");
  auto names = [](const model::SchemaModel& m) {
    std::string out;
    for (const auto& [sn, s] : m.schemas) {
      out += sn + ":";
      for (const auto& [tn, t] : s.tables) out += " " + tn;
      out += ";";
    }
    return out;
  };
  // Default: every user schema but the platform ones, without Prisma's table; pgcrypto's functions are its own.
  model::SchemaModel m = live(db);
  CHECK(names(m) == "app: things;public: profiles zz;");
  CHECK(m.table("public", "zz")->column("b")->generated() == "length(a)");
  CHECK(m.schemas.at("public").functions.empty());
  CHECK(m.extensions.count("pgcrypto") == 1);
  // A foreign key into a skipped schema is still read as it is.
  const model::Constraint* fk = m.table("public", "profiles")->constraint("profiles_id_fkey");
  REQUIRE(fk);
  CHECK(fk->definition() == "FOREIGN KEY (id) REFERENCES auth.users(id)");

  catalog::Options all;
  all.include_platform = true;
  CHECK(names(live(db, all)) == "app: things;auth: users;public: _prisma_migrations profiles zz;storage: objects;");

  catalog::Options some;
  some.schemas = {"auth", "app"};
  model::SchemaModel sm = live(db, some);
  CHECK(names(sm) == "app: things;auth: users;");
  CHECK(sm.extensions.empty());  // pgcrypto lives in public, which was not asked for

  catalog::Options also;
  also.also = {"auth", "nope"};  // the platform schemas the other side manages, when they exist
  CHECK(names(live(db, also)) == "app: things;auth: users;public: profiles zz;");

  catalog::Options missing;
  missing.schemas = {"nope"};
  CHECK_THROWS_WITH(live(db, missing), "schema \"nope\" does not exist in the database (or belongs to an extension)");
}

TEST_CASE("catalog: the statement timeout applies to every catalog query", "[catalog][pg]") {
  std::string db = dgtest::pg::fresh_database("catto");
  dgtest::pg::exec(db, "CREATE TABLE t (id integer); CREATE VIEW v AS SELECT t.id FROM t;");
  // Another session holds the view exclusively: pg_get_viewdef waits for it, until the timeout cancels the query.
  pqxx::connection locker(db);
  pqxx::work lock(locker);
  lock.exec("LOCK TABLE v IN ACCESS EXCLUSIVE MODE");
  db::ConnectOptions o;
  o.url = db;
  o.statement_timeout_ms = 300;
  auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(catalog::read(o), Catch::Contains("reading views from the catalog failed") &&
                                          Catch::Contains("canceling statement due to statement timeout"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(10));
  lock.abort();
  CHECK(catalog::read(o).schemas.at("public").views.count("v") == 1);
}

TEST_CASE("catalog: a role that may only read the catalogs reads the whole model, and nothing but SELECT is issued",
          "[catalog][pg]") {
  std::string db = dgtest::pg::fresh_database("catro");
  std::string dbname = db.substr(db.find("dbname='") + 8);
  dbname.pop_back();
  std::string role = "dg_reader_" + std::to_string(::getpid());
  dgtest::pg::exec(db, kEverything);
  dgtest::pg::exec(db, "DROP ROLE IF EXISTS " + role + "; CREATE ROLE " + role + " LOGIN; "
                       "REVOKE CREATE, TEMPORARY ON DATABASE \"" + dbname + "\" FROM PUBLIC; "
                       "REVOKE CREATE ON SCHEMA public FROM PUBLIC; "
                       "ALTER ROLE " + role + " SET log_statement = 'all';");
  std::string as_role = db + " user=" + role;
  // The role cannot read a table, nor create anything.
  {
    pqxx::connection c(as_role);
    pqxx::nontransaction tx(c);
    CHECK_THROWS_WITH(tx.exec("SELECT * FROM active_users"), Catch::Contains("permission denied for view active_users"));
    CHECK_THROWS_WITH(tx.exec("SELECT * FROM billing.invoices"), Catch::Contains("permission denied for schema billing"));
    CHECK_THROWS_WITH(tx.exec("CREATE TABLE x (a int)"), Catch::Contains("permission denied"));
  }
  db::ConnectOptions o;
  o.url = as_role;
  std::string pid;
  model::SchemaModel m;
  {
    db::ReadOnlySession s(o);
    pid = s.tx().exec("SELECT pg_backend_pid()")[0][0].c_str();
    m = catalog::read(s.tx());
  }
  // The same model as the superuser reads.
  CHECK(items(diff::diff(live(db), m)) == "");
  CHECK(m.table_count() == 2);

  // Every statement of that backend in the server log: the transaction, its settings, and SELECTs.
  std::string host = dgtest::pg::server().substr(dgtest::pg::server().find("host='") + 6);
  host = host.substr(0, host.find('\''));
  std::ifstream log(host + "/server.log");
  REQUIRE(log.good());
  std::vector<std::string> statements;
  std::regex line("^\\S+ \\S+ \\S+ \\[" + pid + "\\] LOG:  statement: (.*)$");
  for (std::string l; std::getline(log, l);) {
    std::smatch mt;
    if (std::regex_match(l, mt, line)) statements.push_back(mt[1].str());
  }
  int selects = 0;
  for (const auto& st : statements) {
    INFO(st);
    bool select = st.rfind("SELECT ", 0) == 0;
    selects += select;
    CHECK((select || st == "BEGIN; SET TRANSACTION READ ONLY" || st.rfind("SET LOCAL statement_timeout = ", 0) == 0 ||
           st == "ROLLBACK"));
  }
  CHECK(selects == 17);  // pg_backend_pid, set_config, and the 15 catalog queries (inheritance: pg_inherits; comments;
                         // pg_default_acl)
  // one READ ONLY transaction, rolled back
  CHECK(std::count(statements.begin(), statements.end(), "BEGIN; SET TRANSACTION READ ONLY") == 1);
  CHECK(std::count(statements.begin(), statements.end(), "ROLLBACK") == 1);
  dgtest::pg::exec(db, "DROP ROLE " + role);
}

TEST_CASE("catalog: a function signature keeps no type modifier, and DROP FUNCTION finds it by either spelling",
          "[catalog][pg]") {
  // PostgreSQL stores f(varchar(1000)) RETURNS numeric(10,2) as f(character varying) RETURNS numeric; the
  // replay must too, or a later DROP FUNCTION f(varchar(1000)) is refused statically (supabase/dbdev's history).
  model::SchemaModel m = round_trip(
      "CREATE FUNCTION f(a varchar(1000)) RETURNS numeric(10,2) LANGUAGE sql AS 'SELECT 1';\n"
      "CREATE FUNCTION g(a varchar(10), b timestamp(3)) RETURNS TABLE (x varchar(5)) LANGUAGE sql AS $$SELECT 'a'$$;\n"
      "DROP FUNCTION f(varchar(1000));\n",
      "fsig");
  const model::Schema* s = m.schema("public");
  REQUIRE(s != nullptr);
  REQUIRE(s->functions.size() == 1);
  CHECK(s->functions.begin()->first == "g(character varying, timestamp without time zone)");
}
