// driftguard: PostgreSQL migration linter and schema-drift detector.
#include <CLI/CLI.hpp>
#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <iostream>
#include <map>
#include <string_view>

#include "analyzer/pgquery.hpp"
#include "cli/command.hpp"
#include "cli/report.hpp"
#include "cli/suggest.hpp"

// `git describe --tags --always --dirty` as of the last build (cmake/GitVersion.cmake).
extern const char* const kDriftguardBuildVersion;

// One line per subcommand; each is defined in cli/cmd_*.cpp as add_<name>_command().
#define DRIFTGUARD_COMMANDS(X) \
  X(check_down)                \
  X(completions)               \
  X(config)                    \
  X(drift)                     \
  X(explain)                   \
  X(install_hook)              \
  X(lint)                      \
  X(locks)                     \
  X(man)                       \
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

namespace {
bool env_set(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr && *v != '\0';
}
bool env_is(const char* name, std::string_view value) {
  const char* v = std::getenv(name);
  return v != nullptr && value == v;
}
}  // namespace

// --color always|never wins; then NO_COLOR (no-color.org: the user's own choice), FORCE_COLOR / CLICOLOR_FORCE (set
// and not "0": CI logs that render colour), CLICOLOR=0 and TERM=dumb (off), else colour on a terminal only.
bool use_color(const std::string& mode) {
  if (mode == "always") return true;
  if (mode == "never") return false;
  if (env_set("NO_COLOR")) return false;
  for (const char* force : {"FORCE_COLOR", "CLICOLOR_FORCE"}) {
    if (env_set(force) && !env_is(force, "0")) return true;
  }
  if (env_is("CLICOLOR", "0") || env_is("TERM", "dumb")) return false;
  return isatty(STDOUT_FILENO) != 0;
}
}  // namespace driftguard

namespace {

// Shown at the end of each subcommand's --help (and `driftguard help SUBCOMMAND`).
const std::map<std::string, std::string> kExamples = {
    {"check-down", "  driftguard check-down db/migrations\n  driftguard check-down db/migrations --shadow\n"},
    {"completions",
     "  driftguard completions bash > ~/.local/share/bash-completion/completions/driftguard\n"
     "  driftguard completions zsh > \"${fpath[1]}/_driftguard\"\n"
     "  driftguard completions fish > ~/.config/fish/completions/driftguard.fish\n"},
    {"config", "  driftguard config --show\n  driftguard config --show db/migrations/0002_add_email.sql\n"},
    {"drift",
     "  driftguard drift --prisma prisma/schema.prisma --migrations prisma/migrations\n"
     "  driftguard drift --migrations prisma/migrations --database-url     # $DIRECT_URL, else $DATABASE_URL\n"},
    {"explain", "  driftguard explain ban-drop-column\n"},
    {"install-hook", "  driftguard install-hook\n"},
    {"lint",
     "  driftguard lint prisma/migrations\n"
     "  driftguard lint --changed-since origin/main --format github db/migrations\n"
     "  git show HEAD:db/0002.sql | driftguard lint - --stdin-filename db/0002.sql\n"},
    {"locks", "  driftguard locks supabase/migrations\n"},
    {"man", "  driftguard man | man -l -\n"},
    {"prisma-check", "  driftguard prisma-check --base origin/main\n"},
    {"prisma-ddl", "  driftguard prisma-ddl prisma/schema.prisma\n"},
    {"rollback", "  driftguard rollback 20240101000000_add_email --migrations prisma/migrations\n"},
    {"rules", "  driftguard rules\n  driftguard rules --presets\n"},
    {"schema", "  driftguard schema --from migrations:prisma/migrations\n"},
    {"status",
     "  driftguard status --migrations prisma/migrations                  # $DIRECT_URL, else $DATABASE_URL\n"
     "  driftguard status --migrations prisma/migrations --file prisma/migrations/20240101000000_init\n"},
    {"verify", "  driftguard verify --table public.profiles --rls public\n"},
};

std::vector<std::string> subcommand_names(CLI::App& app) {
  std::vector<std::string> names;
  for (const CLI::App* sub : app.get_subcommands({})) names.push_back(sub->get_name());
  return names;
}

CLI::App* subcommand(CLI::App& app, const std::string& name) {
  for (CLI::App* sub : app.get_subcommands({})) {
    if (sub->get_name() == name) return sub;
  }
  return nullptr;
}

// What CLI11 would only call "not expected", said with the closest name: an unknown subcommand, or an unknown
// --option of the subcommand (up to a `--` that ends the options). Throws UsageError.
void check_words(CLI::App& app, const std::vector<std::string>& args) {
  if (args.empty() || args[0].empty() || args[0][0] == '-') return;
  CLI::App* sub = subcommand(app, args[0]);
  if (sub == nullptr) {
    throw driftguard::UsageError("unknown command '" + args[0] + "'" +
                                 driftguard::did_you_mean(args[0], subcommand_names(app)) +
                                 " (see `driftguard --help`)");
  }
  for (std::size_t i = 1; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "--") break;
    if (a.size() <= 2 || a.rfind("--", 0) != 0) continue;
    std::string name = a.substr(0, a.find('='));
    if (name == "--help" || sub->get_option_no_throw(name) != nullptr) continue;
    std::vector<std::string> known;
    for (const CLI::Option* opt : sub->get_options()) {
      for (const auto& l : opt->get_lnames()) known.push_back("--" + l);
    }
    throw driftguard::UsageError("unknown option '" + name + "' for '" + args[0] + "'" +
                                 driftguard::did_you_mean(name, known) + " (see `driftguard help " + args[0] + "`)");
  }
}

