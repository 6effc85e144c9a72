#include <catch2/catch.hpp>

#include "analyzer/text.hpp"

using namespace driftguard;

TEST_CASE("line map handles LF, CRLF and CR line endings", "[text]") {
  std::string s = "a\nbc\r\nd\re";
  LineMap m(s);
  CHECK(m.line_count() == 4);
  CHECK(m.position(0).line == 1);
  CHECK(m.position(2).line == 2);
  CHECK(m.position(3).column == 2);
  CHECK(m.position(6).line == 3);  // after CRLF
  CHECK(m.position(8).line == 4);  // after lone CR
  CHECK(m.line_text(2) == "bc");
  CHECK(m.line_text(3) == "d");
}

TEST_CASE("columns count characters, not bytes", "[text]") {
  std::string s = "SELECT \"Ünïcödé\", x";  // Ü ï ö é are two bytes each
  LineMap m(s);
  auto x = s.find(", x") + 2;
  CHECK(m.position(x).column == 19);
  CHECK(count_chars("Ünï") == 3);
}

TEST_CASE("invalid UTF-8 is found, valid UTF-8 passes", "[text]") {
  CHECK_FALSE(find_invalid_utf8("plain ascii and Ünï and 😀").has_value());
  CHECK(find_invalid_utf8(std::string("ab\xE9" "cd")) == std::optional<std::size_t>(2));
  CHECK(find_invalid_utf8(std::string("\xC0\x80")) == std::optional<std::size_t>(0));  // overlong
  CHECK(find_invalid_utf8(std::string("x\xED\xA0\x80")) == std::optional<std::size_t>(1));  // surrogate
}

TEST_CASE("cursor positions in characters map to byte offsets", "[text]") {
  std::string s = "Ü SELEC";
  CHECK(char_index_to_offset(s, 3) == 3);
  CHECK(char_index_to_offset(s, 1) == 0);
}

TEST_CASE("statement splitter understands quotes, comments, dollar quotes and BEGIN ATOMIC", "[text]") {
  std::string s =
      "SELECT ';' -- ;\n; /* ; /* nested ; */ */ SELECT $f$ ; $f$; CREATE RULE r AS ON INSERT TO t DO ALSO "
      "(SELECT 1; SELECT 2); CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; SELECT CASE WHEN "
      "true THEN 1 END; END; SELECT \"a;b\"";
  auto pieces = lex::split_statements(s);
  REQUIRE(pieces.size() == 5);
  CHECK(s.substr(pieces[0].begin, pieces[0].end - pieces[0].begin) == "SELECT ';' -- ;\n");
  CHECK(s.substr(pieces[3].begin, pieces[3].end - pieces[3].begin).find("END") != std::string::npos);
  CHECK_FALSE(pieces[4].terminated);
  for (const auto& p : pieces) CHECK_FALSE(p.error.has_value());
}

TEST_CASE("splitter reports unterminated strings and comments", "[text]") {
  auto a = lex::split_statements("SELECT 1; SELECT 'abc");
  REQUIRE(a.size() == 2);
  CHECK(a[1].error == std::optional<std::size_t>(17));
  auto b = lex::split_statements("SELECT 1; /* open");
  REQUIRE(b.size() == 2);
  CHECK(b[1].error == std::optional<std::size_t>(10));
}

TEST_CASE("top-level commas skip parentheses and strings", "[text]") {
  std::string s = "ADD COLUMN a numeric(10,2) DEFAULT f(1,2), DROP COLUMN \"x,y\", ADD CHECK (a in (1,2))";
  auto c = lex::top_level_commas(s, 0, s.size());
  REQUIRE(c.size() == 2);
  CHECK(s[c[0]] == ',');
  CHECK(s.substr(c[0] + 2, 4) == "DROP");
}

TEST_CASE("trim_end drops trailing whitespace and comments", "[text]") {
  std::string s = "DROP TABLE a  -- bye\n  /* x */ ";
  CHECK(lex::trim_end(s, 0, s.size()) == 12);
}
