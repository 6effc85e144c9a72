// driftguard: PostgreSQL migration linter and schema-drift detector.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "analyzer/pgquery.hpp"
#include "cli/command.hpp"
#include "cli/report.hpp"

// One line per subcommand; each is defined in cli/cmd_*.cpp as add_<name>_command().
#define DRIFTGUARD_COMMANDS(X) \
  X(config)                    \
  X(drift)                     \
  X(explain)                   \
  X(install_hook)              \
  X(lint)                      \
  X(locks)                     \
  X(prisma_check)              \
  X(prisma_ddl)                \
  X(rollback)                  \
  X(rules)                     \
  X(schema)                    \
  X(status)                    \
  X(verify)

namespace driftguard {
#define DRIFTGUARD_DECLARE(name) void add_##name##_command(CLI::App& app, std::vector<CommandSpec>& out);
DRIFTGUARD_COMMANDS(DRIFTGUARD_DECLARE)
#undef DRIFTGUARD_DECLARE

bool use_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  const char* nc = std::getenv("NO_COLOR");
  if (nc && *nc) return false;
  return isatty(STDOUT_FILENO) != 0;
}
}  // namespace driftguard

int main(int argc, char** argv) {
  namespace dg = driftguard;
  CLI::App app{"driftguard: keeps PostgreSQL schema changes safe"};
  app.set_version_flag("--version", "driftguard " + std::string(dg::kVersion));
  app.require_subcommand(1);
  std::vector<dg::CommandSpec> commands;
#define DRIFTGUARD_ADD(name) dg::add_##name##_command(app, commands);
  DRIFTGUARD_COMMANDS(DRIFTGUARD_ADD)
#undef DRIFTGUARD_ADD

  int code = 0;
  try {
    app.parse(argc, argv);
    for (const auto& c : commands) {
      if (c.app->parsed()) code = c.run();
    }
  } catch (const CLI::ParseError& e) {
    code = app.exit(e);
    if (code != 0) code = 2;
  } catch (const std::exception& e) {
    std::cerr << "driftguard: error: " << e.what() << "\n";
    code = 2;
  }
  std::cout.flush();
  dg::pg::shutdown();
  return code;
}
