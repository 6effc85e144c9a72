// Normalization: every equivalence is checked both ways (the spelling in a migration and the form PostgreSQL
// prints back — format_type, pg_get_expr, pg_get_constraintdef, pg_get_indexdef, recorded from PostgreSQL 15.18).
#include <catch2/catch.hpp>

#include "analyzer/model/normalize.hpp"

using namespace driftguard;

namespace {
std::string type(const std::string& t) { return norm::type_text(t); }
std::string ex(const std::string& e, const std::string& target = {},
               const std::map<std::string, std::string>* cols = nullptr) {
  return norm::expr_text(e, target, cols);
}
}  // namespace

TEST_CASE("type names are printed as format_type prints them", "[model][normalize]") {
  struct Case {
    const char* written;
    const char* canonical;
  };
  const Case cases[] = {
      {"int4", "integer"},
      {"INT", "integer"},
      {"integer", "integer"},
      {"int2", "smallint"},
      {"int8", "bigint"},
      {"BIGINT", "bigint"},
      {"varchar(40)", "character varying(40)"},
      {"VARCHAR(40)", "character varying(40)"},
      {"character varying(40)", "character varying(40)"},
      {"varchar", "character varying"},
      {"timestamp(3)", "timestamp(3) without time zone"},
      {"TIMESTAMP(3)", "timestamp(3) without time zone"},
      {"timestamp(3) without time zone", "timestamp(3) without time zone"},
      {"timestamp", "timestamp without time zone"},
      {"timestamptz", "timestamp with time zone"},
      {"timestamp with time zone", "timestamp with time zone"},
      {"TIMESTAMPTZ(6)", "timestamp(6) with time zone"},
      {"timestamp(6) with time zone", "timestamp(6) with time zone"},
      {"time(0)", "time(0) without time zone"},
      {"timetz", "time with time zone"},
      {"DECIMAL(65,30)", "numeric(65,30)"},
      {"numeric(65,30)", "numeric(65,30)"},
      {"numeric(10)", "numeric(10,0)"},
      {"decimal", "numeric"},
      {"DOUBLE PRECISION", "double precision"},
      {"float8", "double precision"},
      {"float", "double precision"},
      {"float(10)", "real"},
      {"float4", "real"},
      {"bool", "boolean"},
      {"char", "character(1)"},
      {"CHAR(3)", "character(3)"},
      {"bpchar(3)", "character(3)"},
      {"character(3)", "character(3)"},
      {"bit", "bit(1)"},
      {"varbit(16)", "bit varying(16)"},
      {"bit varying(16)", "bit varying(16)"},
      {"interval(3)", "interval(3)"},
      {"interval day to second(3)", "interval day to second(3)"},
      {"interval hour to minute", "interval hour to minute"},
      {"TEXT[]", "text[]"},
      {"text ARRAY", "text[]"},
      {"int[][]", "integer[]"},
      {"integer[]", "integer[]"},
      {"JSONB", "jsonb"},
      {"UUID", "uuid"},
      {"CITEXT", "citext"},
      {"public.citext", "citext"},
      {"\"Role\"", "\"Role\""},
      {"public.\"Role\"", "\"Role\""},
      {"\"Role\"[]", "\"Role\"[]"},
      {"billing.\"InvoiceState\"", "billing.\"InvoiceState\""},
      {"\"char\"", "\"char\""},
      {"\"user\"", "\"user\""},
      {"vector(1536)", "vector(1536)"},
  };
  for (const auto& c : cases) {
    INFO(c.written);
    CHECK(type(c.written) == c.canonical);
    CHECK(type(c.canonical) == c.canonical);  // format_type's output reads back as itself
  }
}

TEST_CASE("serial types expand to their integer type", "[model][normalize]") {
  CHECK(norm::element_type("text[]") == "text");
  CHECK(norm::element_type("text").empty());
  CHECK(norm::strip_typmod("timestamp(3) without time zone") == "timestamp without time zone");
  CHECK(norm::strip_typmod("character varying(40)") == "character varying");
  CHECK(norm::strip_typmod("\"a(b)\"") == "\"a(b)\"");
}

