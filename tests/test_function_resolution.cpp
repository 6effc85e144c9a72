// norm::resolve_builtin_call against PostgreSQL 15: the table it reads is PostgreSQL's own catalog (regenerated
// here; UPDATE_GOLDEN=1 rewrites analyzer/model/builtin_functions.inc), and on generated calls (fixed seed) it
// chooses the overload PostgreSQL chooses, or none where PostgreSQL refuses the call.
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <cstdlib>
#include <iterator>
#include <fstream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "analyzer/model/function_resolution.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/model/sql_out.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "pg_server.hpp"
#include "tests/paths.hpp"

namespace {

// The built-in functions the table holds: those migrations call in defaults, checks, index expressions, views and
// policies (date/time, text, numeric, json/jsonb, arrays, aggregates, full-text search).
const char* const kFunctionNames[] = {
    "abs", "age", "array_agg", "array_append", "array_cat", "array_length", "array_lower", "array_position",
    "array_prepend", "array_remove", "array_to_json", "array_to_string", "array_upper", "ascii", "avg", "bool_and",
    "bool_or", "btrim", "cardinality", "cbrt", "ceil", "ceiling", "char_length", "character_length", "chr",
    "clock_timestamp", "concat", "concat_ws", "count", "current_setting", "date_bin", "date_part", "date_trunc",
    "decode", "div", "encode", "every", "exp", "extract", "floor", "format", "gcd", "gen_random_uuid",
    "generate_series", "generate_subscripts", "initcap", "isfinite", "json_agg", "json_array_length",
    "json_build_array", "json_build_object", "json_extract_path", "json_extract_path_text", "json_typeof",
    "jsonb_agg", "jsonb_array_elements", "jsonb_array_elements_text", "jsonb_array_length", "jsonb_build_array",
    "jsonb_build_object", "jsonb_each", "jsonb_each_text", "jsonb_extract_path", "jsonb_extract_path_text",
    "jsonb_insert", "jsonb_object", "jsonb_object_agg", "jsonb_object_keys", "jsonb_path_exists",
    "jsonb_path_query", "jsonb_path_query_first", "jsonb_pretty", "jsonb_set", "jsonb_strip_nulls", "jsonb_typeof",
    "justify_days", "justify_hours", "justify_interval", "lcm", "left", "length", "ln", "log", "log10", "lower",
    "lpad", "ltrim", "make_date", "make_interval", "make_time", "make_timestamp", "make_timestamptz", "max", "md5",
    "min", "mod", "now", "num_nonnulls", "num_nulls", "octet_length", "overlay", "pi", "plainto_tsquery",
    "position", "power", "quote_ident", "quote_literal", "quote_nullable", "random", "regexp_match",
    "regexp_matches", "regexp_replace", "regexp_split_to_array", "repeat", "replace", "reverse", "right", "round",
    "row_to_json", "rpad", "rtrim", "scale", "setweight", "sha256", "sign", "split_part", "sqrt", "starts_with",
    "statement_timestamp", "string_agg", "string_to_array", "strpos", "substr", "substring", "sum", "timeofday",
    "timezone", "to_char", "to_date", "to_hex", "to_json", "to_jsonb", "to_number", "to_timestamp", "to_tsquery",
    "to_tsvector", "transaction_timestamp", "translate", "trunc", "unnest", "upper", "websearch_to_tsquery",
    "width_bucket"};

// One line per fact, in the order builtin_functions.inc holds them (function_resolution.cpp reads the format).
const char* const kCatalogQuery = R"sql(
WITH names(n) AS (SELECT unnest($1::text[])),
ty AS (
  SELECT t.oid, format_type(t.oid, NULL) AS name, t.typcategory, t.typispreferred, t.typtype,
         CASE WHEN t.typsubscript = 'array_subscript_handler'::regproc THEN format_type(t.typelem, NULL) ELSE '' END AS elem
  FROM pg_type t
  WHERE t.typnamespace = 'pg_catalog'::regnamespace AND t.typtype <> 'c'
    AND NOT EXISTS (SELECT 1 FROM pg_type e WHERE e.oid = t.typelem AND e.typtype = 'c')),
fn AS (
  SELECT p.proname::text AS name, p.prokind, p.proretset, p.pronargdefaults,
         CASE WHEN p.provariadic = 0 THEN '' ELSE format_type(p.provariadic, NULL) END AS vartype,
         format_type(p.prorettype, NULL) AS result,
         array_to_string(ARRAY(SELECT format_type(a, NULL) FROM unnest(p.proargtypes::oid[]) WITH ORDINALITY u(a, k) ORDER BY k), ';') AS args
  FROM pg_proc p JOIN names ON p.proname = names.n
  WHERE p.pronamespace = 'pg_catalog'::regnamespace AND p.prokind IN ('f', 'a', 'w'))
SELECT line FROM (
  SELECT 1 AS part, name COLLATE "C" AS k1, '' COLLATE "C" AS k2, '' COLLATE "C" AS k3,
         'type|' || name || '|' || typcategory::text || '|' || CASE WHEN typispreferred THEN 't' ELSE 'f' END || '|' || typtype::text || '|' || elem AS line
  FROM ty
  UNION ALL
  SELECT 2, s.name, t.name, '', 'cast|' || s.name || '|' || t.name
  FROM pg_cast c JOIN ty s ON s.oid = c.castsource JOIN ty t ON t.oid = c.casttarget
  WHERE c.castcontext = 'i'
  UNION ALL
  SELECT 3, name, args, result,
         'function|' || name || '|' || prokind::text || '|' || CASE WHEN proretset THEN 't' ELSE 'f' END || '|' || pronargdefaults || '|' || vartype || '|' || result || '|' || args
  FROM fn
) lines ORDER BY part, k1, k2, k3
)sql";

