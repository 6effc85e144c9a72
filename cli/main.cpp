// driftguard: PostgreSQL migration linter and schema-drift detector.
#include <CLI/CLI.hpp>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstdlib>
#include <iostream>

#include "analyzer/pgquery.hpp"
#include "cli/command.hpp"
#include "cli/report.hpp"

// One line per subcommand; each is defined in cli/cmd_*.cpp as add_<name>_command().
#define DRIFTGUARD_COMMANDS(X) \
  X(check_down)                \
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

namespace {

int run(int argc, char** argv) {
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
  return code;
}

// The program runs on a thread with a large stack. Statements PostgreSQL still accepts can nest deep (a chain of
// ~4,000 operators is ~8,000 levels of tree), and their trees are copied and walked recursively: more than the main
// thread's 8 MB under the sanitizers. The stack is reserved, not committed (untouched pages cost nothing), with a
// guard page below it.
constexpr std::size_t kStackBytes = std::size_t{1} << 30;

struct Call {
  int argc;
  char** argv;
  int code;
};

// libpg_query frees a thread's memory contexts itself when the thread ends (pg::shutdown there would free them
// twice).
void* run_call(void* p) {
  auto* c = static_cast<Call*>(p);
  c->code = run(c->argc, c->argv);
  return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
  Call call{argc, argv, 2};
  void* stack = mmap(nullptr, kStackBytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK,
                     -1, 0);
  if (stack != MAP_FAILED) {
    mprotect(stack, static_cast<std::size_t>(sysconf(_SC_PAGESIZE)), PROT_NONE);
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstack(&attr, stack, kStackBytes);
    pthread_t thread;
    bool started = pthread_create(&thread, &attr, &run_call, &call) == 0;
    pthread_attr_destroy(&attr);
    if (started) {
      pthread_join(thread, nullptr);
      munmap(stack, kStackBytes);
      return call.code;
    }
    munmap(stack, kStackBytes);
  }
  // No such thread could be made: the main thread's stack, and libpg_query's memory released by hand.
  int code = run(argc, argv);
  driftguard::pg::shutdown();
  return code;
}
