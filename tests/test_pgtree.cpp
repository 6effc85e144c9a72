#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/paths.hpp"
#include "analyzer/names.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/pgquery.hpp"
#include "analyzer/pgtree.hpp"

using namespace driftguard;

TEST_CASE("the parse tree reads JSON as nlohmann did, members sorted by key", "[pgtree]") {
  auto t = pg::Tree::parse(R"({"z": 1, "a": [true, false, null], "m": {"k": "v"}, "n": -42, "f": 1.5})");
  const pg::Node& r = t.root();
  REQUIRE(r.is_object());
  CHECK(r.size() == 5);
  std::vector<std::string> keys;
  for (const auto& [k, v] : r.items()) keys.emplace_back(k);
  CHECK(keys == std::vector<std::string>{"a", "f", "m", "n", "z"});
  CHECK(r["z"].get<long>() == 1);
  CHECK(r["n"].get<long>() == -42);
  CHECK(r["f"].is_number_float());
  CHECK(r["f"].get<double>() == 1.5);
  CHECK(r["a"].size() == 3);
  CHECK(r["a"][0].get<bool>());
  CHECK_FALSE(r["a"][1].get<bool>());
  CHECK(r["a"][2].is_null());
  CHECK(r["a"].back().is_null());
  CHECK(r["m"]["k"].get<std::string>() == "v");
  CHECK(r["missing"].is_null());
  CHECK(r["m"]["k"]["deeper"].is_null());
  CHECK(r.find("missing") == r.end());
  CHECK(r.find("m").key() == "m");
  CHECK(r.value("n", 0L) == -42);
  CHECK(r.value("missing", 7L) == 7);
  CHECK(r["m"].value("k", "") == "v");
  CHECK(r.contains("z"));
  CHECK_FALSE(r.contains("y"));
  CHECK_THROWS_AS(r.at("y"), std::out_of_range);
  CHECK_THROWS_AS(r["m"].get<long>(), std::domain_error);
  // dump() is nlohmann's: keys sorted, compact
  CHECK(r.dump() == R"({"a":[true,false,null],"f":1.5,"m":{"k":"v"},"n":-42,"z":1})");
  CHECK(r.dump() == nlohmann::json::parse(R"({"z": 1, "a": [true, false, null], "m": {"k": "v"}, "n": -42, "f": 1.5})").dump());
}

TEST_CASE("strings are decoded in place, escapes and surrogate pairs included", "[pgtree]") {
  auto t = pg::Tree::parse(R"(["a\"b\\c\/d\n\t\r\b\f", "\u00e9\u20ac", "\ud83d\ude00", "x\u0001y", ""])");
  const pg::Node& r = t.root();
  CHECK(r[0].get<std::string>() == "a\"b\\c/d\n\t\r\b\f");
  CHECK(r[1].get<std::string>() == "\xC3\xA9\xE2\x82\xAC");
  CHECK(r[2].get<std::string>() == "\xF0\x9F\x98\x80");
  CHECK(r[3].get<std::string>() == std::string("x\x01y"));
  CHECK(r[4].get<std::string>().empty());
  CHECK(r.dump() == R"(["a\"b\\c/d\n\t\r\b\f","é€","😀","x\u0001y",""])");
}

