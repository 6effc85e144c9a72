// Issue 16: `driftguard --version` follows git describe at build time. cmake/GitVersion.cmake runs at every build
// (target driftguard_version) and rewrites generated/version.cpp only when the describe changes; here it runs on a
// scratch repository as the build runs it, through new commits, a tag, an uncommitted change and an override.
#include <catch2/catch.hpp>

#include <chrono>
#include <filesystem>

#include "tests/paths.hpp"
#include "git_repo.hpp"
#include "helpers.hpp"

namespace fs = std::filesystem;

namespace {
struct Generated {
  std::string version;   // version.txt
  std::string package;   // package-version.txt
  std::string cpp;       // version.cpp
};

Generated run_script(const dgtest::Repo& repo, const fs::path& out, const std::string& override_version = "") {
  std::string cmd = "cmake -DSOURCE_DIR=. -DBINARY_DIR=";  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on
  cmd += dgtest::shell_quote(out.string());                 // `"literal" + std::string&&`
  cmd += " -DPROJECT_VERSION=0.1.0 -DOVERRIDE=";
  cmd += dgtest::shell_quote(override_version);
  cmd += " -P ";
  cmd += dgtest::shell_quote(dgtest::source_dir() + "/cmake/GitVersion.cmake");
  repo.sh(cmd);
  return {dgtest::trim(dgtest::read_file(out / "generated" / "version.txt")),
          dgtest::trim(dgtest::read_file(out / "generated" / "package-version.txt")),
          dgtest::read_file(out / "generated" / "version.cpp")};
}
}  // namespace

TEST_CASE("the version follows git describe at every build, and an unchanged one rewrites nothing", "[cli][version]") {
  dgtest::Repo repo;
  fs::path out = repo.dir() / "build";
  repo.write(".gitignore", "build/\n");
  repo.write("a.sql", "SELECT 1;\n");
  repo.commit("one");
  std::string first = dgtest::trim(repo.sh("git rev-parse --short HEAD"));
  Generated g = run_script(repo, out);
  CHECK(g.version == first);
  CHECK(g.package == "0.1.0+g" + first);
  CHECK(g.cpp.find("const char* const kDriftguardBuildVersion = \"" + first + "\";\n") != std::string::npos);

  // The same describe: no file is rewritten (so the build recompiles nothing).
  const fs::path cpp = out / "generated" / "version.cpp";
  const auto old = fs::file_time_type::clock::now() - std::chrono::hours(24);
  for (const char* f : {"version.cpp", "version.txt", "package-version.txt"}) fs::last_write_time(out / "generated" / f, old);
  run_script(repo, out);
  for (const char* f : {"version.cpp", "version.txt", "package-version.txt"}) {
    INFO(f);
    CHECK(fs::last_write_time(out / "generated" / f) == old);
  }

  // A new commit: the next build reports it (configure-time describe would have stayed at the first).
  repo.write("b.sql", "SELECT 2;\n");
  repo.commit("two");
  std::string second = dgtest::trim(repo.sh("git rev-parse --short HEAD"));
  REQUIRE(second != first);
  g = run_script(repo, out);
  CHECK(g.version == second);
  CHECK(fs::last_write_time(cpp) != old);
  CHECK(g.cpp.find("\"" + second + "\"") != std::string::npos);

  // A tag, commits after it, and an uncommitted change.
  repo.sh("git tag -a v0.2.0 -m v0.2.0");
  CHECK(run_script(repo, out).version == "v0.2.0");
  CHECK(run_script(repo, out).package == "0.2.0");
  repo.write("c.sql", "SELECT 3;\n");
  repo.commit("three");
  std::string third = dgtest::trim(repo.sh("git rev-parse --short HEAD"));
  g = run_script(repo, out);
  CHECK(g.version == "v0.2.0-1-g" + third);
  CHECK(g.package == "0.2.0-1-g" + third);
  repo.write("c.sql", "SELECT 4;\n");
  CHECK(run_script(repo, out).version == "v0.2.0-1-g" + third + "-dirty");

  // A packager's version wins over the describe.
  g = run_script(repo, out, "v9.9.9");
  CHECK(g.version == "v9.9.9");
  CHECK(g.package == "9.9.9");
}

TEST_CASE("the packages take their version from the file the build writes with the binary's", "[cli][version]") {
  // (test_cli.cpp checks that the binary reports generated/version.txt.) CPack reads the package version when it
  // packages, not when CMake configured.
  fs::path generated = fs::path(DRIFTGUARD_BINARY).parent_path().parent_path() / "generated";
  REQUIRE_FALSE(dgtest::trim(dgtest::read_file(generated / "package-version.txt")).empty());
  CHECK(dgtest::read_file(generated / "CPackVersion.cmake") ==
        "file(STRINGS \"" + generated.string() + "/package-version.txt\" CPACK_PACKAGE_VERSION LIMIT_COUNT 1)\n");
}
