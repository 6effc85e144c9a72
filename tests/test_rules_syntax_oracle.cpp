// The syntax-error oracle: a statement is a syntax-error only when PostgreSQL 15 rejects it. Every syntax error
// driftguard reports in a syntax-error fixture is sent to the test server (in a transaction that is rolled back),
// which must answer SQLSTATE 42601 (syntax_error); every ok_ fixture without psql meta-commands must run there
// without one.
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "analyzer/text.hpp"
#include "helpers.hpp"
#include "pg_server.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

namespace {

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// The SQLSTATE PostgreSQL answers for `sql` inside BEGIN ... ROLLBACK ("" when it succeeds).
std::string sqlstate(PGconn* c, const std::string& sql) {
  PQclear(PQexec(c, "BEGIN"));
  PGresult* r = PQexec(c, sql.c_str());
  std::string state;
  if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
    const char* s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    state = s ? s : "?";
    INFO(PQresultErrorMessage(r));
  }
  PQclear(r);
  PQclear(PQexec(c, "ROLLBACK"));
  return state;
}

// The statement text around a syntax error at `at`: its piece of the file; for a piece with an unbalanced "(" (it
// runs to the end of the file), from the ';' before the error to the first ';' at or after it, as driftguard
// resumes there.
std::string statement_at(const std::string& text, std::size_t at) {
  for (const auto& p : lex::split_statements(text)) {
    if (at < p.begin || at > p.end) continue;
    if (p.terminated || p.error) return text.substr(p.begin, p.end - p.begin) + ";";
    std::size_t semi = text.rfind(';', at == 0 ? 0 : at - 1);
    std::size_t begin = semi == std::string::npos || semi < p.begin || semi >= at ? p.begin : semi + 1;
    std::size_t end = text.find(';', at);
    return text.substr(begin, end == std::string::npos ? std::string::npos : end + 1 - begin);
  }
  return text;
}

}  // namespace

TEST_CASE("syntax-error oracle: PostgreSQL 15 rejects every reported syntax error", "[rules][syntax-error][oracle][pg]") {
  std::string db = dgtest::pg::fresh_database("syntax");
  PGconn* c = PQconnectdb(db.c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  fs::path dir = fs::path(dgtest::source_dir()) / "fixtures" / "rules" / "syntax-error";
  int checked = 0;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (e.path().extension() != ".sql") continue;
    std::string text = read(e.path());
    std::string name = e.path().filename().string();
    INFO(name);
    RuleSelection sel;
    sel.only = {"syntax-error"};
    auto findings = dgtest::lint_text(text, sel, {}, "test.sql");
    if (name.rfind("bad_", 0) == 0) {
      REQUIRE(!findings.empty());
      for (const auto& f : findings) {
        // Invalid UTF-8 is a finding of its own (the server would reject the bytes, not the grammar).
        if (f.message.rfind("invalid UTF-8", 0) == 0) continue;
        std::string sql = statement_at(text, f.span.begin);
        INFO("driftguard: " << f.message << "\nstatement:\n" << sql);
        CHECK(sqlstate(c, sql) == "42601");
        ++checked;
      }
    } else if (text.find("\n\\") == std::string::npos && text.rfind("\\", 0) != 0) {
      CHECK(findings.empty());
      CHECK(sqlstate(c, text) == "");
      ++checked;
    }
  }
  CHECK(checked >= 6);
  PQfinish(c);
}
