// driftguard install-hook: writes a plain git pre-commit hook that lints the staged migration files (the index).
// Refuses to replace an existing hook without --force; writes a temporary file and renames it into place.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/command.hpp"
#include "cli/git.hpp"
#include "cli/report.hpp"

namespace fs = std::filesystem;

namespace driftguard {

namespace {

std::string shell_quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// Migration files, as in .pre-commit-hooks.yaml (`files`): any migrations/ folder (Prisma, Supabase, ...), Flyway's
// db/migration, and up/down migrations. tests/test_git.cpp checks that the two agree.
constexpr const char* kMigrationRegex =
    R"((^|/)migrations?/.*\.sql$|\.(up|down)\.sql$|(^|/)(up|down)(\.sql$|/.*\.sql$))";

// The hook finds driftguard on PATH when it runs (not the binary that installed it, which may move or be a
// build tree) and lints the index (`lint --staged`), never the working tree: what is checked is what is committed.
std::string hook_text() {
  std::string text =
         "#!/bin/sh\n"
         "# driftguard pre-commit hook, written by `driftguard install-hook`.\n"
         "# Lints the staged migration files as staged (the git index, not the working tree), with the other staged\n"
         "# migrations of their folders as context; a finding at or above the fail threshold (driftguard.toml fail_on,\n"
         "# default error) blocks the commit. Skip once: git commit --no-verify.\n"
         "DRIFTGUARD=${DRIFTGUARD:-driftguard}\n"
         "if ! command -v \"$DRIFTGUARD\" >/dev/null 2>&1; then\n"
         "  echo \"driftguard: the pre-commit hook cannot find '$DRIFTGUARD' on PATH; install it (";
  // appended, not `"literal" + std::string` (a false -Wrestrict of GCC 12 at -O3)
  text += kDocsBase;
  text += "/docs/install.md) or set DRIFTGUARD=/path/to/driftguard\" >&2\n"
         "  exit 1\n"
         "fi\n"
         "git diff --cached --name-only --diff-filter=ACMR -z -- '*.sql' |\n"
         "  grep -z -E ";
  text += shell_quote(kMigrationRegex);
  text += " |\n"
         "  xargs -0 -r \"$DRIFTGUARD\" lint --staged || {\n"
         "    echo 'driftguard: commit blocked (see above); fix the migration or suppress the finding with a reason' >&2\n"
         "    exit 1\n"
         "  }\n";
  return text;
}

}  // namespace

void add_install_hook_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto force = std::make_shared<bool>(false);
  auto* sub = app.add_subcommand("install-hook", "Install a git pre-commit hook that lints staged migration files");
  sub->add_flag("--force", *force, "Replace an existing pre-commit hook");
  out.push_back({sub, [force] {
                   auto r = run_git(".", {"rev-parse", "--git-path", "hooks/pre-commit"});
                   if (r.code != 0) throw UsageError("install-hook: not in a git repository");
                   fs::path hook = r.out.substr(0, r.out.find('\n'));
                   std::error_code ec;
                   if (fs::exists(fs::symlink_status(hook, ec)) && !*force) {
                     throw UsageError("install-hook: " + hook.string() +
                                      " already exists; use --force to replace it (or call driftguard from it)");
                   }
                   fs::create_directories(hook.parent_path(), ec);
                   fs::path tmp = hook;
                   tmp += ".driftguard-" + std::to_string(::getpid());
                   {
                     std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
                     f << hook_text();
                     if (!f.flush()) throw UsageError("install-hook: cannot write " + tmp.string());
                   }
                   if (::chmod(tmp.c_str(), 0755) != 0 || std::rename(tmp.c_str(), hook.c_str()) != 0) {
                     std::string why = std::strerror(errno);
                     fs::remove(tmp, ec);
                     throw UsageError("install-hook: cannot install " + hook.string() + ": " + why);
                   }
                   std::cout << "driftguard: installed " << hook.string() << "\n";
                   return 0;
                 }});
}

}  // namespace driftguard
