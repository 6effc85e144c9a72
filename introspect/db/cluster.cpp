#include "introspect/db/cluster.hpp"
#include "introspect/db/connection.hpp"

#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <pqxx/pqxx>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>
#include <vector>

namespace fs = std::filesystem;

namespace driftguard::db {

namespace {

bool executable(const fs::path& p) { return ::access(p.c_str(), X_OK) == 0; }

struct RunAs {
  bool drop = false;  // switch to uid/gid before exec
  uid_t uid = 0;
  gid_t gid = 0;
  std::string name;
};

RunAs server_user() {
  RunAs r;
  if (::geteuid() != 0) return r;
  struct passwd* pw = ::getpwnam("postgres");
  if (pw == nullptr) {
    throw ClusterError("PostgreSQL refuses to run as root, and there is no 'postgres' user to run it as "
                       "(install the postgresql package, or run driftguard as another user)");
  }
  r.drop = true;
  r.uid = pw->pw_uid;
  r.gid = pw->pw_gid;
  r.name = pw->pw_name;
  return r;
}

// Runs argv (argv[0] is a path) with stdin from /dev/null and stdout+stderr appended to `log`; returns the exit
// status (or -1 when it could not start).
int run(const std::vector<std::string>& argv, const std::string& log, const RunAs& as) {
  pid_t pid = ::fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    if (as.drop) {
      if (::setgid(as.gid) != 0 || ::initgroups(as.name.c_str(), as.gid) != 0 || ::setuid(as.uid) != 0) _exit(126);
    }
    int in = ::open("/dev/null", O_RDONLY);
    int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (in < 0 || out < 0) _exit(126);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    _exit(127);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0) {
    if (errno != EINTR) return -1;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string tail(const std::string& path, std::size_t max_lines = 15) {
  std::ifstream in(path);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  std::string out;
  for (std::size_t i = lines.size() > max_lines ? lines.size() - max_lines : 0; i < lines.size(); ++i) {
    out += "\n  " + lines[i];
  }
  return out;
}

pid_t postmaster_pid(const std::string& data) {
  std::ifstream in(data + "/postmaster.pid");
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return -1;
  return static_cast<pid_t>(pid);
}

// Immediate shutdown of whatever server runs on `data`, then the directory goes. Used by the watchdog and when a
// normal stop fails.
void kill_and_remove(const std::string& dir) {
  pid_t pid = postmaster_pid(dir + "/data");
  if (pid > 0 && ::kill(pid, SIGQUIT) == 0) {
    for (int i = 0; i < 200 && ::kill(pid, 0) == 0; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (::kill(pid, 0) == 0) ::kill(pid, SIGKILL);
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
}

int random_port() {
  std::random_device rd;
  return std::uniform_int_distribution<int>(20000, 59999)(rd);
}

}  // namespace

std::string find_server_bin() {
  if (const char* env = std::getenv("DRIFTGUARD_PG_BIN"); env != nullptr && *env != '\0') {
    if (!executable(fs::path(env) / "initdb")) throw ClusterError(std::string("DRIFTGUARD_PG_BIN=") + env + " has no initdb");
    return env;
  }
  // Debian keeps the server binaries out of PATH, one directory per major version: the newest wins.
  std::error_code ec;
  int best = -1;
  std::string found;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    std::string v = e.path().filename().string();
    int major = std::atoi(v.c_str());
    if (major > best && executable(e.path() / "bin" / "initdb")) {
      best = major;
      found = (e.path() / "bin").string();
    }
  }
  if (!found.empty()) return found;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');) {
      if (!d.empty() && executable(fs::path(d) / "initdb") && executable(fs::path(d) / "pg_ctl")) return d;
    }
  }
  throw ClusterError("no PostgreSQL server found (initdb, pg_ctl): install it (Debian: apt-get install postgresql) "
                     "or set DRIFTGUARD_PG_BIN to its bin directory");
}

std::unique_ptr<TempCluster> TempCluster::start(const std::vector<std::string>& settings) {
  std::unique_ptr<TempCluster> c(new TempCluster());
  c->bin_ = find_server_bin();
  RunAs as = server_user();
  // The socket path must stay short (108 bytes), and the postgres user must reach it: /tmp when root.
  std::string base = "/tmp";
  if (const char* t = std::getenv("TMPDIR"); t != nullptr && *t != '\0' && !as.drop && std::strlen(t) < 60) base = t;
  std::string templ = base + "/driftguard-pg-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (::mkdtemp(buf.data()) == nullptr) {
    throw ClusterError("cannot create a temporary directory in " + base + ": " + std::strerror(errno));
  }
  c->dir_ = buf.data();
  if (as.drop && ::chown(c->dir_.c_str(), as.uid, as.gid) != 0) {
    std::string err = std::strerror(errno);
    fs::remove_all(c->dir_);
    throw ClusterError("cannot give " + c->dir_ + " to the postgres user: " + err);
  }

