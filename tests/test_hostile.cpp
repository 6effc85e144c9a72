// Hostile input: names holding terminal escape sequences and newlines (from a migration file and from a live
// catalog), passwords holding every reserved character, and statements nested deeper than PostgreSQL accepts.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include <pthread.h>

#include <cstdlib>
#include <sstream>
#include <string>
#include <vector>

#include "tests/paths.hpp"
#include "analyzer/pgquery.hpp"
#include "cli/escape.hpp"
#include "introspect/db/connection.hpp"
#include "tests/git_repo.hpp"
#include "tests/helpers.hpp"
#include "tests/pg_server.hpp"

using namespace driftguard;
using njson = nlohmann::json;  // driftguard::json is the parse tree

namespace {

// The sequences of the issue: clear the screen, set the terminal's title, a newline that forges a line.
const std::string kClear = "\x1b[2J";
const std::string kTitle = "\x1b]0;title\a";

bool has_control(const std::string& s, bool allow_newline) {
  for (unsigned char c : s) {
    if ((c < 0x20 && c != '\t' && !(allow_newline && c == '\n')) || c == 0x7F) return true;
  }
  return false;
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

std::string shq(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

TEST_CASE("visible: control characters, C1, bidi overrides and bad UTF-8 as escapes", "[hostile]") {
  CHECK(visible("plain ünïcödé\ttab") == "plain ünïcödé\ttab");
  CHECK(visible(kClear) == "\\x1b[2J");
  CHECK(visible(kTitle) == "\\x1b]0;title\\x07");
  CHECK(visible("a\nb\rc\x7f") == "a\\nb\\rc\\x7f");
  CHECK(visible(std::string("nul\0x", 5)) == "nul\\x00x");
  CHECK(visible("\xc2\x9b" "31m") == "\\u009b31m");        // C1 CSI
  CHECK(visible("abc\xe2\x80\xae" "cba") == "abc\\u202ecba");  // RIGHT-TO-LEFT OVERRIDE
  CHECK(visible("\xe2\x80\xa8") == "\\u2028");               // LINE SEPARATOR
  CHECK(visible("bad\xff\xc3") == "bad\\xff\\xc3");          // not UTF-8, truncated sequence
  CHECK(visible("\xc0\xaf") == "\\xc0\\xaf");                // overlong '/'
}

TEST_CASE("visible_excerpt: one character per character", "[hostile]") {
  CHECK(visible_excerpt("a\tb") == "a b");
  CHECK(visible_excerpt("x" + kClear) == "x\xe2\x90\x9b[2J");  // ESC -> U+241B
  CHECK(visible_excerpt("\a\x7f") == "\xe2\x90\x87\xe2\x90\xa1");
  CHECK(visible_excerpt("\xc2\x9b\xff") == "\xef\xbf\xbd\xef\xbf\xbd");
  CHECK(visible_excerpt("ünï") == "ünï");
}

TEST_CASE("lint: hostile names in a migration file reach no text format raw", "[hostile][cli]") {
  dgtest::Repo repo;
  // ban-drop-table names the table; ban-drop-column the column (with a newline in its name).
  std::string sql = "DROP TABLE \"evil" + kClear + "\";\nALTER TABLE t DROP COLUMN \"a\nb" + kTitle + "\";\n";
  repo.write("m/001.sql", sql);
  const std::string rules = " --rule ban-drop-table --rule ban-drop-column";
  auto gcc = repo.driftguard("lint m --format gcc" + rules);
  REQUIRE(gcc.code == 1);
  CHECK(gcc.out ==
        "m/001.sql:1:1: error: drops table \"evil\\x1b[2J\" [ban-drop-table]\n"
        "m/001.sql:2:15: error: drops column \"a\\nb\\x1b]0;title\\x07\" from table t [ban-drop-column]\n");
  for (const std::string format : {"text", "github", "markdown", "junit"}) {
    auto r = repo.driftguard("lint m --format " + format + rules);
    INFO(format << "\n" << r.out);
    CHECK(r.code == 1);
    CHECK(r.err == "");
    CHECK_FALSE(has_control(r.out, true));
    CHECK(r.out.find("evil\\x1b[2J") != std::string::npos);
  }
  // github: one workflow command per finding, whatever the names hold
  auto gh = repo.driftguard("lint m --format github" + rules);
  auto gh_lines = lines_of(gh.out);
  REQUIRE(gh_lines.size() == 3);
  CHECK(gh_lines[0].rfind("::error file=m/001.sql,line=1,col=1,", 0) == 0);
  CHECK(gh_lines[1].rfind("::error file=m/001.sql,line=2,col=15,", 0) == 0);
  // the excerpt keeps its columns: the newline of the name ends the line, ESC is shown as its picture
  auto text = repo.driftguard("lint m --format text" + rules);
  CHECK(text.out.find("1 | DROP TABLE \"evil\xe2\x90\x9b[2J\";\n") != std::string::npos);
  // JSON and SARIF carry the names exactly, and stay valid
  auto j = njson::parse(repo.driftguard("lint m --format json" + rules).out);
  CHECK(j["findings"][0]["message"] == "drops table \"evil" + kClear + "\"");
  auto sarif = njson::parse(repo.driftguard("lint m --format sarif" + rules).out);
  CHECK(sarif["runs"][0]["results"].size() == 2);
}

// --- Passwords ---------------------------------------------------------------------------------------------------

namespace {
// RFC 3986's reserved characters, and the ones shells, conninfo quoting and percent-encoding treat specially.
const std::string kReserved = ":/?#[]@!$&'()*+,;= %\"\\";
std::string percent(char c) {
  static const char* hex = "0123456789ABCDEF";
  return std::string("%") + hex[(c >> 4) & 15] + hex[c & 15];
}
}  // namespace

TEST_CASE("redact: every reserved character in a password, in URLs and key=value strings", "[hostile][db]") {
  for (char c : kReserved) {
    std::string pw = std::string("Pq7") + c + "Zx9";
    INFO("character " << c);
    // written raw (a common mistake) and percent-encoded
    CHECK(db::redact("postgresql://user:" + pw + "@host:5432/db") == "postgresql://user:****@host:5432/db");
    CHECK(db::redact("cannot connect to postgres://user:" + pw + "@host/db?sslmode=require: timeout") ==
          "cannot connect to postgres://user:****@host/db?sslmode=require: timeout");
    CHECK(db::redact("postgresql://user:Pq7" + percent(c) + "Zx9@host/db") == "postgresql://user:****@host/db");
    // a URL query parameter ends at '&' or '#': only an encoded password is one parameter
    CHECK(db::redact("postgresql://user@host/db?password=Pq7" + percent(c) + "Zx9&sslmode=require") ==
          "postgresql://user@host/db?password=****&sslmode=require");
    // key=value: quoted (quote and backslash escaped) and, without white space or quotes, unquoted
    std::string quoted = "'Pq7" + std::string(c == '\'' || c == '\\' ? "\\" : "") + c + "Zx9'";
    CHECK(db::redact("host=h password=" + quoted + " user=u") == "host=h password=**** user=u");
    if (c != ' ' && c != '\'' && c != '\\') {
      CHECK(db::redact("host=h password=" + pw + " user=u") == "host=h password=**** user=u");
    }
  }
}

TEST_CASE("a '@' or '/' in a URL's password is refused before libpq sees it, and not printed", "[hostile][db]") {
  db::ConnectOptions o;
  for (const char* url : {"postgresql://user:pa@ss@host/db", "postgresql://user:pa/ss@host/db"}) {
    o.url = url;
    INFO(url);
    try {
      (void)db::conninfo(o);
      FAIL("expected a ConnectionError");
    } catch (const db::ConnectionError& e) {
      CHECK(std::string(e.what()) ==
            "invalid database URL postgresql://user:****@host/db: the user name or password holds a '@' or '/' that "
            "is not percent-encoded (write @ as %40, / as %2F)");
    }
    CHECK(db::describe(o) == "postgresql://user:****@host/db");
  }
}

TEST_CASE("status: no fragment of a password reaches the output (URL, key=value, PGPASSWORD)", "[hostile][db][pg]") {
  dgtest::Repo repo;
  repo.write("prisma/migrations/20240101000000_init/migration.sql", "CREATE TABLE a (id integer);\n");
  for (char c : kReserved) {
    INFO("character " << c);
    std::string raw = std::string("Pq7") + c + "Zx9";
    auto clean = [&](const dgtest::Run& r) {
      INFO(r.err);
      CHECK(r.code == 2);
      CHECK(r.err != "");
      CHECK(r.out.find("Pq7") == std::string::npos);
      CHECK(r.err.find("Pq7") == std::string::npos);
      CHECK(r.err.find("Zx9") == std::string::npos);
    };
    // no server in this socket directory: the connection fails and says where
    std::string where = "/db?host=/nonexistent-dir&port=5999";
    clean(repo.driftguard("status --migrations prisma/migrations --database-url " +
                          shq("postgresql://user:" + raw + "@" + where)));
    clean(repo.driftguard("status --migrations prisma/migrations --database-url " +
                          shq("postgresql://user:Pq7" + percent(c) + "Zx9@" + where)));
    std::string quoted = "'Pq7" + std::string(c == '\'' || c == '\\' ? "\\" : "") + c + "Zx9'";
    clean(repo.driftguard("status --migrations prisma/migrations --database-url " +
                          shq("host=/nonexistent-dir port=5999 dbname=db user=user password=" + quoted)));
    clean(repo.run("PGPASSWORD=" + shq(raw) + " '" + std::string(DRIFTGUARD_BINARY) +
                   "' status --migrations prisma/migrations --database-url " +
                   shq("host=/nonexistent-dir port=5999 dbname=db user=user")));
  }
}

// --- Deep statements ---------------------------------------------------------------------------------------------

namespace {
std::string concat_chain(int operands) {
  std::string s = "SELECT 'a'";
  for (int i = 1; i < operands; ++i) s += " || 'a'";
  return s + ";\n";
}

struct PgOutcome {
  std::string error;  // "" = accepted
  int position = 0;   // PG_DIAG_STATEMENT_POSITION, 1-based characters; 0 = none
};
// What PostgreSQL does with a statement (inside a transaction that is rolled back).
PgOutcome run_on_server(const std::string& db, const std::string& sql) {
  PGconn* c = PQconnectdb(db.c_str());
  REQUIRE(PQstatus(c) == CONNECTION_OK);
  PQclear(PQexec(c, "BEGIN"));
  PGresult* r = PQexec(c, sql.c_str());
  PgOutcome out;
  if (PQresultStatus(r) == PGRES_FATAL_ERROR) {
    out.error = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
    const char* pos = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
    out.position = pos ? std::atoi(pos) : 0;
  }
  PQclear(r);
  PQclear(PQexec(c, "ROLLBACK"));
  PQfinish(c);
  return out;
}
}  // namespace

TEST_CASE("deep statements: reported as PostgreSQL refuses them, other findings kept", "[hostile][parse][pg]") {
  std::string db = dgtest::pg::fresh_database("deep");
  const std::string concat = concat_chain(70000);
  const std::string parens = "SELECT " + std::string(100000, '(') + "1" + std::string(100000, ')') + ";\n";
  // The oracle: PostgreSQL 15 refuses both, the first when it analyzes the tree, the second in its grammar.
  auto pg_concat = run_on_server(db, concat);
  CHECK(pg_concat.error == "stack depth limit exceeded");
  auto pg_parens = run_on_server(db, parens);
  CHECK(pg_parens.error == "memory exhausted at or near \"(\"");
  CHECK(pg_parens.position == 10004);
  // ... and accepts a chain it can analyze, which driftguard then analyzes like any other statement.
  const std::string accepted = concat_chain(4000);
  CHECK(run_on_server(db, accepted).error == "");

  dgtest::Repo repo;
  repo.write("m/001_concat.sql", concat + "DROP TABLE a;\n");
  repo.write("m/002_parens.sql", parens + "DROP TABLE b;\n");
  repo.write("m/003_accepted.sql", accepted + "DROP TABLE c;\n");
  auto r = repo.driftguard("lint m --format gcc --rule syntax-error --rule ban-drop-table");
  CHECK(r.err == "");
  CHECK(r.code == 1);
  CHECK(r.out ==
        "m/001_concat.sql:1:1: error: stack depth limit exceeded (the expression nests deeper than PostgreSQL can "
        "analyze with its default max_stack_depth of 2MB) [syntax-error]\n"
        "m/001_concat.sql:2:1: error: drops table a [ban-drop-table]\n"
        "m/002_parens.sql:1:" + std::to_string(pg_parens.position) +
        ": error: memory exhausted at or near \"(\" [syntax-error]\n"
        "m/002_parens.sql:2:1: error: drops table b [ban-drop-table]\n"
        "m/003_accepted.sql:2:1: error: drops table c [ban-drop-table]\n");
  // the model side too: the statement is a replay error, the rest of the history replays
  auto schema = repo.driftguard("schema --from migrations:m --format sql");
  INFO(schema.err);
  CHECK(schema.code != 0);
  CHECK(schema.err.find("m/001_concat.sql:1:1") != std::string::npos);
}

TEST_CASE("many large files: parsed without using up the process's thread-specific keys", "[hostile][parse]") {
  // Inputs of 16 KB or more are parsed on a thread with a large stack, and libpg_query creates a pthread key for every
  // thread that parses (never deleted). glibc has 1,024 keys: with a thread per input, the 1,025th large file of a run
  // left no key for anything else in the process. A long-lived parse thread per caller keeps that at one.
  std::string sql;
  while (sql.size() < 20 * 1024) sql += "ALTER TABLE t ADD COLUMN c" + std::to_string(sql.size()) + " integer;\n";
  for (int i = 0; i < 1100; ++i) {
    auto out = driftguard::pg::parse(sql);
    REQUIRE_FALSE(out.error);
  }
  pthread_key_t key;
  int rc = pthread_key_create(&key, nullptr);
  CHECK(rc == 0);
  if (rc == 0) pthread_key_delete(key);
}

// --- A hostile catalog -------------------------------------------------------------------------------------------

namespace {
// SQL string literal with E'' escapes, so that the control characters reach the server as they are.
std::string lit(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
  return out + "'";
}
std::string ident(const std::string& s) {
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}
}  // namespace

TEST_CASE("drift and status: names from a hostile catalog are escaped in text and gcc output", "[hostile][pg]") {
  const std::string table = "evil" + kClear;
  const std::string column = "col\nforged.sql:1:1: error: forged [x]";
  const std::string type = "mood" + kTitle;
  const std::string value = "bad" + kTitle;
  const std::string index = "idx" + kTitle;
  const std::string policy = "pol\n::error file=forged::forged";
  std::string db = dgtest::pg::fresh_database("hostile");
  dgtest::pg::exec(db, "CREATE TYPE " + ident(type) + " AS ENUM ('ok', " + lit(value) + ");\n"
                       "CREATE TABLE " + ident(table) + " (id integer PRIMARY KEY, " + ident(column) + " text, m " +
                       ident(type) + ");\n"
                       "CREATE INDEX " + ident(index) + " ON " + ident(table) + " (" + ident(column) + ");\n"
                       "ALTER TABLE " + ident(table) + " ENABLE ROW LEVEL SECURITY;\n"
                       "CREATE POLICY " + ident(policy) + " ON " + ident(table) + " USING (true);\n");
  dgtest::Repo repo;
  // the expected side: the same table without the hostile index and policy, and one value of the enum missing
  repo.write("expected.sql", "CREATE TYPE " + ident(type) + " AS ENUM ('ok');\nCREATE TABLE " + ident(table) +
                                 " (id integer PRIMARY KEY, m " + ident(type) + ");\n");
  std::string args = "drift --sql expected.sql --database-url " + shq(db);
  auto j = njson::parse(repo.driftguard(args + " --format json").out);
  std::size_t items = j["items"].size();
  CHECK(items >= 4);  // the column, the index, the policy, the enum value (RLS too)
  bool raw_name = false;
  for (const auto& i : j["items"]) raw_name = raw_name || i["path"].get<std::string>().find(kTitle) != std::string::npos;
  CHECK(raw_name);  // JSON carries the names exactly

  auto gcc = repo.driftguard(args + " --format gcc");
  INFO(gcc.out);
  CHECK(gcc.code == 1);
  CHECK_FALSE(has_control(gcc.out, true));
  auto lines = lines_of(gcc.out);
  CHECK(lines.size() == items);  // one line per item: no name forged one
  for (const auto& l : lines) {
    CHECK(l.rfind("forged", 0) != 0);
    CHECK(l.rfind("::", 0) != 0);
  }
  CHECK(gcc.out.find("evil\\x1b[2J") != std::string::npos);

  auto text = repo.driftguard(args + " --format text");
  INFO(text.out);
  CHECK_FALSE(has_control(text.out, true));
  CHECK(text.out.find("col\\nforged.sql:1:1: error: forged [x]") != std::string::npos);
  CHECK(text.out.find("pol\\n::error file=forged::forged") != std::string::npos);
  for (const auto& l : lines_of(text.out)) {
    CHECK(l.rfind("forged", 0) != 0);
    CHECK(l.rfind("::", 0) != 0);
  }

  // status: a migration name and its logs from the tracker table
  dgtest::pg::exec(db, "CREATE TABLE _prisma_migrations (id varchar(36) PRIMARY KEY, checksum varchar(64) NOT NULL, "
                       "finished_at timestamptz, migration_name varchar(255) NOT NULL, logs text, rolled_back_at "
                       "timestamptz, started_at timestamptz NOT NULL DEFAULT now(), applied_steps_count integer NOT "
                       "NULL DEFAULT 0);\n"
                       "INSERT INTO _prisma_migrations (id, checksum, migration_name, logs, started_at) VALUES ('1', "
                       "'0', " + lit("20240101000000_x" + kClear + "\nforged") + ", " + lit("ERROR: " + kTitle) +
                       ", '2024-01-01 00:00:00+00');\n");
  repo.write("prisma/migrations/20240102000000_init/migration.sql", "CREATE TABLE a (id integer);\n");
  auto status = repo.driftguard("status --migrations prisma/migrations --database-url " + shq(db));
  INFO(status.out << status.err);
  CHECK_FALSE(has_control(status.out, true));
  CHECK(status.out.find("20240101000000_x\\x1b[2J\\nforged") != std::string::npos);
  for (const auto& l : lines_of(status.out)) CHECK(l.rfind("forged", 0) != 0);
}
