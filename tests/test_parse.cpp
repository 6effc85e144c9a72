#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>

#include "analyzer/marker_lines.hpp"
#include "analyzer/parse.hpp"
#include "helpers.hpp"
#include "rules/release_trees.hpp"

using namespace driftguard;

namespace {

// A tree as text with its `location`s as file offsets: a file parsed in runs has one base per run, a file parsed
// in one call base 0, and the two must say the same.
void dump_located(const pg::Node& n, std::size_t base, std::string& out) {
  if (n.is_object()) {
    out += '{';
    for (auto it = n.begin(); it != n.end(); ++it) {
      out += std::string(it.key()) + ':';
      if ((it.key() == "location" || it.key() == "stmt_location") && it->is_number_integer() &&
          it->get<long long>() >= 0) {
        out += '@' + std::to_string(base + it->get<std::size_t>());
      } else {
        dump_located(*it, base, out);
      }
      out += ',';
    }
    out += '}';
  } else if (n.is_array()) {
    out += '[';
    for (const auto& e : n) {
      dump_located(e, base, out);
      out += ',';
    }
    out += ']';
  } else {
    out += n.dump();
  }
}

std::string describe(const Statement& st) {
  std::string out = st.kind + " " + std::to_string(st.span.begin) + "-" + std::to_string(st.span.end) + " do " +
                    std::to_string(st.do_depth) + (st.guarded ? " guarded by " + st.guard : "") +
                    (st.approximate ? " approximate" : "") + " ";
  dump_located(st.node, st.base, out);
  return out;
}

// The first difference between two parses of one text, or "" when they are the same.
std::string first_difference(const ParsedFile& a, const ParsedFile& b) {
  for (std::size_t i = 0; i < std::max(a.statements.size(), b.statements.size()); ++i) {
    if (i >= a.statements.size() || i >= b.statements.size()) {
      return "statement " + std::to_string(i) + " only in one (" + std::to_string(a.statements.size()) + " vs " +
             std::to_string(b.statements.size()) + " statements)";
    }
    std::string da = describe(a.statements[i]);
    std::string db = describe(b.statements[i]);
    if (da != db) return "statement " + std::to_string(i) + ":\n" + da.substr(0, 2000) + "\n" + db.substr(0, 2000);
  }
  auto errors = [](const ParsedFile& pf) {
    std::string out;
    for (const auto& e : pf.errors) out += std::to_string(e.span.begin) + "-" + std::to_string(e.span.end) + " " + e.message + "\n";
    return out;
  };
  if (errors(a) != errors(b)) return "errors:\n" + errors(a) + "vs\n" + errors(b);
  auto comments = [](const ParsedFile& pf) {
    std::string out;
    for (const auto& c : pf.comments) out += std::to_string(c.begin) + "-" + std::to_string(c.end) + " ";
    return out;
  };
  if (comments(a) != comments(b)) return "comments: " + comments(a) + "vs " + comments(b);
  if (a.meta_commands != b.meta_commands || a.copy_data_blocks != b.copy_data_blocks ||
      a.psql_variables != b.psql_variables) {
    return "counts of meta-commands, COPY data or psql variables";
  }
  return "";
}

ParsedFile parse_whole(const std::string& text) {
  ParseOptions o;
  o.want_comments = true;
  o.runs_from_bytes = std::numeric_limits<std::size_t>::max();
  return parse_sql(text, o);
}

ParsedFile parse_in_runs(const std::string& text, std::size_t statements, std::size_t bytes) {
  ParseOptions o;
  o.want_comments = true;
  o.runs_from_bytes = 0;
  o.run_statements = statements;
  o.run_bytes = bytes;
  return parse_sql(text, o);
}

// parse_sql_runs with runs of `statements`, what it hands over put together (with the last call's comments).
ParsedFile parse_streamed(const std::string& text, std::size_t statements, int* calls = nullptr) {
  ParseOptions o;
  o.want_comments = true;
  o.runs_from_bytes = 0;
  o.run_statements = statements;
  ParsedFile all;
  parse_sql_runs(text, o, [&](ParsedFile& run) {
    if (calls) ++*calls;
    for (auto& st : run.statements) all.statements.push_back(std::move(st));
    for (auto& e : run.errors) all.errors.push_back(std::move(e));
    all.comments = run.comments;
    all.meta_commands = run.meta_commands;
    all.copy_data_blocks = run.copy_data_blocks;
    all.psql_variables = run.psql_variables;
  });
  return all;
}

std::string read_all(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// Every .sql file under `dir`, sorted.
std::vector<std::filesystem::path> sql_files(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> out;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".sql") out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("statement spans are trimmed of comments and the semicolon", "[parse]") {
  std::string s = "-- first\nCREATE TABLE a (x int);\n\n  /* c */ DROP TABLE b ; -- t\n";
  auto pf = parse_sql(s);
  REQUIRE(pf.statements.size() == 2);
  CHECK(s.substr(pf.statements[0].span.begin, pf.statements[0].span.end - pf.statements[0].span.begin) ==
        "CREATE TABLE a (x int)");
  CHECK(s.substr(pf.statements[1].span.begin, pf.statements[1].span.end - pf.statements[1].span.begin) ==
        "DROP TABLE b");
  CHECK(pf.errors.empty());
}

TEST_CASE("a syntax error in the middle does not hide the statements after it", "[parse]") {
  std::string s = "CREATE TABLE a (x int);\nSELEC 1;\nDROP TABLE b;\n";
  auto pf = parse_sql(s);
  REQUIRE(pf.errors.size() == 1);
  CHECK(pf.errors[0].span.begin == s.find("SELEC"));
  REQUIRE(pf.statements.size() == 2);
  CHECK(pf.statements[1].kind == "DropStmt");
  CHECK(pf.statements[1].span.begin == s.find("DROP"));
}

TEST_CASE("DO block statements are parsed, located and marked guarded", "[parse]") {
  std::string s =
      "DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN\n    CREATE TYPE mood AS "
      "ENUM ('a');\n  END IF;\n  DROP TABLE t;\nEND $$;";
  auto pf = parse_sql(s);
  REQUIRE(pf.errors.empty());
  REQUIRE(pf.statements.size() == 3);  // the DO, then the two statements inside it
  CHECK(pf.statements[0].kind == "DoStmt");
  CHECK(pf.statements[1].kind == "CreateEnumStmt");
  CHECK(pf.statements[1].guarded);
  CHECK(pf.statements[1].do_depth == 1);
  CHECK(pf.statements[1].span.begin == s.find("CREATE TYPE"));
  CHECK(pf.statements[1].span.end == s.find(";\n  END IF"));
  CHECK(pf.statements[2].kind == "DropStmt");
  CHECK_FALSE(pf.statements[2].guarded);
  CHECK(pf.statements[2].span.begin == s.find("DROP TABLE"));
}

TEST_CASE("an exception handler for duplicate_object guards a DO block", "[parse]") {
  std::string s = "DO $$ BEGIN CREATE TYPE mood AS ENUM ('a'); EXCEPTION WHEN duplicate_object THEN NULL; END $$;";
  auto pf = parse_sql(s);
  REQUIRE(pf.statements.size() == 2);
  CHECK(pf.statements[1].guarded);
  CHECK(pf.statements[1].guard == "EXCEPTION WHEN duplicate_object");
}

TEST_CASE("plpgsql syntax errors in function bodies are reported", "[parse]") {
  std::string s = "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ BEGIN IF true THEN END; $$;";
  auto pf = parse_sql(s);
  REQUIRE(pf.errors.size() == 1);
  CHECK(pf.errors[0].message.find("PL/pgSQL") != std::string::npos);
}

TEST_CASE("psql meta-commands and COPY data are skipped", "[parse]") {
  std::string s = "\\set x 1\nCOPY t FROM stdin;\n1\t2\n\\.\nSELECT 1;\n";
  auto pf = parse_sql(s);
  CHECK(pf.errors.empty());
  CHECK(pf.meta_commands == 1);
  CHECK(pf.copy_data_blocks == 1);
  REQUIRE(pf.statements.size() == 2);
}

TEST_CASE("psql gset and gexec meta-commands end the statement before them, psql variables parse in psql scripts", "[parse]") {
  std::string s = "\\set v 'x'\nSELECT 1 = :'v' AS a\n\\gset\nBEGIN;\nGRANT ALL ON t TO :owner;\n";
  auto pf = parse_sql(s);
  CHECK(pf.errors.empty());
  REQUIRE(pf.statements.size() == 3);
  CHECK(pf.statements[1].kind == "TransactionStmt");
  CHECK(pf.psql_variables == 2);

  auto plain = parse_sql("GRANT ALL ON t TO :owner;");  // not a psql script: a syntax error with a hint
  REQUIRE(plain.errors.size() == 1);
  CHECK(plain.errors[0].message.find("psql variable") != std::string::npos);
}

TEST_CASE("a meta-command later in a line runs to its end, backslash-semicolon separates statements, quoted backslashes stay",
          "[parse]") {
  std::string s =
      "SELECT oid AS datoid FROM pg_database \\gset\nBEGIN;\nSELECT E'it\\'s', 'C:\\dir', $$a\\b$$; \\x\n"
      "COMMIT\\; SELECT 1;\n";
  auto pf = parse_sql(s);
  CHECK(pf.errors.empty());
  CHECK(pf.meta_commands == 2);
  REQUIRE(pf.statements.size() == 5);
  CHECK(pf.statements[1].kind == "TransactionStmt");
  CHECK(pf.statements[1].span.begin == s.find("BEGIN"));
  CHECK(pf.statements[2].kind == "SelectStmt");
  CHECK(pf.statements[3].kind == "TransactionStmt");
  CHECK(pf.statements[4].kind == "SelectStmt");
}

TEST_CASE("deeply nested expressions give a finding, not a crash", "[parse]") {
  std::string deep = "SELECT " + std::string(100000, '(') + "1" + std::string(100000, ')') + ";\nDROP TABLE t;";
  auto f = dgtest::lint_text(deep);
  bool dropped = false;
  bool error = false;
  for (const auto& x : f) {
    dropped = dropped || x.rule == "ban-drop-table";
    error = error || x.rule == "syntax-error";
  }
  CHECK(error);
  CHECK(dropped);
}

TEST_CASE("RETURN in a RETURNS TABLE plpgsql function is not reported (libpg_query's compile is not PostgreSQL's)",
          "[parse]") {
  // Supabase storage's search function: PostgreSQL accepts it; libpg_query's PL/pgSQL compile says "missing
  // expression" at its bare RETURN. Taken from the shared corpus when it is there.
  std::string path = dgtest::source_dir() +
                     "/../shared/corpus/sql/supabase__storage/migrations/tenant/0056-fix-optimized-search-function.sql";
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    WARN("shared corpus not found; skipped");
    return;
  }
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  auto pf = parse_sql(text);
  CHECK(pf.errors.empty());
}

TEST_CASE("goose and dbmate down sections are found whatever the markers' case, near misses are not", "[parse]") {
  using driftguard::contains_nocase;
  using driftguard::down_sections;
  const std::string goose = "-- +GOOSE UP\nCREATE TABLE a (id int);\n-- +Goose Down\nDROP TABLE a;\n";
  auto g = down_sections(goose);
  REQUIRE(g.size() == 1);
  CHECK(goose.substr(g[0].begin, g[0].end - g[0].begin) == "-- +Goose Down\nDROP TABLE a;\n");
  const std::string dbmate = "-- MIGRATE:UP\nSELECT 1;\n-- migrate:down\nSELECT 2;\n-- Migrate:Up\nSELECT 3;\n";
  auto d = down_sections(dbmate);
  REQUIRE(d.size() == 1);
  CHECK(dbmate.substr(d[0].begin, d[0].end - d[0].begin) == "-- migrate:down\nSELECT 2;\n");
  CHECK(down_sections("-- +goos Down\n-- migrat:down\n-- goose down\nSELECT 1;\n").empty());
  CHECK(contains_nocase("x+GoOsE", "+goose", 0));
  CHECK_FALSE(contains_nocase("++goos", "+goose", 0));
  CHECK(contains_nocase("MIGRATE:", "migrate:", 7));
  CHECK_FALSE(contains_nocase("a:b igrate: migrate", "migrate:", 7));
}

TEST_CASE("a text parsed in runs of statements: what one statement is to the grammar is never cut", "[parse][runs]") {
  // Semicolons inside what the grammar reads as one statement: a BEGIN ATOMIC body, CREATE RULE's action list, a
  // dollar quote, a quoted name, a comment, a psql meta-command line; a DO block's inner statements.
  const std::string s =
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
      "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO u VALUES (1); DELETE FROM u);\n"
      "CREATE FUNCTION g() RETURNS void LANGUAGE plpgsql AS $b$ BEGIN PERFORM 1; END; $b$;\n"
      "\\set x 1\n"
      "CREATE TABLE \"a;b\" (c int); /* ; */ -- ;\n"
      "DO $$ BEGIN CREATE TABLE d (x int); DROP TABLE d; END $$;\n"
      "SELECT ';';";
  auto whole = parse_whole(s);
  REQUIRE(whole.errors.empty());
  REQUIRE(whole.statements.size() == 8);  // the DO block's two statements follow it
  CHECK(whole.statements[0].kind == "CreateFunctionStmt");
  CHECK(whole.statements[0].span.begin == 0);
  CHECK(whole.statements[0].span.end == s.find(";\nCREATE RULE"));
  CHECK(whole.statements[1].kind == "RuleStmt");
  CHECK(whole.statements[1].span.end == s.find(";\nCREATE FUNCTION g"));
  CHECK(whole.statements[3].kind == "CreateStmt");
  CHECK(whole.statements[3].span.begin == s.find("CREATE TABLE \"a;b\""));
  CHECK(whole.statements[7].kind == "SelectStmt");
  CHECK(whole.statements[7].span.begin == s.find("SELECT ';'"));
  for (std::size_t n : {1, 2, 3}) {
    auto runs = parse_in_runs(s, n, std::numeric_limits<std::size_t>::max());
    INFO(n << " statements a run");
    CHECK(runs.statements[4].base > 0);  // a run of its own: its tree's locations are relative to it
    CHECK(first_difference(whole, runs) == "");
  }
  // A run also ends at a size: one statement a run here.
  CHECK(first_difference(whole, parse_in_runs(s, 64, 1)) == "");
  // A syntax error and an unterminated quote are reported alike.
  const std::string bad = s + ";\nSELEC 1;\nDROP TABLE x;\nSELECT 'open";
  auto whole_bad = parse_whole(bad);
  REQUIRE(whole_bad.errors.size() == 2);
  CHECK(whole_bad.errors[0].message == "syntax error at or near \"SELEC\"");
  CHECK(first_difference(whole_bad, parse_in_runs(bad, 2, std::numeric_limits<std::size_t>::max())) == "");
}

TEST_CASE("parse_sql_runs hands over, run by run, what parse_sql returns", "[parse][runs]") {
  const std::string s =
      "CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT 2; END;\n"
      "\\set x 1\n"
      "SELEC 1;\n"
      "DO $$ BEGIN CREATE TABLE d (x int); DROP TABLE d; END $$;\n"
      "CREATE TABLE \"a;b\" (c int); /* ; */ -- ;\n"
      "SELECT 'open";
  auto whole = parse_whole(s);
  REQUIRE(whole.errors.size() == 2);
  REQUIRE(whole.statements.size() == 5);
  for (std::size_t n : {1, 2, 64}) {
    INFO(n << " statements a run");
    int calls = 0;
    CHECK(first_difference(whole, parse_streamed(s, n, &calls)) == "");
    CHECK(calls == (n == 1 ? 6 : 4));  // a call per run (a failing piece alone ends one), and the last call
  }
  // A text below runs_from_bytes is one call.
  int calls = 0;
  ParsedFile one;
  parse_sql_runs(s, {}, [&](ParsedFile& run) {
    ++calls;
    one = run;
  });
  CHECK(calls == 1);
  CHECK(one.statements.size() == 5);
  for (const auto& path : sql_files(std::filesystem::path(dgtest::source_dir()) / "fixtures")) {
    std::string text = read_all(path);
    INFO(path.string());
    CHECK(first_difference(parse_whole(text), parse_streamed(text, 2)) == "");
  }
}

TEST_CASE("release_trees frees every run tree of a file and keeps its statements", "[parse][runs]") {
  // Engine::lint drops a file's trees once the rules and the replay are done with it (its findings are handed over
  // after that, without the trees beside them).
  std::string s;
  for (int i = 0; i < 200; ++i) s += "CREATE TABLE t" + std::to_string(i) + " (id int);\n";
  s += "DO $$ BEGIN CREATE TABLE d (x int); END $$;\n";
  ParseOptions opts;
  opts.runs_from_bytes = 0;
  opts.run_statements = 16;
  ParsedFile pf = parse_sql(s, opts);
  REQUIRE(pf.statements.size() == 202);
  std::vector<std::weak_ptr<const pg::Tree>> trees;
  std::vector<std::pair<Span, std::string>> before;
  for (const auto& st : pf.statements) {
    REQUIRE(st.node->is_object());
    trees.push_back(st.node.tree());
    before.emplace_back(st.span, st.kind);
  }
  CHECK(trees.front().lock() != trees.back().lock());  // several runs, several trees
  release_trees(pf);
  for (const auto& t : trees) CHECK(t.expired());
  REQUIRE(pf.statements.size() == 202);
  for (std::size_t i = 0; i < pf.statements.size(); ++i) {
    CHECK(pf.statements[i].node->is_null());
    CHECK(pf.statements[i].span.begin == before[i].first.begin);
    CHECK(pf.statements[i].span.end == before[i].first.end);
    CHECK(pf.statements[i].kind == before[i].second);
  }
}

TEST_CASE("every fixture parses in runs of 1, 2 and 3 statements as in one call", "[parse][runs]") {
  std::size_t files = 0;
  for (const auto& path : sql_files(std::filesystem::path(dgtest::source_dir()) / "fixtures")) {
    std::string text = read_all(path);
    auto whole = parse_whole(text);
    for (std::size_t n : {1, 2, 3}) {
      INFO(path.string() << ", " << n << " statements a run");
      CHECK(first_difference(whole, parse_in_runs(text, n, std::numeric_limits<std::size_t>::max())) == "");
    }
    ++files;
  }
  CHECK(files > 400);
}

TEST_CASE("parse in runs: every corpus file parses in runs as in one call", "[parse][runs][corpus]") {
  std::filesystem::path corpus = std::filesystem::path(dgtest::source_dir()) / "../shared/corpus";
  if (!std::filesystem::is_directory(corpus)) {
    WARN("../shared/corpus is not there: skipped");
    return;
  }
  std::size_t files = 0;
  std::size_t differ = 0;
  std::string first;
  for (const auto& path : sql_files(corpus)) {
    std::string text = read_all(path);
    auto whole = parse_whole(text);
    // One statement a run: every boundary the splitter finds is a run boundary; two: a run's tree holds more
    // than one statement, as the default runs' do.
    for (std::size_t n : {1, 2}) {
      std::string d = first_difference(whole, parse_in_runs(text, n, std::numeric_limits<std::size_t>::max()));
      if (!d.empty() && differ++ == 0) first = path.string() + ", " + std::to_string(n) + " a run: " + d;
    }
    ++files;
  }
  INFO(first);
  CHECK(differ == 0);
  CHECK(files > 6000);
}
