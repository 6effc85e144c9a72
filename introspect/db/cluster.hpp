// A throwaway PostgreSQL cluster: initdb into a new temporary directory, started with pg_ctl on a random port
// (Unix socket in that directory only, no TCP), stopped and deleted when the object goes away — and also when the
// process dies any other way (Ctrl-C, a crash, SIGKILL): a watchdog process forked before the server starts waits
// for the parent to disappear, then stops the server and removes the directory.
//
// Runs initdb and the server as the `postgres` user when driftguard runs as root (PostgreSQL refuses to run as
// root). The binaries come from $DRIFTGUARD_PG_BIN, else `pg_config --bindir`, else the newest
// /usr/lib/postgresql/<version>/bin.
#pragma once

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>
#include <sys/types.h>

namespace driftguard::db {

class ClusterError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The directory holding initdb, pg_ctl and postgres; throws ClusterError when no server is installed.
std::string find_server_bin();

class TempCluster {
 public:
  // initdb + pg_ctl start -w. Throws ClusterError with initdb's or the server's log on failure (and cleans up).
  // `settings` are extra server settings ("shared_preload_libraries=pg_cron"), given as -c options.
  static std::unique_ptr<TempCluster> start(const std::vector<std::string>& settings = {});
  ~TempCluster();  // stop()
  TempCluster(const TempCluster&) = delete;
  TempCluster& operator=(const TempCluster&) = delete;

  // Stops the server (fast shutdown) and removes the directory. Idempotent.
  void stop();

  // key=value conninfo of database `db` as the superuser `postgres` (trust authentication, socket only); without
  // dbname when `db` is empty.
  std::string conninfo(const std::string& db = "postgres") const;
  // postgresql://postgres@/db?host=DIR&port=N
  std::string url(const std::string& db = "postgres") const;
  // CREATE DATABASE <name> (from template0); returns its conninfo.
  std::string create_database(const std::string& name);
  const std::string& dir() const { return dir_; }
  int port() const { return port_; }
  pid_t watchdog() const { return watchdog_; }

 private:
  TempCluster() = default;
  std::string dir_;  // the temporary directory: data/ and the socket
  std::string bin_;
  int port_ = 0;
  pid_t watchdog_ = -1;
  int watchdog_pipe_ = -1;  // write end; closing it (any way the process ends) wakes the watchdog
  bool running_ = false;
};

}  // namespace driftguard::db
