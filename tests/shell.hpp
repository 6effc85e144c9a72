// Small test utilities shared by the suites that read files and run commands (the driftguard binary, git,
// Prisma's engine, psql): one implementation of each.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

namespace dgtest {

// A whole file as bytes ("" when it cannot be read).
inline std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `s` as one single-quoted shell word.
inline std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

struct Run {
  std::string out;
  std::string err;
  int code = -1;
};

// Runs a shell command line (it inherits stdin: redirect it in `cmd` when the command must not read it); stdout and
// stderr apart, and the exit code (128 + signal if killed).
inline Run run_shell(const std::string& cmd) {
  static std::atomic<int> n{0};
  std::filesystem::path err_file = std::filesystem::temp_directory_path() /
                                   ("driftguard_test_" + std::to_string(::getpid()) + "_" + std::to_string(n++) +
                                    ".stderr");
  Run r;
  FILE* p = ::popen((cmd + " 2> " + shell_quote(err_file.string())).c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[4096];
  std::size_t got;
  while ((got = std::fread(buf, 1, sizeof buf, p)) > 0) r.out.append(buf, got);
  int status = ::pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  r.err = read_file(err_file);
  std::filesystem::remove(err_file);
  return r;
}

}  // namespace dgtest
