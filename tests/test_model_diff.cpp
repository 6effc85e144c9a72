// The differ: exact kinds, paths, values, sources and the unmanaged class; ignore patterns.
#include <catch2/catch.hpp>

#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "helpers.hpp"
#include "introspect/diff.hpp"

using namespace driftguard;

namespace {

model::SchemaModel build(const std::string& sql, const std::string& file) { return dgtest::replay_model(sql, file); }

// "kind path" per item
std::vector<std::string> kinds(const std::string& expected, const std::string& actual, diff::Options opts = {}) {
  auto items = diff::diff(build(expected, "e.sql"), build(actual, "a.sql"), opts);
  std::vector<std::string> out;
  for (const auto& i : items) out.push_back(i.kind + " " + i.path + (i.unmanaged ? " (unmanaged)" : ""));
  return out;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("equal schemas written differently have no drift", "[model][diff]") {
  CHECK(kinds("CREATE TYPE \"Role\" AS ENUM ('USER');\n"
              "CREATE TABLE \"User\" (id SERIAL NOT NULL, role \"Role\" NOT NULL DEFAULT 'USER', created TIMESTAMP(3) "
              "NOT NULL DEFAULT CURRENT_TIMESTAMP, tags TEXT[] DEFAULT ARRAY['a']::TEXT[], CONSTRAINT \"User_pkey\" "
              "PRIMARY KEY (id));\n"
              "CREATE INDEX \"User_created_idx\" ON \"User\"(created DESC);",
              "create type \"Role\" as enum ('USER');\n"
              "create sequence \"User_id_seq\" as integer;\n"
              "create table public.\"User\" (id integer not null default nextval('\"User_id_seq\"'::regclass), role "
              "public.\"Role\" default 'USER'::\"Role\" not null, created timestamp(3) without time zone default now() "
              "not null, tags text[] default ARRAY['a'::text]);\n"
              "alter sequence \"User_id_seq\" owned by \"User\".id;\n"
              "alter table only public.\"User\" add constraint \"User_pkey\" primary key (id);\n"
              "create index \"User_created_idx\" on public.\"User\" using btree (created desc nulls first);")
            .empty());
}

TEST_CASE("tables and columns: missing, extra, type, nullability, default", "[model][diff]") {
  CHECK(kinds("CREATE TABLE a (id int NOT NULL, name text, n int DEFAULT 1, gone int);\nCREATE TABLE only_e (x int);",
              "CREATE TABLE a (id bigint, name text NOT NULL, n int DEFAULT 2, added int);\nCREATE TABLE only_a (x int);") ==
        V{"extra-column public.a.added", "missing-column public.a.gone", "column-type public.a.id",
          "nullability public.a.id", "default public.a.n", "nullability public.a.name", "extra-table public.only_a",
          "missing-table public.only_e"});
}

TEST_CASE("items carry both values and both source locations", "[model][diff]") {
  auto items = diff::diff(build("CREATE TABLE a (\n  id int NOT NULL\n);", "e.sql"),
                          build("CREATE TABLE a (id bigint NOT NULL);", "a.sql"));
  REQUIRE(items.size() == 1);
  const auto& i = items[0];
  CHECK(i.kind == "column-type");
  CHECK(i.path == "public.a.id");
  CHECK(i.message == "column public.a.id has type bigint, expected integer");
  CHECK(i.expected.value == "integer");
  CHECK(i.expected.src.str() == "e.sql:2:3");
  CHECK(i.actual.value == "bigint");
  CHECK(i.actual.src.str() == "a.sql:1:17");
  CHECK(i.severity == Severity::error);
  CHECK_FALSE(i.unmanaged);
}

TEST_CASE("constraints: primary key, foreign-key action, definition, missing, extra, renamed", "[model][diff]") {
  std::string base = "CREATE TABLE p (id int PRIMARY KEY, k int UNIQUE);\n";
  CHECK(kinds(base + "CREATE TABLE c (id int, p_id int, CONSTRAINT c_pkey PRIMARY KEY (id), CONSTRAINT fk FOREIGN KEY "
                     "(p_id) REFERENCES p ON DELETE CASCADE, CONSTRAINT fk2 FOREIGN KEY (p_id) REFERENCES p, "
                     "CONSTRAINT old_name FOREIGN KEY (id) REFERENCES p);",
              base + "CREATE TABLE c (id int, p_id int, CONSTRAINT c_pkey PRIMARY KEY (id, p_id), CONSTRAINT fk "
                     "FOREIGN KEY (p_id) REFERENCES p ON DELETE NO ACTION, CONSTRAINT fk2 FOREIGN KEY (p_id) "
                     "REFERENCES p (k), CONSTRAINT new_name FOREIGN KEY (id) REFERENCES p, CHECK (id > 0));") ==
        V{"extra-constraint public.c.c_id_check", "primary-key public.c.c_pkey", "foreign-key-action public.c.fk",
          "constraint-definition public.c.fk2", "constraint-renamed public.c.old_name", "nullability public.c.p_id"});
  // ON DELETE NO ACTION is the same as no clause.
  CHECK(kinds(base + "CREATE TABLE c (p_id int REFERENCES p ON DELETE NO ACTION ON UPDATE NO ACTION);",
              base + "CREATE TABLE c (p_id int REFERENCES p);")
            .empty());
  CHECK(kinds(base + "CREATE TABLE c (id int CONSTRAINT a PRIMARY KEY);", base + "CREATE TABLE c (id int CONSTRAINT b PRIMARY KEY);") ==
        V{"constraint-renamed public.c.a"});
}

TEST_CASE("indexes compare by definition: a renamed index is one item", "[model][diff]") {
  std::string t = "CREATE TABLE t (a int, b text, c int);\n";
  CHECK(kinds(t + "CREATE INDEX old_idx ON t (a, b);\nCREATE INDEX t_c_idx ON t (c);\nCREATE INDEX gone ON t (b);",
              t + "CREATE INDEX new_idx ON t USING btree (a, b);\nCREATE INDEX t_c_idx ON t (c DESC);\nCREATE INDEX more ON t "
                  "(a) WHERE c > 0;\nCREATE INDEX expr ON t (lower(b));") ==
        V{"extra-index public.t.expr", "missing-index public.t.gone", "extra-index public.t.more",
          "index-renamed public.t.old_idx", "index-definition public.t.t_c_idx"});
  // A unique constraint and a unique index with the same name and columns: one low-severity item.
  auto items = diff::diff(build(t + "CREATE UNIQUE INDEX t_a_key ON t (a);", "e.sql"),
                          build(t + "ALTER TABLE t ADD CONSTRAINT t_a_key UNIQUE (a);", "a.sql"));
  REQUIRE(items.size() == 1);
  CHECK(items[0].kind == "index-kind");
  CHECK(items[0].severity == Severity::info);
  CHECK(items[0].message == "public.t.t_a_key is a unique constraint, expected a unique index");
}

TEST_CASE("enums, extensions, schemas, views, functions, sequences", "[model][diff]") {
  CHECK(kinds("CREATE TYPE s AS ENUM ('a', 'b');", "CREATE TYPE s AS ENUM ('a', 'b', 'c');") == V{"enum-values public.s"});
  CHECK(kinds("CREATE TYPE s AS ENUM ('a', 'b');\nCREATE TYPE gone AS ENUM ('x');\nCREATE EXTENSION citext;\n"
              "CREATE SCHEMA app;\nCREATE VIEW v AS SELECT 1;\nCREATE VIEW w AS SELECT 1;",
              "CREATE TYPE s AS ENUM ('b', 'a');\nCREATE TYPE more AS ENUM ('y');\nCREATE EXTENSION pg_trgm;\n"
              "CREATE VIEW v AS SELECT 2;\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1';\nCREATE SEQUENCE q;") ==
        V{"missing-schema app", "missing-extension citext", "extra-extension pg_trgm", "extra-function public.f()",
          "missing-enum public.gone", "extra-enum public.more", "extra-sequence public.q", "enum-order public.s",
          "view-definition public.v", "missing-view public.w"});
}

TEST_CASE("RLS, policies and triggers", "[model][diff]") {
  std::string t = "CREATE TABLE t (id int);\nCREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n";
  CHECK(kinds(t + "CREATE POLICY p ON t USING (id > 0);\nCREATE POLICY q ON t USING (true);",
              t + "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON t USING (id >= 0);\nCREATE TRIGGER tr "
                  "BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();") ==
        V{"rls public.t", "policy public.t.p", "missing-policy public.t.q", "extra-trigger public.t.tr"});
}

TEST_CASE("with a Prisma side, raw-SQL objects Prisma cannot express are unmanaged", "[model][diff]") {
  std::string prisma = "CREATE TABLE t (id int PRIMARY KEY, n int);\nCREATE INDEX t_n_idx ON t (n);\n";
  std::string migrations = prisma +
                           "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;\n"
                           "CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();\n"
                           "ALTER TABLE t ENABLE ROW LEVEL SECURITY;\nCREATE POLICY p ON t USING (true);\n"
                           "CREATE INDEX t_lower ON t ((n + 1));\nCREATE INDEX t_partial ON t (n) WHERE n > 0;\n"
                           "CREATE INDEX t_plain ON t (id, n);\nALTER TABLE t ADD CONSTRAINT pos CHECK (n > 0);\n"
                           "CREATE VIEW v AS SELECT 1;\nCREATE TABLE extra (x int);\nCREATE EXTENSION pg_trgm;\n";
  diff::Options o;
  o.prisma = diff::Side::expected;
  CHECK(kinds(prisma, migrations, o) ==
        V{"extra-extension pg_trgm (unmanaged)", "extra-table public.extra", "extra-function public.f() (unmanaged)",
          "rls public.t (unmanaged)", "extra-policy public.t.p (unmanaged)", "extra-constraint public.t.pos (unmanaged)",
          "extra-index public.t.t_lower (unmanaged)", "extra-index public.t.t_partial (unmanaged)",
          "extra-index public.t.t_plain", "extra-trigger public.t.tr (unmanaged)", "extra-view public.v (unmanaged)"});
  // The Prisma side may be either side.
  o.prisma = diff::Side::actual;
  auto items = kinds(migrations, prisma, o);
  CHECK(std::count_if(items.begin(), items.end(), [](const std::string& s) { return s.find("(unmanaged)") != std::string::npos; }) == 9);
  // Without a Prisma side there is no unmanaged class.
  items = kinds(prisma, migrations);
  CHECK(std::none_of(items.begin(), items.end(), [](const std::string& s) { return s.find("unmanaged") != std::string::npos; }));
}

TEST_CASE("ignore patterns: table, schema.*, table.column, globs", "[model][diff]") {
  std::vector<std::string> p;
  CHECK_FALSE(diff::ignored("public.users.email", p));
  p = {"users"};
  CHECK(diff::ignored("public.users", p));
  CHECK(diff::ignored("public.users.email", p));
  CHECK_FALSE(diff::ignored("public.users_archive", p));
  p = {"auth.*"};
  CHECK(diff::ignored("auth.users", p));
  CHECK(diff::ignored("auth.users.id", p));
  CHECK_FALSE(diff::ignored("public.auth", p));
  p = {"users.email"};
  CHECK(diff::ignored("public.users.email", p));
  CHECK_FALSE(diff::ignored("public.users.name", p));
  p = {"*.updated_at"};
  CHECK(diff::ignored("public.users.updated_at", p));
  CHECK_FALSE(diff::ignored("public.users.created_at", p));
  p = {"_prisma_migrations", "pg_trgm", "public.tmp_?"};
  CHECK(diff::ignored("public._prisma_migrations", p));
  CHECK(diff::ignored("pg_trgm", p));
  CHECK(diff::ignored("public.tmp_1", p));
  CHECK_FALSE(diff::ignored("public.tmp_12", p));
  diff::Options o;
  o.ignore = {"a.gone", "only_*"};
  CHECK(kinds("CREATE TABLE a (gone int, k int);\nCREATE TABLE only_e (x int);", "CREATE TABLE a (k int);", o).empty());
}