struct Pg {
  PGconn* conn = nullptr;
  Pg() {
    conn = PQconnectdb(dgtest::pg::server().c_str());
    REQUIRE(PQstatus(conn) == CONNECTION_OK);
  }
  ~Pg() { PQfinish(conn); }
  bool exec(const std::string& sql, std::string* error = nullptr) {
    PGresult* r = PQexec(conn, sql.c_str());
    bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
    if (!ok && error) *error = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    PQclear(r);
    return ok;
  }
  std::vector<std::string> column(const std::string& sql) {
    PGresult* r = PQexec(conn, sql.c_str());
    REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
    std::vector<std::string> out;
    for (int i = 0; i < PQntuples(r); ++i) out.emplace_back(PQgetvalue(r, i, 0));
    PQclear(r);
    return out;
  }
};

std::string names_array() {
  std::string out = "{";
  for (const char* n : kFunctionNames) out.append(out.size() > 1 ? "," : "").append(n);
  return out + "}";
}

}  // namespace

TEST_CASE("the built-in function table is PostgreSQL's catalog", "[normalize][pg][functions]") {
  if (dgtest::pg::server().empty()) {
    WARN("no test PostgreSQL server (DRIFTGUARD_TEST_PG): skipped");
    return;
  }
  Pg pg;
  std::string names = names_array();
  const char* params[] = {names.c_str()};
  PGresult* r = PQexecParams(pg.conn, kCatalogQuery, 1, nullptr, params, nullptr, nullptr, 0);
  REQUIRE(PQresultStatus(r) == PGRES_TUPLES_OK);
  std::string expected = "\n";
  for (int i = 0; i < PQntuples(r); ++i) expected.append(PQgetvalue(r, i, 0)).append("\n");
  PQclear(r);
  if (const char* u = std::getenv("UPDATE_GOLDEN"); u && *u) {
    std::string path = std::string(DRIFTGUARD_SOURCE_DIR) + "/analyzer/model/builtin_functions.inc";
    std::ofstream(path, std::ios::binary)
        << "// Generated from PostgreSQL 15's catalog (pg_type, pg_cast, pg_proc) by tests/test_function_resolution.cpp:\n"
           "// UPDATE_GOLDEN=1 rewrites it. One line per fact: type|NAME|CATEGORY|PREFERRED|TYPTYPE|ELEMENT (arrays),\n"
           "// cast|SOURCE|TARGET (implicit casts), function|NAME|KIND|RETSET|NDEFAULTS|VARIADIC|RESULT|ARG;ARG...\n"
           "R\"catalog("
        << expected << ")catalog\"\n";
    WARN("rewrote " << path << ": rebuild");
  }
  CHECK(std::string(driftguard::norm::builtin_catalog_text()) == expected);
}

namespace {

// A column of each type the generated calls pass, and literals of the types PostgreSQL gives them.
struct ArgKind {
  std::string sql;   // as written in the call
  std::string type;  // as resolve_builtin_call sees it
};
const std::vector<std::pair<std::string, std::string>> kColumns = {
    {"smallint", "smallint"},
    {"integer", "integer"},
    {"bigint", "bigint"},
    {"numeric(10,2)", "numeric"},
    {"real", "real"},
    {"double precision", "double precision"},
    {"text", "text"},
    {"varchar(20)", "character varying"},
    {"char(3)", "character"},
    {"boolean", "boolean"},
    {"date", "date"},
    {"timestamp", "timestamp without time zone"},
    {"timestamptz", "timestamp with time zone"},
    {"time", "time without time zone"},
    {"interval", "interval"},
    {"jsonb", "jsonb"},
    {"json", "json"},
    {"uuid", "uuid"},
    {"bytea", "bytea"},
    {"text[]", "text[]"},
    {"integer[]", "integer[]"},
    {"varchar(5)[]", "character varying[]"},
    {"tsvector", "tsvector"},
    {"bit(3)", "bit"},
};

std::vector<ArgKind> arg_kinds() {
  std::vector<ArgKind> out;
  for (std::size_t i = 0; i < kColumns.size(); ++i) out.push_back({std::string("c").append(std::to_string(i)), kColumns[i].second});
  out.push_back({"NULL", driftguard::norm::kUnknownType});
  out.push_back({"'x'", driftguard::norm::kUnknownType});
  out.push_back({"2", "integer"});
  out.push_back({"2.5", "numeric"});
  out.push_back({"10000000000", "bigint"});
  out.push_back({"true", "boolean"});
  return out;
}

}  // namespace

