// Connections (read-only sessions, password redaction) and throwaway clusters, against a real server.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>
#include <thread>

#include "tests/paths.hpp"
#include "introspect/db/cluster.hpp"
#include "introspect/db/connection.hpp"
#include "tests/pg_server.hpp"
#include "tests/shell.hpp"

using namespace driftguard::db;

TEST_CASE("redact removes passwords from URLs and conninfo", "[db]") {
  CHECK(redact("postgres://app:s3cr3t@db.example.com:5432/prod") == "postgres://app:****@db.example.com:5432/prod");
  CHECK(redact("postgresql://app:p%40ss@h/db?sslmode=require") == "postgresql://app:****@h/db?sslmode=require");
  CHECK(redact("postgresql://app@h/db?password=x1&sslmode=require") == "postgresql://app@h/db?password=****&sslmode=require");
  CHECK(redact("host=h password=x1 user=u") == "host=h password=**** user=u");
  CHECK(redact("host=h password = 'a b\\' c' user=u") == "host=h password = **** user=u");
  CHECK(redact("cannot connect to postgres://u:pw@h/d: timeout") == "cannot connect to postgres://u:****@h/d: timeout");
  // a password with '@' in it: the authority ends at the last '@'
  CHECK(redact("postgres://u:a@b@host/db") == "postgres://u:****@host/db");
  CHECK(redact("postgres://host/db") == "postgres://host/db");
  CHECK(redact("postgres://user@host/db") == "postgres://user@host/db");
  CHECK(redact("no_password_here=1") == "no_password_here=1");
}

TEST_CASE("conninfo keeps the user's parameters and adds application_name", "[db]") {
  ConnectOptions o;
  o.url = "postgresql://app:pw@db.example.com:6543/prod?sslmode=require";
  CHECK(conninfo(o) ==
        "application_name='driftguard' connect_timeout='10' dbname='prod' host='db.example.com' password='pw' "
        "port='6543' sslmode='require' user='app'");
  // Prisma's DATABASE_URL: schema is the search path, pool settings are not libpq's
  o.url = "postgresql://app:pw@h:5432/prod?schema=my%20app&connection_limit=1&pgbouncer=true&sslmode=require";
  CHECK(conninfo(o) ==
        "application_name='driftguard' connect_timeout='10' dbname='prod' host='h' options='-c search_path=my\\\\ app' "
        "password='pw' port='5432' sslmode='require' user='app'");
  o.url = "postgresql://app@h/prod?application_name=mine";
  CHECK(conninfo(o) == "application_name='mine' connect_timeout='10' dbname='prod' host='h' user='app'");
  // the URL's own connect_timeout is kept, unless --connect-timeout was given
  o.url = "postgresql://app@h/prod?connect_timeout=30";
  o.connect_timeout_s = 5;
  CHECK(conninfo(o) == "application_name='driftguard' connect_timeout='30' dbname='prod' host='h' user='app'");
  o.connect_timeout_wins = true;
  CHECK(conninfo(o) == "application_name='driftguard' connect_timeout='5' dbname='prod' host='h' user='app'");
  o.connect_timeout_wins = false;
  o.connect_timeout_s = 10;
  o.url = "postgresql://app@h/prod?application_name=mine";
  CHECK(describe(o) == "h:5432/prod as app");
  o.url = "postgresql://app:pw@h:99999999999/prod?nonsense=1";
  try {
    (void)conninfo(o);
    FAIL("expected a ConnectionError");
  } catch (const ConnectionError& e) {
    std::string msg = e.what();
    CHECK(msg.find("pw@") == std::string::npos);
    CHECK(msg == "invalid database URL postgresql://app:****@h:99999999999/prod?nonsense=1: invalid URI query parameter: "
                 "\"nonsense\"");
  }
}

TEST_CASE("a failed connection says where, and never the password", "[db][pg]") {
  ConnectOptions o;
  // a socket directory with no server in it
  o.url = "postgresql://app:topsecret@/db?host=/nonexistent-dir&port=5999";
  try {
    ReadOnlySession s(o);
    FAIL("expected a ConnectionError");
  } catch (const ConnectionError& e) {
    std::string msg = e.what();
    CHECK(msg.find("topsecret") == std::string::npos);
    CHECK(msg.rfind("cannot connect to /nonexistent-dir:5999/db as app: ", 0) == 0);
  }
}

