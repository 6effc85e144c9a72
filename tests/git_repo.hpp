// A temporary git repository for tests that run driftguard on real history (test_git.cpp,
// test_prisma_check.cpp): commits, branches, and the driftguard binary run inside it.
#pragma once

#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "tests/paths.hpp"
#include "tests/shell.hpp"

namespace dgtest {

namespace fs = std::filesystem;

// A fresh repository (branch main) with a private HOME so that no user or system git config applies.
class Repo {
 public:
  Repo() {
    std::string tmpl = (fs::temp_directory_path() / "driftguard_git_XXXXXX").string();
    REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
    dir_ = tmpl;
    sh("git init -q -b main .");
  }
  ~Repo() {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  const fs::path& dir() const { return dir_; }

  void write(const std::string& rel, const std::string& text) const {
    fs::create_directories((dir_ / rel).parent_path());
    std::ofstream(dir_ / rel, std::ios::binary) << text;
  }
  std::string read(const std::string& rel) const { return read_file(dir_ / rel); }
  // Runs a shell command in the repository; returns stdout, stderr and the exit code.
  Run run(const std::string& cmd) const {
    return run_shell("cd '" + dir_.string() + "' && export HOME='" + dir_.string() +
                     "' GIT_CONFIG_NOSYSTEM=1 GIT_AUTHOR_NAME=t GIT_AUTHOR_EMAIL=t@example.com "
                     "GIT_COMMITTER_NAME=t GIT_COMMITTER_EMAIL=t@example.com NO_COLOR=1 && (" +
                     cmd + ") < /dev/null");
  }
  // A command that must succeed.
  std::string sh(const std::string& cmd) const {
    auto r = run(cmd);
    INFO(cmd << "\n" << r.err);
    REQUIRE(r.code == 0);
    return r.out;
  }
  void commit(const std::string& msg) const { sh("git add -A && git commit -q -m '" + msg + "'"); }
  Run driftguard(const std::string& args) const {
    std::string cmd = "'";  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on `"'" + std::string&&`
    cmd += DRIFTGUARD_BINARY;
    cmd += "' ";
    cmd += args;
    return run(cmd);
  }

 private:
  fs::path dir_;
};

inline std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace dgtest
