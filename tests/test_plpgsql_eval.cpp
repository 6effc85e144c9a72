// plpgsql::evaluate (what a DO block's EXECUTE runs) against PostgreSQL: every expression it folds must have the
// value `SELECT <expr>` has, and every expression PostgreSQL refuses must not be folded; hand-picked forms and
// generated ones (fixed seed). Then the DO-block walk: which statements parse_sql reads from loops and computed texts.
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <functional>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <vector>

#include "analyzer/parse.hpp"
#include "analyzer/plpgsql_eval.hpp"
#include "pg_server.hpp"

using driftguard::plpgsql::Env;
using driftguard::plpgsql::Value;

namespace {

struct Pg {
  PGconn* conn = nullptr;
  Pg() {
    conn = PQconnectdb(dgtest::pg::server().c_str());
    REQUIRE(PQstatus(conn) == CONNECTION_OK);
  }
  ~Pg() { PQfinish(conn); }
  // PostgreSQL's value of the expression as driftguard's Value would hold it (arrays as their elements, read
  // through json_agg); nullopt when PostgreSQL raises an error.
  std::optional<Value> value(const std::string& expr, bool array) {
    std::string sql = array ? "SELECT CASE WHEN x IS NULL THEN NULL ELSE coalesce((SELECT json_agg(e)::text FROM "
                              "unnest(x) e), '[]') END FROM (SELECT (" + expr + ") AS x) s"
                            : "SELECT (" + expr + ")::text";
    PGresult* r = PQexec(conn, sql.c_str());
    std::optional<Value> out;
    if (PQresultStatus(r) == PGRES_TUPLES_OK) {
      if (PQgetisnull(r, 0, 0)) {
        out = Value::null();
      } else if (!array) {
        out = Value::of(PQgetvalue(r, 0, 0));
      } else {
        Value a;
        a.kind = Value::Kind::array;
        for (const auto& e : nlohmann::json::parse(PQgetvalue(r, 0, 0))) {
          a.items.push_back(e.is_null() ? std::nullopt : std::optional<std::string>(e.get<std::string>()));
        }
        out = a;
      }
    }
    PQclear(r);
    return out;
  }
};

std::string sql_literal(const std::string& s) {
  std::string out = "'";
  for (char c : s) out.append(c == '\'' ? "''" : std::string(1, c));
  return out + "'";
}

std::string show(const std::optional<Value>& v) {
  if (!v) return "(not a constant / an error)";
  if (v->kind == Value::Kind::null) return "NULL";
  if (v->kind == Value::Kind::text) return "'" + v->text + "'";
  std::string s = "{";
  for (const auto& i : v->items) s += (i ? *i : "NULL") + ",";
  return s + "}";
}

// Texts an identifier or a value can be: plain, mixed case, keywords (reserved and unreserved), quotes, a
// backslash, a dollar sign, non-ASCII, digits first, empty.
const std::vector<std::string> kWords = {"users", "Users", "user", "select", "name", "int", "a b", "it's", "say\"hi\"",
                                         "back\\slash", "a$b", "café", "1abc", "_x", "", "%I", "x%"};

}  // namespace

TEST_CASE("PL/pgSQL constants: PostgreSQL's format, quote_ident and quote_literal", "[parse][plpgsql]") {
  using driftguard::plpgsql::format;
  using driftguard::plpgsql::quote_ident;
  using driftguard::plpgsql::quote_literal;
  CHECK(quote_ident("users") == "users");
  CHECK(quote_ident("Users") == "\"Users\"");
  CHECK(quote_ident("user") == "\"user\"");  // reserved
  CHECK(quote_ident("name") == "name");      // unreserved
  CHECK(quote_ident("a$b") == "\"a$b\"");
  CHECK(quote_ident("café") == "\"café\"");
  CHECK(quote_ident("say\"hi\"") == "\"say\"\"hi\"\"\"");
  CHECK(quote_literal("it's") == "'it''s'");
  CHECK(quote_literal("back\\slash") == "E'back\\\\slash'");
  CHECK(format("%I.%I", {"public", "T"}) == "public.\"T\"");
  CHECK(format("%2$s %1$s %s", {"a", "b"}) == "b a b");
  CHECK(format("[%5s|%-5s|%*s]", {"ab", "cd", "4", "e"}) == "[   ab|cd   |   e]");
  CHECK(format("%s|%L", {std::nullopt, std::nullopt}) == "|NULL");
  CHECK_FALSE(format("%I", {std::nullopt}));  // null values cannot be formatted as an SQL identifier
  CHECK_FALSE(format("%s %s", {"a"}));        // too few arguments
  CHECK_FALSE(format("%x", {"a"}));           // unrecognized type specifier
  CHECK_FALSE(format("%0$s", {"a"}));
  CHECK_FALSE(format("abc%", {}));
}