TEST_CASE("function resolution chooses the overload PostgreSQL chooses, on generated calls",
          "[normalize][pg][functions]") {
  if (dgtest::pg::server().empty()) {
    WARN("no test PostgreSQL server (DRIFTGUARD_TEST_PG): skipped");
    return;
  }
  Pg pg;
  REQUIRE(pg.exec("DROP SCHEMA IF EXISTS fnres CASCADE; CREATE SCHEMA fnres"));
  std::string create = "CREATE TABLE fnres.t (";
  for (std::size_t i = 0; i < kColumns.size(); ++i) {
    create.append(i ? ", " : "").append("c").append(std::to_string(i)).append(" ").append(kColumns[i].first);
  }
  REQUIRE(pg.exec(create + ")"));
  REQUIRE(pg.exec("SET search_path = fnres"));
  const auto kinds = arg_kinds();
  std::multimap<std::string, std::vector<std::string>> overloads_of;
  for (const auto& o : driftguard::norm::builtin_overloads()) overloads_of.emplace(o.name, o.params);
  auto category = [](const std::string& t) { return driftguard::norm::builtin_type_category(t); };
  // Calls from a fixed seed: each function with 0 to 4 arguments of random kinds, half of them of the types one
  // of its overloads takes (so that most calls resolve), the others anything (so that refusals are seen too).
  std::mt19937_64 rng(20261407);
  int count = 2000;
  if (const char* n = std::getenv("DRIFTGUARD_RESOLUTION_CALLS")) count = std::atoi(n);
  int accepted = 0, refused = 0, resolved = 0;
  std::vector<std::string> disagreements;
  for (int k = 0; k < count; ++k) {
    std::string name = kFunctionNames[rng() % std::size(kFunctionNames)];
    std::vector<std::string> sql, types;
    auto overloads = overloads_of.equal_range(name);
    std::size_t n_overloads = static_cast<std::size_t>(std::distance(overloads.first, overloads.second));
    if (rng() % 2 == 0 && n_overloads > 0) {
      // an overload's parameters, each given an argument of its category (or an untyped literal)
      auto it = overloads.first;
      std::advance(it, static_cast<long>(rng() % n_overloads));
      for (const auto& param : it->second) {
        std::vector<const ArgKind*> fit;
        for (const auto& a : kinds) {
          if (a.type == driftguard::norm::kUnknownType || category(a.type) == category(param)) fit.push_back(&a);
        }
        const ArgKind& a = fit.empty() ? kinds[rng() % kinds.size()] : *fit[rng() % fit.size()];
        sql.push_back(a.sql);
        types.push_back(a.type);
      }
    } else {
      std::size_t nargs = rng() % 5;
      for (std::size_t i = 0; i < nargs; ++i) {
        const ArgKind& a = kinds[rng() % kinds.size()];
        sql.push_back(a.sql);
        types.push_back(a.type);
      }
    }
    std::string call = name + "(";
    for (std::size_t i = 0; i < sql.size(); ++i) call.append(i ? ", " : "").append(sql[i]);
    call += ")";
    auto ours = driftguard::norm::resolve_builtin_call(name, types, false);
    REQUIRE(pg.exec("BEGIN"));
    std::string error;
    bool ok = pg.exec("CREATE VIEW v AS SELECT " + call + " AS r FROM t", &error);
    std::string theirs;
    if (ok) {
      // The function the view's stored query calls (pg_depend records nothing for built-ins: they are pinned):
      // the FuncExpr written as a call or in SQL syntax (funcformat 0 or 3; the casts PostgreSQL added are 2),
      // an Aggref or a WindowFunc of the rule's node tree.
      auto chosen = pg.column(
          R"(WITH a AS (SELECT ev_action::text AS t FROM pg_rewrite WHERE ev_class = 'fnres.v'::regclass),
             ids AS (SELECT m[1]::oid AS id FROM a, regexp_matches(a.t, '\{FUNCEXPR :funcid (\d+) :funcresulttype \d+ :funcretset \w+ :funcvariadic \w+ :funcformat [03]', 'g') m
                     UNION ALL
                     SELECT m[1]::oid FROM a, regexp_matches(a.t, '\{(?:AGGREF :aggfnoid|WINDOWFUNC :winfnoid) (\d+)', 'g') m)
             SELECT p.proname || '(' || array_to_string(ARRAY(SELECT format_type(x, NULL) FROM unnest(p.proargtypes::oid[])
                    WITH ORDINALITY u(x, n) ORDER BY n), ',') || ')' FROM ids JOIN pg_proc p ON p.oid = ids.id)");
      theirs = chosen.size() == 1 ? chosen[0] : "?";
    }
    REQUIRE(pg.exec("ROLLBACK"));
    // "function f(integer) does not exist", "function f(unknown) is not unique": no overload, or no best one
    bool no_function = error.rfind("function ", 0) == 0 &&
                       (error.find("does not exist") != std::string::npos || error.find("is not unique") != std::string::npos);
    if (ok) {
      ++accepted;
      if (ours) {
        ++resolved;
        if (ours->signature != theirs) disagreements.push_back(call + ": PostgreSQL " + theirs + ", driftguard " + ours->signature);
      }
    } else if (no_function) {
      ++refused;
      if (ours) disagreements.push_back(call + ": PostgreSQL refused it (" + error + "), driftguard " + ours->signature);
    }
  }
  WARN(count << " calls: " << accepted << " PostgreSQL accepted (" << resolved << " resolved by driftguard), "
              << refused << " it refused for want of a function");
  for (const auto& d : disagreements) UNSCOPED_INFO(d);
  CHECK(disagreements.empty());
  // the calls exercise the table: most of what PostgreSQL accepts, driftguard resolves
  CHECK(accepted > count / 20);
  CHECK(resolved * 10 >= accepted * 8);
}