namespace {

// A TCP port on 127.0.0.1 that accepts connections (the kernel completes the handshake into the backlog) and never
// answers: a server that hangs, or a firewall that swallows the traffic after the handshake.
struct SilentServer {
  int fd = -1;
  int port = 0;
  SilentServer() {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    socklen_t len = sizeof a;
    REQUIRE(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0);
    port = ntohs(a.sin_port);
  }
  ~SilentServer() { ::close(fd); }
};

}  // namespace

TEST_CASE("a server that never answers times out with the host and the limit, not the password", "[db]") {
  SilentServer silent;
  std::string where = "127.0.0.1:" + std::to_string(silent.port) + "/app";
  ConnectOptions o;
  o.url = "postgresql://app:topsecret@127.0.0.1:" + std::to_string(silent.port) + "/app";
  o.connect_timeout_s = 2;
  auto start = std::chrono::steady_clock::now();
  try {
    ReadOnlySession s(o);
    FAIL("expected a ConnectionError");
  } catch (const ConnectionError& e) {
    CHECK(std::string(e.what()) == "cannot connect to " + where +
                                       " as app: no answer within 2s (the connect timeout: --connect-timeout, or "
                                       "connect_timeout in the URL or in driftguard.toml's [database])");
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  CHECK(seconds >= 1.9);
  CHECK(seconds < 6);

  // The command line: $DATABASE_URL is read, the flag sets the limit, the message names where the URL came from.
  std::string bin = DRIFTGUARD_BINARY;
  auto r = dgtest::run_shell("env -u DIRECT_URL -u PGCONNECT_TIMEOUT DATABASE_URL=" + dgtest::shell_quote(o.url) + " " +
                             dgtest::shell_quote(bin) + " verify --table t --connect-timeout 2s < /dev/null");
  CHECK(r.code == 2);
  CHECK(r.out.empty());
  CHECK(r.err == "driftguard: error: cannot connect to " + where +
                     " as app (from DATABASE_URL): no answer within 2s (the connect timeout: --connect-timeout, or "
                     "connect_timeout in the URL or in driftguard.toml's [database])\n");
  // libpq's minimum is 2 seconds: a shorter limit is a usage error, not a silent 2s
  r = dgtest::run_shell(dgtest::shell_quote(bin) + " verify --table t --database-url " + dgtest::shell_quote(o.url) +
                        " --connect-timeout 500ms < /dev/null");
  CHECK(r.code == 2);
  CHECK(r.err == "driftguard: error: --connect-timeout: '500ms' is below libpq's minimum of 2s (0 = wait forever)\n");
}

TEST_CASE("without --database-url, $DIRECT_URL then $DATABASE_URL are used", "[db][pg]") {
  std::string db = dgtest::pg::fresh_database("env");
  dgtest::pg::exec(db, "CREATE TABLE t (id integer)");
  std::string bin = DRIFTGUARD_BINARY;
  ConnectOptions plain;
  plain.url = db;
  std::string target = describe(plain);
  auto verify = [&](const std::string& env, const std::string& args) {
    return dgtest::run_shell("env -u DIRECT_URL -u DATABASE_URL " + env + " " + dgtest::shell_quote(bin) + " verify " +
                             args + " < /dev/null");
  };
  auto r = verify("DATABASE_URL=" + dgtest::shell_quote(db), "--table t");
  CHECK(r.err.empty());
  CHECK(r.out == "driftguard verify: all 1 requirements hold on " + target + " (from DATABASE_URL)\n");
  CHECK(r.code == 0);
  // Prisma Migrate connects with directUrl (DIRECT_URL), not the pooled DATABASE_URL: so does driftguard
  std::string unreachable = "postgresql://app:pooled-secret@/db?host=/nonexistent-dir&port=6543";
  r = verify("DATABASE_URL=" + dgtest::shell_quote(unreachable) + " DIRECT_URL=" + dgtest::shell_quote(db), "--table t");
  CHECK(r.out == "driftguard verify: all 1 requirements hold on " + target + " (from DIRECT_URL)\n");
  CHECK(r.code == 0);
  // a --database-url value wins over both; the error names no password
  r = verify("DIRECT_URL=" + dgtest::shell_quote(db), "--table t --database-url " + dgtest::shell_quote(unreachable));
  CHECK(r.code == 2);
  CHECK(r.err.rfind("driftguard: error: cannot connect to /nonexistent-dir:6543/db as app: ", 0) == 0);
  CHECK(r.err.find("pooled-secret") == std::string::npos);
  r = verify("DATABASE_URL=" + dgtest::shell_quote(unreachable), "--table t");
  CHECK(r.code == 2);
  CHECK(r.err.rfind("driftguard: error: cannot connect to /nonexistent-dir:6543/db as app (from DATABASE_URL): ", 0) == 0);
  CHECK(r.err.find("pooled-secret") == std::string::npos);
}

TEST_CASE("the session is read-only, named, and has a statement timeout", "[db][pg]") {
  std::string db = dgtest::pg::fresh_database("ro");
  dgtest::pg::exec(db, "CREATE TABLE t (id integer)");
  ConnectOptions o;
  o.url = db;
  o.statement_timeout_ms = 200;
  {
    ReadOnlySession s(o);
    CHECK(s.server_version() >= 150000);
    CHECK(s.tx().exec("SHOW transaction_read_only")[0][0].as<std::string>() == "on");
    CHECK(s.tx().exec("SHOW statement_timeout")[0][0].as<std::string>() == "200ms");
    CHECK(s.tx().exec("SELECT current_setting('application_name')")[0][0].as<std::string>() == "driftguard");
    CHECK_THROWS_AS(s.tx().exec("INSERT INTO t VALUES (1)"), pqxx::sql_error);
  }
  {
    ReadOnlySession s(o);
    CHECK_THROWS_WITH(s.tx().exec("SELECT pg_sleep(2)"), Catch::Contains("statement timeout"));
  }
  {
    ReadOnlySession s(o);
    CHECK_THROWS_AS(s.tx().exec("CREATE TABLE u (id integer)"), pqxx::sql_error);
  }
  pqxx::connection c(db);
  pqxx::nontransaction tx(c);
  CHECK(tx.exec("SELECT count(*) FROM t")[0][0].as<int>() == 0);
  CHECK(tx.exec("SELECT count(*) FROM pg_class WHERE relname = 'u'")[0][0].as<int>() == 0);
}

TEST_CASE("a temporary cluster starts, serves, and leaves nothing behind", "[db][pg]") {
  std::string dir;
  {
    auto c = TempCluster::start();
    dir = c->dir();
    REQUIRE(std::filesystem::exists(dir + "/data/PG_VERSION"));
    CHECK(c->port() >= 20000);
    CHECK(c->port() < 60000);
    std::string info = c->create_database("app");
    pqxx::connection conn(info);
    pqxx::nontransaction tx(conn);
    CHECK(tx.exec("SELECT current_database()")[0][0].as<std::string>() == "app");
    CHECK(c->url("app") == "postgresql://postgres@/app?host=" + dir + "&port=" + std::to_string(c->port()));
  }
  CHECK_FALSE(std::filesystem::exists(dir));
}

TEST_CASE("a temporary cluster is removed when its process is killed", "[db][pg]") {
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(fds[0]);
    try {
      auto c = TempCluster::start();
      std::string dir = c->dir() + "\n";
      (void)!::write(fds[1], dir.data(), dir.size());
      ::close(fds[1]);
      ::pause();  // killed here, with the server running
    } catch (...) {
    }
    _exit(1);
  }
  ::close(fds[1]);
  std::string dir;
  char buf[256];
  for (ssize_t n; dir.find('\n') == std::string::npos && (n = ::read(fds[0], buf, sizeof buf)) > 0;) {
    dir.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fds[0]);
  if (!dir.empty()) dir.pop_back();
  REQUIRE_FALSE(dir.empty());
  REQUIRE(std::filesystem::exists(dir + "/data/postmaster.pid"));
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  for (int i = 0; i < 200 && std::filesystem::exists(dir); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK_FALSE(std::filesystem::exists(dir));
}
