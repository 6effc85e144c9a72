// A PostgreSQL server for tests. scripts/test.sh starts one (tests/pg_test_server) and exports its superuser
// conninfo as DRIFTGUARD_TEST_PG; without it (ctest run by hand) the first test that asks starts a TempCluster for
// its own process. Each test gets its own database, so tests running in parallel never see each other.
#pragma once

#include <unistd.h>

#include <libpq-fe.h>
#include <pqxx/pqxx>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

#include "introspect/db/cluster.hpp"
#include "introspect/db/connection.hpp"

namespace dgtest::pg {

// Superuser conninfo of the server, without dbname.
inline const std::string& server() {
  static std::unique_ptr<driftguard::db::TempCluster> own;
  static const std::string info = [] {
    if (const char* env = std::getenv("DRIFTGUARD_TEST_PG"); env != nullptr && *env != '\0') return std::string(env);
    own = driftguard::db::TempCluster::start();
    return own->conninfo("");
  }();
  return info;
}

inline std::string conninfo(const std::string& db) {
  return server() + " dbname=" + driftguard::db::quote_conninfo(db);
}

// Runs SQL (any number of statements) as the superuser, outside a transaction block.
inline void exec(const std::string& conn, const std::string& sql) {
  pqxx::connection c(conn);
  pqxx::nontransaction tx(c);
  tx.exec(sql);
}

// The databases this test process created: dropped when it exits, so that the shared server stays small.
// (Its own copy of the server's conninfo: other statics may be destroyed first.)
struct CreatedDatabases {
  std::string admin;
  std::vector<std::string> names;
  // libpq, not libpqxx: libpqxx's own statics may be gone at exit. A server that is gone already (its directory
  // goes with it) makes this a no-op.
  ~CreatedDatabases() {
    if (admin.empty()) return;
    PGconn* c = PQconnectdb(admin.c_str());
    if (PQstatus(c) == CONNECTION_OK) {
      for (const auto& n : names) PQclear(PQexec(c, ("DROP DATABASE IF EXISTS \"" + n + "\" WITH (FORCE)").c_str()));
    }
    PQfinish(c);
  }
};

// A new, empty database (from template0, so nothing a server-wide template holds leaks in); returns its conninfo.
inline std::string fresh_database(const std::string& tag = "t") {
  static std::atomic<int> n{0};
  static CreatedDatabases created;
  std::string name = "dg_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++);
  if (created.admin.empty()) created.admin = conninfo("postgres");
  created.names.push_back(name);
  exec(conninfo("postgres"), "DROP DATABASE IF EXISTS \"" + name + "\"");
  exec(conninfo("postgres"), "CREATE DATABASE \"" + name + "\" TEMPLATE template0");
  return conninfo(name);
}

}  // namespace dgtest::pg