namespace {

// What pg_dump prints of the expressions of table t and view v: each view's definition, each constraint's, each
// column default, one line each.
std::string stored_expressions(const std::string& db) {
  pqxx::connection c(db);
  pqxx::nontransaction tx(c);
  std::string out;
  auto add = [&](const std::string& sql) {
    for (const auto& row : tx.exec(sql)) out.append(row[0].c_str()).append("\n");
  };
  add("SELECT c.relname || ': ' || pg_get_viewdef(c.oid) FROM pg_class c WHERE c.relkind = 'v' AND "
      "c.relnamespace = 'public'::regnamespace ORDER BY 1");
  add("SELECT conname || ': ' || pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = 'public.t'::regclass "
      "ORDER BY 1");
  add("SELECT a.attname || ': ' || pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON "
      "a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid = 'public.t'::regclass ORDER BY 1");
  return out;
}

}  // namespace

using namespace driftguard;

TEST_CASE("schema --from prints built-in calls so that PostgreSQL stores them as the migration did",
          "[model][pg][functions]") {
  // SQL-syntax calls (POSITION, SUBSTRING, EXTRACT, OVERLAY, AT TIME ZONE, TRIM) stay in that syntax, calls with
  // implicit argument casts and variadic calls print as PostgreSQL stores them: the DDL schema --from prints,
  // applied to another database, stores what the migration stored (pg_dump prints the same).
  const std::string migration =
      "CREATE TABLE t (v varchar(20), d date, ts timestamp, i integer, j jsonb, "
      "m date DEFAULT date_trunc('month', CURRENT_DATE), "
      "CONSTRAINT k1 CHECK (position('a' in v) > 0 OR extract(epoch from ts) > 0), "
      "CONSTRAINT k2 CHECK (round(i) > 0 AND jsonb_extract_path_text(j, 'a', 'b') <> ''));\n"
      "CREATE VIEW v1 AS SELECT position('a' in v) AS p, substring(v from 2 for 3) AS s, substring(v from 'a.c') AS r, "
      "substring(v similar 'a%' escape '#') AS sim, extract(year from d) AS e, overlay(v placing 'x' from 2 for 1) AS o, "
      "d at time zone 'UTC' AS z, trim(v) AS tr, trim(leading 'x' from v) AS tl, trim(trailing from v) AS tt, "
      "to_char(d, 'YYYY') AS y, age(d) AS g, power(i, 2) AS pw, jsonb_extract_path(j, 'a', 'b') AS jp FROM t;\n";
  std::string first = dgtest::pg::fresh_database("fnres");
  dgtest::pg::exec(first, migration);
  model::Replayer r;
  std::vector<Finding> findings;
  auto src = make_source("m.sql", migration);
  r.apply_file(src, parse_sql(src.text), findings);
  REQUIRE(findings.empty());
  std::string ddl = model::to_sql(r.model());
  INFO(ddl);
  std::string second = dgtest::pg::fresh_database("fnres");
  dgtest::pg::exec(second, ddl);
  std::string expected = stored_expressions(first);
  CHECK(expected.find("POSITION(") != std::string::npos);
  CHECK(stored_expressions(second) == expected);
}