TEST_CASE("equivalent defaults compare equal, both ways", "[model][normalize]") {
  struct Case {
    const char* type;     // the column's canonical type
    const char* written;  // as a migration writes it
    const char* printed;  // as pg_get_expr prints it
    const char* canonical;
  };
  const Case cases[] = {
      {"timestamp(3) without time zone", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"},
      {"timestamp(6) with time zone", "now()", "now()", "CURRENT_TIMESTAMP"},
      {"timestamp with time zone", "now()", "CURRENT_TIMESTAMP", "CURRENT_TIMESTAMP"},
      {"timestamp with time zone", "pg_catalog.now()", "transaction_timestamp()", "CURRENT_TIMESTAMP"},
      // timestamptz literals in UTC (the catalog is read with TimeZone = UTC; no zone is taken as UTC)
      {"timestamp with time zone", "'1970-01-01 00:00:00'", "'1970-01-01 00:00:00+00'::timestamp with time zone",
       "'1970-01-01 00:00:00+00'"},
      {"timestamp(6) with time zone", "'2020-01-01T01:30:00.500+02:30'",
       "'2019-12-31 23:00:00.5+00'::timestamp with time zone", "'2019-12-31 23:00:00.5+00'"},
      {"timestamp with time zone", "'2020-06-30 23:00Z'", "'2020-06-30 23:00:00+00'::timestamp with time zone",
       "'2020-06-30 23:00:00+00'"},
      {"\"Role\"", "'USER'", "'USER'::\"Role\"", "'USER'"},
      {"\"Role\"", "'USER'::\"Role\"", "'USER'::public.\"Role\"", "'USER'"},
      {"text[]", "ARRAY[]::TEXT[]", "ARRAY[]::text[]", "'{}'"},
      {"integer[]", "ARRAY[]::INTEGER[]", "ARRAY[]::integer[]", "'{}'"},
      {"text[]", "'{}'::TEXT[]", "'{}'::text[]", "'{}'"},
      {"text[]", "'{}'", "ARRAY[]::text[]", "'{}'"},
      {"text[]", "ARRAY['x', 'y']::TEXT[]", "ARRAY['x'::text, 'y'::text]", "ARRAY['x', 'y']"},
      {"\"Role\"[]", "'{}'", "'{}'::\"Role\"[]", "'{}'"},
      {"\"Role\"[]", "ARRAY['A']::\"Role\"[]", "ARRAY['A'::\"Role\"]", "ARRAY['A'::\"Role\"]"},
      {"uuid[]", "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11']::uuid[]",
       "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]", "ARRAY['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid]"},
      {"integer[]", "ARRAY[1, 2]", "ARRAY[1, 2]", "ARRAY[1, 2]"},
      {"integer[]", "'{1,2}'", "'{1,2}'::integer[]", "'{1,2}'"},
      {"character varying(40)", "'x'", "'x'::character varying", "'x'"},
      {"text", "'a'", "'a'::text", "'a'"},
      {"text", "('a')", "'a'::text", "'a'"},
      {"jsonb", "'{}'", "'{}'::jsonb", "'{}'"},
      {"integer", "-1", "'-1'::integer", "-1"},
      {"integer", "42", "42", "42"},
      {"integer", "'42'", "42", "42"},
      {"numeric(65,30)", "0", "0", "0"},
      {"numeric(6,2)", "9.99", "9.99", "9.99"},
      {"double precision", "-1.5", "'-1.5'::double precision", "-1.5"},
      {"boolean", "false", "false", "false"},
      {"boolean", "'t'", "true", "true"},
      {"boolean", "TRUE", "true", "true"},
      {"integer", "floor(random() * 100)::integer", "(floor((random() * (100)::double precision)))::integer",
       "floor(random() * 100)"},
      {"integer", "(1+2)*3", "((1 + 2) * 3)", "(1 + 2) * 3"},
      {"text", "lower('X')", "lower('X'::text)", "lower('X')"},
      {"text", "current_user", "CURRENT_USER", "CURRENT_USER"},
      {"date", "current_date", "CURRENT_DATE", "CURRENT_DATE"},
      {"uuid", "gen_random_uuid()", "gen_random_uuid()", "gen_random_uuid()"},
      {"uuid", "public.gen_random_uuid()", "gen_random_uuid()", "gen_random_uuid()"},
      {"text", "nanoid()", "public.nanoid()", "nanoid()"},
      {"uuid", "extensions.uuid_generate_v4()", "extensions.uuid_generate_v4()", "extensions.uuid_generate_v4()"},
      {"timestamp(3) without time zone", "'2020-01-01 00:00:00 +00:00'",
       "'2020-01-01 00:00:00'::timestamp without time zone", "'2020-01-01 00:00:00'"},
      {"timestamp without time zone", "'2020-01-01T10:30Z'", "'2020-01-01 10:30:00'::timestamp without time zone",
       "'2020-01-01 10:30:00'"},
      {"timestamp(3) without time zone", "'1970-01-01 00:00:00.000'", "'1970-01-01 00:00:00'::timestamp without time zone",
       "'1970-01-01 00:00:00'"},
      {"integer", "nextval('t_id_seq')", "nextval('t_id_seq'::regclass)", "nextval('t_id_seq'::regclass)"},
      {"integer", "nextval('public.t_id_seq')", "nextval('t_id_seq'::regclass)", "nextval('t_id_seq'::regclass)"},
      {"integer", "nextval('\"User_id_seq\"'::regclass)", "nextval('public.\"User_id_seq\"'::regclass)",
       "nextval('\"User_id_seq\"'::regclass)"},
      {"integer", "nextval('auth.\"User_id_seq\"'::regclass)", "nextval('auth.\"User_id_seq\"'::regclass)",
       "nextval('auth.\"User_id_seq\"'::regclass)"},
  };
  for (const auto& c : cases) {
    INFO(c.type << " DEFAULT " << c.written << " / " << c.printed);
    CHECK(ex(c.written, c.type) == c.canonical);
    CHECK(ex(c.printed, c.type) == c.canonical);
    CHECK(ex(c.canonical, c.type) == c.canonical);  // canonical text is a fixed point
  }
}

TEST_CASE("a cast to another type is kept", "[model][normalize]") {
  CHECK(ex("'1 day'::interval") == "'1 day'::interval");
  CHECK(ex("interval '1 day'") == "'1 day'::interval");
  CHECK(ex("n::text") == "(n)::text");
  CHECK(ex("(n)::text") == "(n)::text");
  CHECK(ex("'x'::text") == "'x'");  // a string literal is text already
  CHECK(ex("'{}'::jsonb", "text") == "'{}'::jsonb");
  CHECK(ex("ARRAY[]::integer[]") == "(ARRAY[])::integer[]");
}

TEST_CASE("check constraints compare equal with pg_get_constraintdef output", "[model][normalize]") {
  std::map<std::string, std::string> cols = {
      {"status", "text"}, {"v", "character varying(10)"}, {"n", "integer"}, {"ts", "timestamp with time zone"}};
  struct Case {
    const char* written;
    const char* printed;  // inside CHECK (...)
    const char* canonical;
  };
  const Case cases[] = {
      {"status in ('a','b')", "(status = ANY (ARRAY['a'::text, 'b'::text]))", "status = ANY (ARRAY['a', 'b'])"},
      {"v IN ('x', 'y')", "((v)::text = ANY ((ARRAY['x'::character varying, 'y'::character varying])::text[]))",
       "v = ANY (ARRAY['x', 'y'])"},
      {"status NOT IN ('z')", "(status <> 'z'::text)", "status <> 'z'"},  // one element: PostgreSQL's <>
      {"n between 1 and 5", "((n >= 1) AND (n <= 5))", "(n >= 1) AND (n <= 5)"},
      {"n not between 1 and 5", "((n < 1) OR (n > 5))", "(n < 1) OR (n > 5)"},
      {"status is not null and n > 0 or n < -10", "(((status IS NOT NULL) AND (n > 0)) OR (n < '-10'::integer))",
       "((status IS NOT NULL) AND (n > 0)) OR (n < -10)"},
      {"v like 'a%'", "((v)::text ~~ 'a%'::text)", "v ~~ 'a%'"},
      {"coalesce(n, 0) >= 0", "(COALESCE(n, 0) >= 0)", "COALESCE(n, 0) >= 0"},
      {"n::text = '1'", "((n)::text = '1'::text)", "(n)::text = '1'"},
      {"ts > now() - interval '1 day'", "(ts > (now() - '1 day'::interval))",
       "ts > (CURRENT_TIMESTAMP - '1 day'::interval)"},
      {"a AND (b AND c)", "((a AND b) AND c)", "a AND b AND c"},
      {"NOT (n > 0)", "(NOT (n > 0))", "NOT (n > 0)"},
      {"n IS DISTINCT FROM 1", "(n IS DISTINCT FROM 1)", "n IS DISTINCT FROM 1"},
      {"\"N\" > 0", "(\"N\" > 0)", "\"N\" > 0"},
      {"CASE WHEN n > 0 THEN 'p' ELSE 'n' END = status",
       "(CASE WHEN (n > 0) THEN 'p'::text ELSE 'n'::text END = status)",
       "CASE WHEN n > 0 THEN 'p' ELSE 'n' END = status"},
  };
  for (const auto& c : cases) {
    INFO(c.written << " / " << c.printed);
    CHECK(ex(c.written, "", &cols) == c.canonical);
    CHECK(ex(c.printed, "", &cols) == c.canonical);
  }
}

TEST_CASE("index expressions, predicates and policies compare equal with PostgreSQL's output",
          "[model][normalize]") {
  std::map<std::string, std::string> cols = {{"status", "text"}, {"v", "character varying(10)"}, {"n", "integer"}};
  CHECK(ex("lower(v)", "", &cols) == "lower(v)");
  CHECK(ex("lower((v)::text)", "", &cols) == "lower(v)");
  // PostgreSQL stores x IN (a) as x = a (recorded from PostgreSQL 15)
  CHECK(ex("status in ('a')", "", &cols) == ex("(status = 'a'::text)", "", &cols));
  CHECK(ex("status not in ('a')", "", &cols) == "status <> 'a'");
  CHECK(ex("deleted = false") == ex("(deleted = false)"));
  // Sub-selects are printed as PostgreSQL stores them: output names, qualified columns (a relation whose
  // columns are unknown takes the unqualified ones of its level).
  CHECK(ex("n = (select 1)") == "n = (SELECT 1 AS \"?column?\")");
  CHECK(ex("(n = ( SELECT 1))") == "n = (SELECT 1 AS \"?column?\")");
  CHECK(ex("exists (select 1 from   t where t.id = n)") == "EXISTS (SELECT 1 AS \"?column?\" FROM t WHERE t.id = t.n)");
  CHECK(ex("auth.uid() IN (SELECT user_id FROM members)") == "auth.uid() IN (SELECT members.user_id FROM members)");
  CHECK(ex("auth.uid() IN (SELECT user_id FROM members)") == ex("(auth.uid() IN ( SELECT members.user_id\n FROM members))"));
  CHECK(ex("status = current_user") == "status = CURRENT_USER");
  CHECK(ex("(status = CURRENT_USER)") == "status = CURRENT_USER");
}

TEST_CASE("a literal compared with a column takes the column's type, as PostgreSQL prints it", "[model][normalize]") {
  std::map<std::string, std::string> cols = {{"role", "\"Role\""}, {"day", "date"}, {"n", "integer"}, {"status", "text"}};
  struct Case {
    const char* written;
    const char* printed;  // pg_get_expr
    const char* canonical;
  };
  const Case cases[] = {
      {"role = 'ADMIN'", "(role = 'ADMIN'::\"Role\")", "role = 'ADMIN'"},
      {"'ADMIN' <> role", "('ADMIN'::\"Role\" <> role)", "'ADMIN' <> role"},
      {"day > '2020-01-01'", "(day > '2020-01-01'::date)", "day > '2020-01-01'"},
      {"role IN ('A', 'B')", "(role = ANY (ARRAY['A'::\"Role\", 'B'::\"Role\"]))",
       "role = ANY (ARRAY['A'::\"Role\", 'B'::\"Role\"])"},
      {"role NOT IN ('A')", "(role <> 'A'::\"Role\")", "role <> 'A'"},
      {"n IN (1, 2)", "(n = ANY (ARRAY[1, 2]))", "n = ANY (ARRAY[1, 2])"},
      {"status IN ('a')", "(status = 'a'::text)", "status = 'a'"},
  };
  for (const auto& c : cases) {
    INFO(c.written << " / " << c.printed);
    CHECK(ex(c.written, "", &cols) == c.canonical);
    CHECK(ex(c.printed, "", &cols) == c.canonical);
  }
  // Without the table's columns nothing is known about the other side: the cast stays.
  CHECK(ex("(role = 'ADMIN'::\"Role\")") == "role = 'ADMIN'::\"Role\"");
}

TEST_CASE("a string literal passed to a function takes the parameter's type", "[model][normalize]") {
  std::map<std::string, std::string> cols = {{"content", "text"}, {"v", "tsvector"}};
  CHECK(ex("to_tsvector('english', content)", "", &cols) == "to_tsvector('english', content)");
  CHECK(ex("to_tsvector('english'::regconfig, content)", "", &cols) == "to_tsvector('english', content)");
  // The OID alias types have no operators of their own: compared with one, the literal keeps its cast (without
  // it the literal is taken as an oid and PostgreSQL rejects it).
  std::map<std::string, std::string> reg = {{"language", "regconfig"}};
  CHECK(ex("language <> 'simple'::regconfig", "", &reg) == "language <> 'simple'::regconfig");
  CHECK(ex("(language <> 'simple'::regconfig)", "", &reg) == "language <> 'simple'::regconfig");
  CHECK(ex("setweight(v, 'A'::\"char\")", "", &cols) == "setweight(v, 'A')");
  // text of an unbounded varchar cast: the cast PostgreSQL adds for a text parameter
  CHECK(ex("f(((v ->> 'a')::character varying)::text)") == "f((v ->> 'a')::character varying)");
  CHECK(ex("f((v ->> 'a')::varchar)") == "f((v ->> 'a')::character varying)");
  CHECK(ex("f(((v ->> 'a')::character varying(5))::text)") == "f(((v ->> 'a')::character varying(5))::text)");
  // COALESCE, GREATEST, LEAST: PostgreSQL casts numeric columns to the common type
  std::map<std::string, std::string> nums = {{"a", "bigint"}, {"b", "integer"}, {"s", "text"}};
  CHECK(ex("COALESCE(a, (b)::bigint, a)", "", &nums) == "COALESCE(a, b, a)");
  CHECK(ex("GREATEST((b)::numeric, 1.5)", "", &nums) == "GREATEST(b, 1.5)");
  CHECK(ex("COALESCE((s)::integer, b)", "", &nums) == "COALESCE((s)::integer, b)");  // not a numeric column
  // sequence defaults keep their regclass; array literals keep their type
  CHECK(ex("nextval('s'::regclass)") == "nextval('s'::regclass)");
  CHECK(ex("array_length('{1,2}'::integer[], 1)") == "array_length('{1,2}'::integer[], 1)");
}

TEST_CASE("quoting and keyword case do not matter", "[model][normalize]") {
  CHECK(ex("LOWER(\"email\")") == "lower(email)");
  CHECK(ex("lower(Email)") == "lower(email)");
  CHECK(ex("lower(\"Email\")") == "lower(\"Email\")");
  CHECK(ex("\"user\".id") == "\"user\".id");
  CHECK(norm::qualified("public", "User") == "\"User\"");
  CHECK(norm::qualified("auth", "users") == "auth.users");
  CHECK(norm::ident("order") == "\"order\"");
  CHECK(norm::ident("orders") == "orders");
  CHECK(norm::ident("a\"b") == "\"a\"\"b\"");
}

TEST_CASE("text that does not parse is kept with collapsed whitespace", "[model][normalize]") {
  CHECK(ex("this is  not\n sql") == "this is not sql");
  CHECK(type("not a ( type") == "not a ( type");
}

TEST_CASE("foreign-key actions", "[model][normalize]") {
  CHECK(norm::fk_action("a") == "NO ACTION");
  CHECK(norm::fk_action("") == "NO ACTION");
  CHECK(norm::fk_action("r") == "RESTRICT");
  CHECK(norm::fk_action("c") == "CASCADE");
  CHECK(norm::fk_action("n") == "SET NULL");
  CHECK(norm::fk_action("d") == "SET DEFAULT");
}

TEST_CASE("names PostgreSQL chooses are cut to 63 bytes like makeObjectName", "[model][normalize]") {
  CHECK(norm::object_name("users", "email", "key") == "users_email_key");
  CHECK(norm::object_name("users", "", "pkey") == "users_pkey");
  std::string long_table(40, 't');
  std::string long_col(40, 'c');
  // 63 - len("_key") - 1 = 58 bytes for both names: the longer one is shortened first, alternating.
  std::string n = norm::object_name(long_table, long_col, "key");
  CHECK(n.size() == 63);
  CHECK(n == std::string(29, 't') + "_" + std::string(29, 'c') + "_key");
  // Never cut inside a UTF-8 character.
  std::string umlauts;
  for (int i = 0; i < 40; ++i) umlauts += "\xc3\xa4";  // 80 bytes of "ä"
  std::string u = norm::object_name(umlauts, "", "pkey");
  CHECK(u.size() <= 63);
  CHECK(u.substr(u.size() - 5) == "_pkey");
  CHECK((static_cast<unsigned char>(u[u.size() - 6]) & 0xC0) != 0xC0);  // no dangling lead byte
}

TEST_CASE("identifiers in canonical expressions are renamed outside literals and calls", "[model][normalize]") {
  CHECK(norm::rename_identifier("(a > 0) AND (b = 'a')", "a", "x") == "(x > 0) AND (b = 'a')");
  CHECK(norm::rename_identifier("lower(a)", "lower", "x") == "lower(a)");
  CHECK(norm::rename_identifier("t.a", "t", "x") == "t.a");
  CHECK(norm::rename_identifier("(a)::text", "text", "x") == "(a)::text");
  CHECK(norm::rename_identifier("\"Email\" IS NULL", "Email", "mail") == "mail IS NULL");
  CHECK(norm::mentions_identifier("lower(email)", "email"));
  CHECK_FALSE(norm::mentions_identifier("'email'", "email"));
}