TEST_CASE("PL/pgSQL constants: expressions fold to what PostgreSQL evaluates", "[parse][plpgsql][pg]") {
  if (dgtest::pg::server().empty()) {
    WARN("no test PostgreSQL server (DRIFTGUARD_TEST_PG): skipped");
    return;
  }
  Pg pg;
  // Variables the expressions read, as a block would bind them; PostgreSQL sees their values substituted.
  Env env{{"t", Value::of("Orders")}, {"s", Value::of("billing")}, {"n", Value::null()}, {"i", Value::of("7")}};
  auto substituted = [&](std::string expr) {
    for (const auto& [name, v] : env) {
      std::string lit = v->kind == Value::Kind::null ? "NULL::text" : sql_literal(v->text);
      for (std::size_t at = 0; (at = expr.find("{" + name + "}", at)) != std::string::npos; at += lit.size()) {
        expr.replace(at, name.size() + 2, lit);
      }
    }
    return expr;
  };
  auto with_names = [&](std::string expr) {  // {t} -> t: the block's own text reads the variable
    for (const auto& [name, v] : env) {
      for (std::size_t at = 0; (at = expr.find("{" + name + "}", at)) != std::string::npos;) expr.replace(at, name.size() + 2, name);
    }
    return expr;
  };
  int folded = 0;
  int refused = 0;
  auto check = [&](const std::string& expr, bool array = false) {
    auto ours = driftguard::plpgsql::evaluate(with_names(expr), env);
    auto theirs = pg.value(substituted(expr), array);
    INFO(with_names(expr) + "  ->  ours " + show(ours) + ", PostgreSQL " + show(theirs));
    if (ours) {
      REQUIRE(theirs);  // folded: PostgreSQL must accept it, with the same value
      CHECK(show(ours) == show(theirs));
      ++folded;
    } else {
      ++refused;
    }
    return ours.has_value();
  };
  // Hand-picked: each must fold (the common migration forms).
  for (const char* e : {"format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', {t})",
                        "format('CREATE POLICY %I ON %I.%I USING (true)', {t} || ' select', {s}, {t})",
                        "'DROP TABLE ' || quote_ident({t}) || ';'", "'GRANT SELECT ON ' || {s} || '.' || {t}",
                        "format('%s_%s_idx', lower({t}), {i})", "quote_literal({t}) || quote_nullable({n})",
                        "concat('a', {n}, {i})", "concat_ws(', ', {t}, {n}, {s})", "format('%L', {n})",
                        "coalesce({n}, 'x') || upper({s})", "replace('x_TABLE_y', 'TABLE', {t})",
                        "pg_catalog.format('%1$I.%1$I', {s})", "{t}::text || '1'::varchar",
                        "format('%-10s|', {t})", "'{x}' || {t}",
                        "format('CHECK (tags <@ %L::text[])', ARRAY['A B', 'C', '', 'null', 'a\"b', NULL]::text[])",
                        "concat('x', ARRAY['y', 'z'])"}) {
    CHECK(check(e));
  }
  CHECK(check("ARRAY['a', 'b', NULL]", true));
  CHECK(check("'{a, \"b c\", NULL, \"NULL\", d\\\\e}'::text[]", true));
  CHECK(check("ARRAY[{t}, {s}]::text[]", true));
  CHECK(check("'{}'::text[]", true));
  // Not folded: PostgreSQL refuses these, or their value is not a constant of the block.
  for (const char* e : {"format('%I', {n})", "format('%s %s', {t})", "now()::text", "{t}::regclass::text",
                        "(SELECT 'x')", "format('%z', {t})"}) {
    CHECK_FALSE(check(e));
  }

  // Generated: format strings and arguments from the words above, nested calls and concatenations.
  std::mt19937 rng(20261207);
  auto pick = [&](std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(rng); };
  std::function<std::string(int)> text_expr = [&](int depth) -> std::string {
    switch (depth > 2 ? pick(3) : pick(9)) {
      case 0: return sql_literal(kWords[pick(kWords.size())]);
      case 1: return std::vector<std::string>{"{t}", "{s}", "{n}", "{i}"}[pick(4)];
      case 2: return "NULL";
      case 3: return std::vector<std::string>{"quote_ident", "quote_literal", "quote_nullable", "lower", "upper"}[pick(5)] +
                     "(" + text_expr(depth + 1) + ")";
      case 4: return text_expr(depth + 1) + " || " + text_expr(depth + 1);
      case 5: return "concat_ws(" + text_expr(depth + 1) + ", " + text_expr(depth + 1) + ", " + text_expr(depth + 1) + ")";
      case 6: return "coalesce(" + text_expr(depth + 1) + ", " + text_expr(depth + 1) + ")";
      default: {
        std::string fmt;
        int convs = 0;
        for (std::size_t k = 0, n = 1 + pick(4); k < n; ++k) {
          switch (pick(8)) {
            case 0: fmt += "%%"; break;
            case 1: fmt += "%" + std::to_string(1 + pick(3)) + "$" + "sIL"[pick(3)]; ++convs; break;
            case 2: fmt += std::string("%-") + std::to_string(pick(12)) + "sIL"[pick(3)]; ++convs; break;
            case 3: fmt += std::string("%*") + "sIL"[pick(3)]; convs += 2; break;
            case 4: fmt += "%q"; break;
            default: fmt += std::string(kWords[pick(kWords.size())]) + "%" + "sIL"[pick(3)]; ++convs; break;
          }
        }
        std::string call = "format(" + sql_literal(fmt);
        for (int a = 0, n = convs + static_cast<int>(pick(3)) - 1; a < n; ++a) {
          std::string arg;
          if (pick(8) == 0) {  // an array argument: format() reads its text (array_out)
            arg = "ARRAY[";
            for (std::size_t e = 0, m = pick(4); e < m; ++e) arg += std::string(e ? ", " : "") + (pick(6) ? sql_literal(kWords[pick(kWords.size())]) : "NULL");
            arg += "]::text[]";
          } else {
            arg = pick(4) == 0 ? std::to_string(static_cast<int>(pick(21)) - 10) : text_expr(depth + 1);
          }
          call += ", " + arg;
        }
        return call + ")";
      }
    }
  };
  for (int k = 0; k < 500; ++k) check(text_expr(0));
  // Array literals: elements from the words, quoted or not, NULLs, spacing.
  for (int k = 0; k < 150; ++k) {
    std::string lit = "{";
    for (std::size_t e = 0, n = pick(4); e < n; ++e) {
      if (e) lit += pick(2) ? "," : " , ";
      std::string w = kWords[pick(kWords.size())];
      if (pick(5) == 0) {
        lit += pick(2) ? "NULL" : "null";
      } else if (pick(2)) {
        lit += "\"";
        for (char c : w) lit += (c == '"' || c == '\\') ? std::string("\\") + c : std::string(1, c);
        lit += "\"";
      } else {
        lit += w;
      }
    }
    lit += "}";
    check(sql_literal(lit) + "::text[]", true);
  }
  INFO("folded " << folded << ", not folded " << refused);
  CHECK(folded > 400);  // the generator reaches the folder, not only its refusals
}