int run(int argc, char** argv) {
  namespace dg = driftguard;
  CLI::App app{"driftguard: keeps PostgreSQL schema changes safe", "driftguard"};
  app.set_version_flag("-V,--version", "driftguard " + std::string(kDriftguardBuildVersion));
  app.require_subcommand(1);
  app.footer("Run `driftguard help SUBCOMMAND` for a subcommand's options and examples.");
  std::vector<dg::CommandSpec> commands;
  // A run defines only the subcommand it names: defining every subcommand's options was a fifth of a one-file
  // lint's instructions, paid by every pre-commit call (bench/RESULTS.md, "eleventh session: start-up"). `help`,
  // `completions` and `man` describe them all, and a word that names none needs them all for its message.
  const std::string first = argc > 1 ? argv[1] : "";
  auto command_name = [](std::string id) {
    std::replace(id.begin(), id.end(), '_', '-');
    return id;
  };
  bool only_first = false;
#define DRIFTGUARD_NAMES(name) only_first = only_first || command_name(#name) == first;
  DRIFTGUARD_COMMANDS(DRIFTGUARD_NAMES)
#undef DRIFTGUARD_NAMES
  only_first = only_first && first != "completions" && first != "man";
#define DRIFTGUARD_ADD(name) \
  if (!only_first || command_name(#name) == first) dg::add_##name##_command(app, commands);
  DRIFTGUARD_COMMANDS(DRIFTGUARD_ADD)
#undef DRIFTGUARD_ADD
  for (CLI::App* sub : app.get_subcommands({})) {
    auto it = kExamples.find(sub->get_name());
    if (it != kExamples.end()) sub->footer("Examples:\n" + it->second);
  }

  int code = 0;
  try {
    std::vector<std::string> args(argv + std::min(argc, 1), argv + argc);
    if (!args.empty() && args[0] == "help") {  // `driftguard help [SUBCOMMAND]`
      if (args.size() == 1) {
        std::cout << app.help();
        return 0;
      }
      CLI::App* sub = subcommand(app, args[1]);
      if (sub == nullptr) {
        throw dg::UsageError("unknown command '" + args[1] + "'" + dg::did_you_mean(args[1], subcommand_names(app)) +
                             " (see `driftguard --help`)");
      }
      std::cout << sub->help("driftguard");
      return 0;
    }
    check_words(app, args);
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
