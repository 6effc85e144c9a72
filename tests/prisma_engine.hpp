// Prisma's own schema engine as a test oracle: ../shared/tools/prisma-engine (the WebAssembly build Prisma 7 ships on
// npm, installed into ~/.cache on first use; scripts/install-deps.sh warms that cache). Every call spawns node
// (about 3 s), so tests batch their inputs and keep the number of calls bounded.
//
// Absent ../shared (a checkout on its own): the oracle tests are skipped with a message. Present but failing (no
// node, no npm registry, an engine error that is not about the schema): they fail.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "helpers.hpp"
#include "tests/shell.hpp"
#include "tests/pg_server.hpp"

namespace dgtest::prisma_engine {

namespace fs = std::filesystem;

// The engine's launcher, or "" when ../shared/tools is not beside the checkout.
inline std::string path() {
  fs::path p = fs::path(source_dir()) / ".." / "shared" / "tools" / "prisma-engine";
  return fs::exists(p) ? fs::canonical(p).string() : "";
}

// Why the oracle tests skip, printed once per test case.
inline bool available() {
  if (!path().empty()) return true;
  WARN("SKIPPED: Prisma's engine (../shared/tools/prisma-engine) is not beside this checkout; the Prisma oracle "
       "tests need it");
  return false;
}

inline void write_file(const fs::path& p, const std::string& s) {
  fs::create_directories(p.parent_path());
  std::ofstream out(p, std::ios::binary);
  out << s;
}

// A postgresql:// URL for node-postgres from a libpq key=value conninfo (the test server listens on a socket
// directory: host=/tmp/... goes into the query string).
inline std::string url(const std::string& conninfo) {
  std::map<std::string, std::string> kv;
  std::size_t i = 0;
  while (i < conninfo.size()) {
    while (i < conninfo.size() && conninfo[i] == ' ') ++i;
    std::size_t eq = conninfo.find('=', i);
    if (eq == std::string::npos) break;
    std::string key = conninfo.substr(i, eq - i);
    std::string value;
    i = eq + 1;
    if (i < conninfo.size() && conninfo[i] == '\'') {
      for (++i; i < conninfo.size() && conninfo[i] != '\''; ++i) {
        if (conninfo[i] == '\\' && i + 1 < conninfo.size()) ++i;
        value += conninfo[i];
      }
      ++i;
    } else {
      while (i < conninfo.size() && conninfo[i] != ' ') value += conninfo[i++];
    }
    kv[key] = value;
  }
  // Built by appending: GCC 12 at -O3 warns falsely (-Wrestrict) on `"literal" + std::string&&`.
  auto get = [&](const char* key, const char* fallback) { return kv.count(key) ? kv[key] : std::string(fallback); };
  const std::string host = get("host", "127.0.0.1");
  const bool socket = !host.empty() && host[0] == '/';
  std::string out = "postgresql://";
  out += get("user", "postgres");
  if (kv.count("password")) {
    out += ':';
    out += kv["password"];
  }
  out += '@';
  if (!socket) {
    out += host;
    if (kv.count("port")) {
      out += ':';
      out += kv["port"];
    }
  }
  out += '/';
  out += get("dbname", "postgres");
  if (socket) {
    out += "?host=";
    out += host;
    if (kv.count("port")) {
      out += "&port=";
      out += kv["port"];
    }
  }
  return out;
}

inline std::atomic<int>& calls() {
  static std::atomic<int> n{0};
  return n;
}

// Runs `prisma-engine ARGS...`; DATABASE_URL is the test server (the engine connects even for `sql`).
inline Run run(const std::vector<std::string>& args) {
  std::string cmd = "DATABASE_URL=" + shell_quote(url(pg::conninfo("postgres"))) + " " + shell_quote(path());
  for (const auto& a : args) {
    cmd += ' ';  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on `" " + std::string&&`
    cmd += shell_quote(a);
  }
  ++calls();
  Run r = run_shell(cmd + " < /dev/null");
  // The launcher's own failures (no node/npm, npm registry unreachable) are not answers about a schema.
  INFO(r.err);
  REQUIRE(r.err.find("prisma-engine: node and npm are needed") == std::string::npos);
  REQUIRE(r.err.find("could not install Prisma's schema engine") == std::string::npos);
  return r;
}

// The harnesses' seed and duration: a fixed seed and the bounded count of the suite, unless scripts/fuzz-prisma.sh
// sets DRIFTGUARD_FUZZ_SEED and DRIFTGUARD_FUZZ_SECONDS.
struct Fuzz {
  unsigned seed = 20261206u;
  double seconds = 0;  // 0: the suite's bounded run
};
inline Fuzz fuzz_settings() {
  Fuzz f;
  if (const char* s = std::getenv("DRIFTGUARD_FUZZ_SEED")) f.seed = static_cast<unsigned>(std::strtoul(s, nullptr, 10));
  if (const char* s = std::getenv("DRIFTGUARD_FUZZ_SECONDS")) f.seconds = std::strtod(s, nullptr);
  return f;
}

// A fresh temporary folder, removed with the object.
struct TempDir {
  fs::path dir;
  explicit TempDir(const std::string& tag) {
    static std::atomic<int> n{0};
    dir = fs::temp_directory_path() / ("dg_" + tag + "_" + std::to_string(::getpid()) + "_" + std::to_string(n++));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
};

}  // namespace dgtest::prisma_engine