  // The watchdog: cleans up if this process ends without stop().
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) {
    fs::remove_all(c->dir_);
    throw ClusterError(std::string("pipe: ") + std::strerror(errno));
  }
  pid_t w = ::fork();
  if (w < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    fs::remove_all(c->dir_);
    throw ClusterError(std::string("fork: ") + std::strerror(errno));
  }
  if (w == 0) {
    // Hold nothing of the parent's open: its pipes and sockets must close when it does. The pipe moves to fd 3.
    int keep = fds[0] == 3 ? 3 : ::dup2(fds[0], 3);
    if (keep != 3) _exit(1);
    ::close_range(4, ~0U, 0);
    int null = ::open("/dev/null", O_RDWR);
    if (null >= 0) {
      ::dup2(null, 0);
      ::dup2(null, 1);
      ::dup2(null, 2);
      if (null > 3) ::close(null);
    }
    ::signal(SIGINT, SIG_IGN);   // Ctrl-C reaches the whole process group: outlive the parent to clean up
    ::signal(SIGTERM, SIG_IGN);
    ::signal(SIGHUP, SIG_IGN);
    char ch = 0;
    ssize_t n;
    while ((n = ::read(3, &ch, 1)) < 0 && errno == EINTR) {
    }
    if (n == 1 && ch == 'q') _exit(0);  // stopped normally
    kill_and_remove(c->dir_);
    _exit(0);
  }
  ::close(fds[0]);
  c->watchdog_ = w;
  c->watchdog_pipe_ = fds[1];

  std::string data = c->dir_ + "/data";
  std::string init_log = c->dir_ + "/initdb.log";
  int rc = run({c->bin_ + "/initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C",
                "--no-sync", "--no-instructions"},
               init_log, as);
  if (rc != 0) {
    std::string log = tail(init_log);
    c->stop();
    throw ClusterError("initdb failed (exit " + std::to_string(rc) + "):" + log);
  }
  std::string server_log = c->dir_ + "/server.log";
  for (int attempt = 0; attempt < 3; ++attempt) {
    c->port_ = random_port();
    std::string opts = "-p " + std::to_string(c->port_) + " -k " + c->dir_ +
                       " -c listen_addresses='' -c fsync=off -c full_page_writes=off -c synchronous_commit=off";
    for (const auto& setting : settings) opts += " -c " + setting;
    rc = run({c->bin_ + "/pg_ctl", "-D", data, "-l", server_log, "-w", "-t", "60", "-o", opts, "start"},
             c->dir_ + "/pg_ctl.log", as);
    if (rc == 0) break;
  }
  if (rc != 0) {
    std::string log = tail(server_log) + tail(c->dir_ + "/pg_ctl.log");
    c->stop();
    throw ClusterError("the temporary PostgreSQL server did not start:" + log);
  }
  c->running_ = true;
  return c;
}

void TempCluster::stop() {
  if (dir_.empty()) return;
  if (running_) {
    RunAs as;
    try {
      as = server_user();
    } catch (const ClusterError&) {
    }
    int rc = run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "fast", "-w", "-t", "30", "stop"}, "/dev/null", as);
    running_ = false;
    if (rc != 0) kill_and_remove(dir_);
  }
  std::error_code ec;
  fs::remove_all(dir_, ec);
  dir_.clear();
  if (watchdog_pipe_ >= 0) {
    char q = 'q';
    (void)!::write(watchdog_pipe_, &q, 1);
    ::close(watchdog_pipe_);
    watchdog_pipe_ = -1;
  }
  if (watchdog_ > 0) {
    while (::waitpid(watchdog_, nullptr, 0) < 0 && errno == EINTR) {
    }
    watchdog_ = -1;
  }
}

TempCluster::~TempCluster() { stop(); }

std::string TempCluster::conninfo(const std::string& db) const {
  std::string info = "host=" + quote_conninfo(dir_) + " port=" + std::to_string(port_) + " user=postgres";
  return db.empty() ? info : info + " dbname=" + quote_conninfo(db);
}

std::string TempCluster::url(const std::string& db) const {
  return "postgresql://postgres@/" + db + "?host=" + dir_ + "&port=" + std::to_string(port_);
}

std::string TempCluster::create_database(const std::string& name) {
  pqxx::connection conn(conninfo());
  pqxx::nontransaction tx(conn);
  tx.exec("CREATE DATABASE " + tx.quote_name(name) + " TEMPLATE template0");
  return conninfo(name);
}

}  // namespace driftguard::db