TEST_CASE("DO blocks: statements run from computed texts and loops over constant arrays", "[parse][plpgsql]") {
  auto kinds_and_text = [](const std::string& sql) {
    auto pf = driftguard::parse_sql(sql);
    std::vector<std::string> out;
    for (const auto& s : pf.statements) {
      if (s.do_depth == 0) continue;
      out.push_back(s.kind == "PLpgSQL_stmt_dynexecute" ? "unread@" + std::to_string(s.span.begin)
                                                        : s.kind);
    }
    return out;
  };
  auto parsed = [](const std::string& sql) { return driftguard::parse_sql(sql); };

  SECTION("FOREACH over an ARRAY literal runs each EXECUTE format() once per element") {
    std::string sql =
        "DO $$ DECLARE t text; BEGIN FOREACH t IN ARRAY ARRAY['a', 'B'] LOOP\n"
        "  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', t);\n"
        "  EXECUTE format('CREATE POLICY \"org select\" ON %I FOR SELECT USING (true)', t);\n"
        "END LOOP; END $$;";
    auto pf = parsed(sql);
    REQUIRE(pf.statements.size() == 5);
    CHECK(pf.statements[1].kind == "AlterTableStmt");
    CHECK(pf.statements[1].node->dump() ==
          driftguard::parse_sql("ALTER TABLE a ENABLE ROW LEVEL SECURITY").statements[0].node->dump());
    CHECK(pf.statements[3].node->dump() ==
          driftguard::parse_sql("ALTER TABLE \"B\" ENABLE ROW LEVEL SECURITY").statements[0].node->dump());
    CHECK(pf.statements[4].kind == "CreatePolicyStmt");
    // located at the EXECUTE's expression (line 2, after "EXECUTE "), approximate
    CHECK(pf.statements[1].span.begin == sql.find("format('ALTER"));
    CHECK(pf.statements[1].approximate);
    CHECK(pf.statements[1].do_depth == 1);
  }
  SECTION("FOR ... IN SELECT unnest(...), integer ranges, DECLARE defaults, assignments and ||") {
    auto k = kinds_and_text(
        "DO $$ DECLARE t text; s text := 'app'; tabs text[] := '{x,y}'; BEGIN\n"
        "FOR t IN SELECT unnest(tabs) LOOP EXECUTE 'DROP TABLE ' || quote_ident(s) || '.' || quote_ident(t); END LOOP;\n"
        "FOR i IN 1..3 LOOP EXECUTE format('CREATE TABLE p%s ()', i); END LOOP;\n"
        "s := 'other'; EXECUTE format('CREATE SCHEMA %I', s); END $$;");
    CHECK(k == std::vector<std::string>{"DropStmt", "DropStmt", "CreateStmt", "CreateStmt", "CreateStmt",
                                        "CreateSchemaStmt"});
  }
  SECTION("a statement written in a loop's body is read once, a computed one per iteration") {
    auto k = kinds_and_text(
        "DO $$ BEGIN FOR i IN 1..3 LOOP INSERT INTO t VALUES (i); EXECUTE 'ANALYZE t';\n"
        "EXECUTE format('CREATE TABLE p%s ()', i); END LOOP; END $$;");
    CHECK(k == std::vector<std::string>{"InsertStmt", "VacuumStmt", "CreateStmt", "CreateStmt", "CreateStmt"});
  }
  SECTION("nested loops are unrolled up to 10,000 iterations per block, then walked once") {
    // Three nested loops of 1,000 would be 10^9 walks of the body: a hang on hostile input.
    auto pf = driftguard::parse_sql(
        "DO $$ BEGIN FOR i IN 1..1000 LOOP FOR j IN 1..1000 LOOP FOR k IN 1..1000 LOOP\n"
        "EXECUTE format('CREATE TABLE t%s_%s_%s ()', i, j, k); END LOOP; END LOOP; END LOOP; END $$;");
    std::size_t computed = 0;
    std::size_t unread = 0;
    for (const auto& s : pf.statements) {
      computed += s.kind == "CreateStmt" ? 1 : 0;
      unread += s.kind == "PLpgSQL_stmt_dynexecute" ? 1 : 0;
    }
    // the outer loop (1,000) and then eight of the middle loops' first iterations' inner loops fill the budget
    CHECK(computed == 8000);
    CHECK(unread == 1);
  }
  SECTION("what is not a constant of the block is listed as not read, never guessed") {
    std::string sql =
        "DO $$ DECLARE r record; t text; BEGIN\n"
        "FOR r IN SELECT tablename FROM pg_tables WHERE schemaname = 'public' LOOP\n"
        "  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', r.tablename);\n"
        "END LOOP;\n"
        "SELECT relname INTO t FROM pg_class LIMIT 1; EXECUTE 'DROP TABLE ' || t;\n"
        "FOREACH t IN ARRAY ARRAY['a','b'] LOOP EXIT WHEN t = 'a'; EXECUTE format('DROP TABLE %I', t); END LOOP;\n"
        "END $$;";
    auto k = kinds_and_text(sql);
    CHECK(k == std::vector<std::string>{"unread@" + std::to_string(sql.find("format('ALTER")), "SelectStmt",
                                        "unread@" + std::to_string(sql.find("'DROP TABLE ' || t")),
                                        "unread@" + std::to_string(sql.find("format('DROP"))});
  }
  SECTION("IF branches: a variable one branch changes is not a constant after the IF") {
    auto k = kinds_and_text(
        "DO $$ DECLARE t text := 'a'; BEGIN IF now() > '2020-01-01' THEN t := 'b'; END IF;\n"
        "EXECUTE format('DROP TABLE %I', t); END $$;");
    CHECK(k.size() == 1);
    CHECK(k[0].rfind("unread@", 0) == 0);
  }
}