TEST_CASE("text that is not JSON is an error naming the byte", "[pgtree]") {
  CHECK_THROWS_WITH(pg::Tree::parse(R"({"a": })"), "invalid JSON at byte 6: a value expected");
  CHECK_THROWS_WITH(pg::Tree::parse(R"({"a": 1)"), "invalid JSON at byte 7: ',' or the end of a container expected");
  CHECK_THROWS_WITH(pg::Tree::parse(R"("abc)"), "invalid JSON at byte 4: unterminated string");
  CHECK_THROWS_WITH(pg::Tree::parse(R"("\ud800x")"), "invalid JSON at byte 7: a lone surrogate");
  CHECK_THROWS_WITH(pg::Tree::parse("[1] 2"), "invalid JSON at byte 4: text after the value");
  CHECK(pg::read("{").get().is_null());
}

TEST_CASE("a tree nested 100,000 levels deep is read without recursion", "[pgtree]") {
  std::string deep(100000, '[');
  deep += std::string(100000, ']');
  auto t = pg::Tree::parse(deep);
  const pg::Node* n = &t.root();
  int depth = 0;
  while (n->is_array() && !n->empty()) {
    n = &(*n)[0];
    ++depth;
  }
  CHECK(depth == 99999);
  CHECK(t.node_count() == 100000);
}

TEST_CASE("every libpg_query tree of the fixtures reads as nlohmann read it", "[pgtree]") {
  // The same dump() for the parse of each SQL fixture that parses whole: members, their order, numbers and
  // strings all agree with nlohmann's reading of the same text.
  int compared = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(DRIFTGUARD_SOURCE_DIR) + "/fixtures")) {
    if (!e.is_regular_file() || e.path().extension() != ".sql") continue;
    std::ifstream in(e.path());
    std::string sql((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    auto r = pg::parse(sql);
    if (r.error) continue;
    INFO(e.path().string());
    CHECK(pg::Tree::parse(r.json).root().dump() == nlohmann::json::parse(r.json).dump());
    ++compared;
  }
  CHECK(compared > 200);  // the fixtures hold about 400 SQL files
  auto r = pg::parse("CREATE TABLE \"ü\" (id bigint PRIMARY KEY, note text DEFAULT E'a\\nb', n numeric(10,2) CHECK (n > -1.5));");
  REQUIRE_FALSE(r.error);
  CHECK(pg::Tree::parse(r.json).root().dump() == nlohmann::json::parse(r.json).dump());
}

TEST_CASE("a large tree gives up its JSON text and reads the same", "[pgtree]") {
  // 1 MB of JSON or more: keys are held once per tree and strings copied out, and the text is released.
  std::string sql;
  for (int i = 0; i < 1500; ++i) {
    sql += "CREATE TABLE \"tä" + std::to_string(i) + "\" (id bigint PRIMARY KEY, note text DEFAULT E'a\\nb\\\\c\"d', "
           "n numeric(10,2) CHECK (n > -1.5), e text DEFAULT '');\n";
  }
  auto r = pg::parse(sql);
  REQUIRE_FALSE(r.error);
  REQUIRE(r.json.size() >= (std::size_t{1} << 20));
  std::string expected = nlohmann::json::parse(r.json).dump();
  std::string copy = r.json;
  auto t = pg::Tree::parse(std::move(copy));
  CHECK(t.root().dump() == expected);
  const pg::Node& first = t.root()["stmts"][0]["stmt"]["CreateStmt"];
  const pg::Node& last = t.root()["stmts"][1499]["stmt"]["CreateStmt"];
  CHECK(first["relation"]["relname"].get<std::string>() == "tä0");
  CHECK(last["relation"]["relname"].get<std::string>() == "tä1499");
  // one copy of each key: the same key of two statements is the same characters
  CHECK(first.find("relation").key().data() == last.find("relation").key().data());
  // a small tree keeps its text, and its keys point into it
  auto small = pg::Tree::parse(R"([{"k": "x"}, {"k": "y"}])");
  CHECK(small.root()[0].find("k").key().data() != small.root()[1].find("k").key().data());
  CHECK(small.root()[1]["k"].get<std::string>() == "y");
}

TEST_CASE("a statement's node keeps its file's tree alive", "[pgtree]") {
  Statement kept;
  {
    ParsedFile pf = parse_sql("CREATE TABLE a (x int); DROP TABLE b;");
    REQUIRE(pf.statements.size() == 2);
    kept = pf.statements[1];
    CHECK(pf.statements[0].node.tree() == kept.node.tree());  // one tree per file
  }
  CHECK(kept.kind == "DropStmt");
  CHECK(drop_object_parts(field(unwrap(kept.node), "objects")[0]) == std::vector<std::string>{"b"});
  CHECK(str(unwrap(kept.node), "removeType") == "OBJECT_TABLE");
}

TEST_CASE("trees go to nlohmann and back unchanged, for the sites that rewrite them", "[pgtree]") {
  auto r = pg::parse("SELECT a.*, b.x FROM a JOIN b ON a.id = b.id WHERE a.n IN (1, -2, 3)");
  REQUIRE_FALSE(r.error);
  auto t = pg::Tree::parse(r.json);
  nlohmann::json n = pg::to_nlohmann(t.root());
  CHECK(n == nlohmann::json::parse(r.json));
  pg::TreeRef back = pg::from_nlohmann(n);
  CHECK(back.get() == t.root());
  CHECK(back->dump() == t.root().dump());
  n["stmts"][0]["stmt_len"] = 99;
  CHECK_FALSE(pg::from_nlohmann(n).get() == t.root());
}

namespace {
// Every key libpg_query can emit: the field names of pg_query.proto (and their json_name spellings, which are
// the node types' names in Node's oneof), plus the PL/pgSQL tree's keys as pg_query_parse_plpgsql emits them.
std::set<std::string> libpg_query_keys() {
  std::set<std::string> keys;
  std::ifstream in(PG_QUERY_PROTO);
  REQUIRE(in);
  std::string proto((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  static const std::regex field(R"(^\s*(?:repeated\s+)?[\w.]+\s+(\w+)\s*=\s*\d+)");
  static const std::regex json_name(R"re(json_name="(\w+)")re");
  std::istringstream lines(proto);
  for (std::string line; std::getline(lines, line);) {
    std::smatch m;
    if (std::regex_search(line, m, field)) keys.insert(m[1]);
    if (std::regex_search(line, m, json_name)) keys.insert(m[1]);
  }
  auto plpgsql = pg::parse_plpgsql(
      "CREATE FUNCTION f() RETURNS void LANGUAGE plpgsql AS $$ DECLARE t text := 'x'; a int[]; r record; BEGIN "
      "IF true THEN CREATE TABLE t (x int); END IF; EXECUTE 'SELECT 1'; t := 'y'; "
      "FOREACH a SLICE 1 IN ARRAY ARRAY[[1]] LOOP NULL; END LOOP; FOR i IN REVERSE 3..1 BY 1 LOOP NULL; END LOOP; "
      "FOR t IN SELECT 'z' LOOP NULL; END LOOP; FOR r IN SELECT 1 AS k LOOP NULL; END LOOP; "
      "EXCEPTION WHEN duplicate_table THEN NULL; END $$");
  REQUIRE_FALSE(plpgsql.error);
  auto tree = pg::Tree::parse(plpgsql.json);
  std::vector<const pg::Node*> todo{&tree.root()};
  while (!todo.empty()) {
    const pg::Node* n = todo.back();
    todo.pop_back();
    for (const auto& [k, v] : n->items()) {
      if (n->is_object()) keys.insert(std::string(k));
      todo.push_back(&v);
    }
  }
  return keys;
}
}  // namespace

TEST_CASE("every key the rules and the replay look up is one libpg_query emits", "[pgtree]") {
  // A misspelled key reads as a missing field (a rule that never fires): each string literal passed as a key to
  // the tree readers of rules/ and analyzer/ (field, str, flag, num, find, contains, value, at, each_node,
  // contains_node, a chained ["key"], node_type(...) == "Type") must be one libpg_query emits.
  const std::set<std::string> keys = libpg_query_keys();
  // Keys of other JSON documents read with the same calls: drizzle's meta/_journal.json (transaction/runner.cpp);
  // and two strings the patterns catch that are no key: an extension's entry in a std::map (replay/schemas.cpp),
  // a pair of a keyword table (normalize.cpp).
  const std::set<std::string> other_documents = {"entries", "tag", "citext", "CURRENT_TIMESTAMP"};
  static const std::vector<std::regex> uses = {
      std::regex(R"re(\b(?:field|str|flag|num)\([^;"\n]*?,\s*"(\w+)")re"),
      std::regex(R"re(\.(?:find|contains|value|at|count)\("(\w+)")re"),
      std::regex(R"re([)\]]\["(\w+)"\])re"),
      std::regex(R"re(\b(?:each_node|contains_node)\([^;"\n]*?,\s*"(\w+)")re"),
      std::regex(R"re(node_type\([^;"\n]*?\)\s*[!=]=\s*"(\w+)")re")};
  std::set<std::string> unknown;
  int checked = 0;
  for (const char* dir : {"rules", "analyzer"}) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(std::string(DRIFTGUARD_SOURCE_DIR) + "/" + dir)) {
      auto ext = e.path().extension();
      if (!e.is_regular_file() || (ext != ".cpp" && ext != ".hpp")) continue;
      if (e.path().filename() == "model.cpp") continue;  // builds driftguard's own JSON output, reads no tree
      std::ifstream in(e.path());
      std::string src((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      for (const auto& re : uses) {
        for (auto it = std::sregex_iterator(src.begin(), src.end(), re); it != std::sregex_iterator(); ++it) {
          std::string k = (*it)[1];
          ++checked;
          if (!keys.count(k) && !other_documents.count(k)) unknown.insert(e.path().filename().string() + ": " + k);
        }
      }
    }
  }
  CHECK(checked > 1000);
  CHECK(unknown == std::set<std::string>{});
}
