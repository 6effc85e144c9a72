// Shell completions and the man page (cli/completions.cpp) against the command-line definition as `--help` prints
// it: every subcommand and every option of each is completed by bash, zsh and fish themselves, and documented in a
// man page that groff renders without a warning. An option added to the CLI is in all of them, or these fail.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "tests/paths.hpp"
#include "helpers.hpp"
#include "shell.hpp"

namespace fs = std::filesystem;
using dgtest::Run;
using dgtest::shell_quote;

namespace {

Run run_driftguard(const std::string& args) {
  return dgtest::run_shell("NO_COLOR=1 " + shell_quote(DRIFTGUARD_BINARY) + " " + args + " < /dev/null");
}

std::vector<std::string> lines_of(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::set<std::string> set_of(const std::string& s) {
  auto l = lines_of(s);
  return {l.begin(), l.end()};
}

// The subcommands `driftguard --help` lists.
std::vector<std::string> help_subcommands() {
  std::vector<std::string> names;
  bool in = false;
  for (const auto& line : lines_of(run_driftguard("--help").out)) {
    if (line == "Subcommands:") {
      in = true;
    } else if (in && line.rfind("  ", 0) == 0 && line.size() > 2 && line[2] != ' ') {
      names.push_back(line.substr(2, line.find(' ', 2) - 2));
    } else if (in && line.empty()) {
      break;
    }
  }
  return names;
}

// The option names (-h, --help, --format, ...) `driftguard SUB --help` lists under "Options:".
std::set<std::string> help_options(const std::string& sub) {
  std::set<std::string> names;
  bool in = false;
  for (const auto& line : lines_of(run_driftguard(sub + " --help").out)) {
    if (line == "Options:") {
      in = true;
    } else if (in && line.rfind("  -", 0) == 0) {
      std::stringstream spec(line.substr(2, line.find(' ', 2) - 2));
      for (std::string n; std::getline(spec, n, ',');) names.insert(n);
    } else if (in && line.empty()) {
      break;
    }
  }
  return names;
}

// The scripts `driftguard completions SHELL` prints, in a folder removed with the object.
struct Generated {
  fs::path dir = fs::temp_directory_path() / ("driftguard_completions_" + std::to_string(::getpid()));
  Generated() { fs::create_directories(dir); }
  ~Generated() { fs::remove_all(dir); }
  fs::path file(const std::string& shell) {
    fs::path p = dir / ("driftguard." + shell);
    if (!fs::exists(p)) {
      Run r = run_driftguard("completions " + shell);
      REQUIRE(r.code == 0);
      REQUIRE(r.err.empty());
      std::ofstream(p) << r.out;
    }
    return p;
  }
};

// The source folder, where the files-or-not checks complete: it has files and folders.
std::string in_source() { return "cd " + shell_quote(dgtest::source_dir()) + " && "; }

// What bash's completion function offers for a command line whose last word is being completed.
std::string bash_complete(const fs::path& script, const std::vector<std::string>& words) {
  std::string array;
  for (const auto& w : words) {
    array += ' ';  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on `" " + std::string&&`
    array += shell_quote(w);
  }
  std::string body = "source " + shell_quote(script.string()) + "; COMP_WORDS=(" + array +
                     "); COMP_CWORD=" + std::to_string(words.size() - 1) +
                     "; _driftguard; printf '%s\\n' \"${COMPREPLY[@]}\" | sort";
  Run r = dgtest::run_shell(in_source() + "bash --norc --noprofile -c " + shell_quote(body) + " < /dev/null");
  REQUIRE(r.code == 0);
  REQUIRE(r.err.empty());
  return r.out == "\n" ? "" : r.out;
}

// What fish offers for a command line (`complete -C`): the candidates, without their descriptions.
std::set<std::string> fish_complete(const fs::path& script, const std::string& line) {
  Run r = dgtest::run_shell(in_source() + "fish --no-config -c " +
                            shell_quote("source " + shell_quote(script.string()) + "; complete -C" + shell_quote(line)) +
                            " < /dev/null");
  REQUIRE(r.code == 0);
  REQUIRE(r.err.empty());
  std::set<std::string> out;
  for (const auto& l : lines_of(r.out)) out.insert(l.substr(0, l.find('\t')));
  return out;
}

}  // namespace

TEST_CASE("bash completes every subcommand, every option of each as --help lists it, and option values",
          "[completions]") {
  Generated g;
  fs::path bash = g.file("bash");
  Run loaded = dgtest::run_shell("bash --norc --noprofile -c " +
                                 shell_quote("source " + shell_quote(bash.string()) + "; complete -p driftguard") +
                                 " < /dev/null");
  CHECK(loaded.out == "complete -o filenames -F _driftguard driftguard\n");
  CHECK(loaded.err.empty());

  std::vector<std::string> subs = help_subcommands();
  REQUIRE(subs.size() == 16);
  std::set<std::string> expected(subs.begin(), subs.end());
  expected.insert("help");
  CHECK(set_of(bash_complete(bash, {"driftguard", ""})) == expected);
  CHECK(bash_complete(bash, {"driftguard", "-"}) == "--help\n--version\n-V\n-h\n");
  for (const auto& sub : subs) {
    INFO(sub);
    std::set<std::string> options = help_options(sub);
    CHECK(options.count("--help") == 1);
    CHECK(set_of(bash_complete(bash, {"driftguard", sub, "-"})) == options);
  }

  CHECK(bash_complete(bash, {"driftguard", "lint", "--format", "j"}) == "json\njunit\n");
  CHECK(bash_complete(bash, {"driftguard", "lint", "--format", "=", "g"}) == "gcc\ngithub\ngitlab\n");
  CHECK(bash_complete(bash, {"driftguard", "lint", "--fail-on", ""}) == "error\ninfo\nwarning\n");
  CHECK(bash_complete(bash, {"driftguard", "lint", "--pg-version", ""}).empty());
  CHECK(set_of(bash_complete(bash, {"driftguard", "lint", "--format", "json", "--"})).count("--fail-on") == 1);
  CHECK(bash_complete(bash, {"driftguard", "lint", "--rule", "ban-drop-tab"}) == "ban-drop-table\n");
  CHECK(bash_complete(bash, {"driftguard", "lint", "--exclude-rule", "idem"}) == "idempotency\n");
  CHECK(bash_complete(bash, {"driftguard", "explain", "ban-drop-col"}) == "ban-drop-column\n");
  CHECK(bash_complete(bash, {"driftguard", "completions", ""}) == "bash\nfish\nzsh\n");
  CHECK(bash_complete(bash, {"driftguard", "help", "pri"}) == "prisma-check\nprisma-ddl\n");
  CHECK(bash_complete(bash, {"driftguard", "rules", ""}).empty());  // takes no path
  // a path positional: files, as the shell lists them
  std::string here = "cd " + shell_quote(dgtest::source_dir()) + "; ";
  Run files = dgtest::run_shell("bash --norc --noprofile -c " +
                                shell_quote(here + "source " + shell_quote(bash.string()) +
                                            "; COMP_WORDS=(driftguard lint exa); COMP_CWORD=2; _driftguard; "
                                            "printf '%s\\n' \"${COMPREPLY[@]}\"") +
                                " < /dev/null");
  CHECK(files.out == "examples\n");
  CHECK(bash_complete(bash, {"driftguard", "lint", "--config", "exa"}) == "examples\n");
  // a URL (it may hold a password) or a duration is typed: no file is offered
  CHECK(bash_complete(bash, {"driftguard", "drift", "--database-url", ""}).empty());
  CHECK(bash_complete(bash, {"driftguard", "status", "--database-url", "=", ""}).empty());
  CHECK(bash_complete(bash, {"driftguard", "lint", "--docs-url", ""}).empty());
  CHECK(bash_complete(bash, {"driftguard", "verify", "--connect-timeout", ""}).empty());
}

TEST_CASE("fish completes every subcommand and every option of each as --help lists it", "[completions]") {
  Generated g;
  fs::path fish = g.file("fish");
  std::vector<std::string> subs = help_subcommands();
  std::set<std::string> expected(subs.begin(), subs.end());
  expected.insert("help");
  CHECK(fish_complete(fish, "driftguard ") == expected);
  for (const auto& sub : subs) {
    INFO(sub);
    std::set<std::string> options = help_options(sub);
    std::set<std::string> got = fish_complete(fish, "driftguard " + sub + " -");
    std::set<std::string> got_long = fish_complete(fish, "driftguard " + sub + " --");
    got.insert(got_long.begin(), got_long.end());
    CHECK(got == options);
  }
  CHECK(fish_complete(fish, "driftguard lint --format j") == std::set<std::string>{"json", "junit"});
  CHECK(fish_complete(fish, "driftguard status --format n") == std::set<std::string>{"names"});
  CHECK(fish_complete(fish, "driftguard explain ban-drop-tab") == std::set<std::string>{"ban-drop-table"});
  CHECK(fish_complete(fish, "driftguard completions ") == std::set<std::string>{"bash", "fish", "zsh"});
  CHECK(fish_complete(fish, "driftguard lint --config exa") == std::set<std::string>{"examples/"});
  // a URL (it may hold a password) or a duration is typed: no file is offered
  CHECK(fish_complete(fish, "driftguard drift --database-url ").empty());
  CHECK(fish_complete(fish, "driftguard status --database-url=").empty());
  CHECK(fish_complete(fish, "driftguard lint --docs-url ").empty());
  CHECK(fish_complete(fish, "driftguard verify --connect-timeout ").empty());
}

// An interactive zsh in a pseudo-terminal (zpty) loads the completion from fpath folder $1; TAB is pressed after the
// line $2, and the candidates of every compadd call (the words after its "-") are written to $3, then the number of
// matches zsh kept (files too, which compadd gets by array name) to $3.done.
const char* const kZshCapture = R"(zmodload zsh/zpty
zpty z zsh -f -i
zpty -w z "fpath=(${(q)1} \$fpath); autoload -Uz compinit; compinit -u -D"
zpty -w z "compadd() { local a seen=0; for a in \"\$@\"; do if (( seen )); then print -r -- \$a; elif [[ \$a == - ]]; then seen=1; fi; done >> ${(q)3}; builtin compadd \"\$@\" }"
zpty -w z "comppostfuncs=(__done); __done() { print -r -- \$compstate[nmatches] > ${(q)3}.done }"
zpty -w -n z "$2"$'\t'
for i in {1..300}; do
  [[ -e $3.done ]] && break
  sleep 0.1
done
zpty -d z
)";

TEST_CASE("zsh completes every subcommand and every option of each as --help lists it", "[completions]") {
  Generated g;
  fs::path zsh = g.file("zsh");
  Run syntax = dgtest::run_shell("zsh -n " + shell_quote(zsh.string()) + " < /dev/null");
  CHECK(syntax.code == 0);
  CHECK(syntax.err.empty());
  // compinit finds it in fpath by its #compdef line, as a user's shell does
  fs::path fpath = g.dir / "fpath";
  fs::create_directories(fpath);
  fs::copy_file(zsh, fpath / "_driftguard");
  fs::path capture = g.dir / "capture.zsh";
  std::ofstream(capture) << kZshCapture;
  int n = 0;
  auto run = [&](const std::string& line) {
    fs::path out = g.dir / ("zsh_" + std::to_string(n++));
    Run r = dgtest::run_shell(in_source() + "zsh -f " + shell_quote(capture.string()) + " " + shell_quote(fpath.string()) + " " +
                              shell_quote(line) + " " + shell_quote(out.string()) + " < /dev/null");
    REQUIRE(r.code == 0);
    REQUIRE(fs::exists(out.string() + ".done"));
    return out;
  };
  auto complete = [&](const std::string& line) { return set_of(dgtest::read_file(run(line))); };
  auto matches = [&](const std::string& line) { return dgtest::read_file(run(line).string() + ".done"); };
  std::vector<std::string> subs = help_subcommands();
  std::set<std::string> expected(subs.begin(), subs.end());
  expected.insert("help");
  CHECK(complete("driftguard ") == expected);
  for (const auto& sub : subs) {
    INFO(sub);
    // the candidates given to compadd before zsh matches them against the "-" typed (a subcommand with words for
    // its positionals offers those too): the options are those that start with "-"
    std::set<std::string> options;
    for (const auto& w : complete("driftguard " + sub + " -")) {
      if (w.rfind('-', 0) == 0) options.insert(w);
    }
    CHECK(options == help_options(sub));
  }
  CHECK(matches("driftguard lint --config exa") == "1\n");  // examples/
  // a URL (it may hold a password) or a duration is typed: no file is offered
  CHECK(matches("driftguard drift --database-url ") == "0\n");
  CHECK(matches("driftguard status --database-url=") == "0\n");
  CHECK(matches("driftguard lint --docs-url ") == "0\n");
  CHECK(matches("driftguard verify --connect-timeout ") == "0\n");
}

TEST_CASE("the man page documents every subcommand and option, and renders without a warning", "[completions]") {
  Run page = run_driftguard("man");
  REQUIRE(page.code == 0);
  Generated g;
  fs::path file = g.dir / "driftguard.1";
  std::ofstream(file) << page.out;
  Run groff = dgtest::run_shell("groff -man -Tutf8 -ww -z " + shell_quote(file.string()) + " < /dev/null");
  CHECK(groff.code == 0);
  CHECK(groff.err.empty());
  Run man = dgtest::run_shell("MANWIDTH=100 man --warnings -P cat -l " + shell_quote(file.string()) + " < /dev/null");
  CHECK(man.code == 0);
  CHECK(man.err.empty());
  CHECK(man.out.find("driftguard - PostgreSQL migration linter and schema-drift detector") != std::string::npos);
  for (const auto& sub : help_subcommands()) {
    INFO(sub);
    // the subcommand's heading, then each of its options as the user types it (hyphen-minus, not a dash)
    std::size_t at = man.out.find("\n   driftguard " + sub + "\n");
    REQUIRE(at != std::string::npos);
    std::size_t end = man.out.find("\n   driftguard ", at + 1);
    std::string section = man.out.substr(at, end - at);
    for (const auto& opt : help_options(sub)) CHECK(section.find(opt) != std::string::npos);
  }
}

TEST_CASE("the build writes the completions and the man page where the packages install them from",
          "[completions]") {
  fs::path share = fs::path(DRIFTGUARD_BINARY).parent_path().parent_path() / "share";
  CHECK(dgtest::read_file(share / "bash-completion" / "completions" / "driftguard") ==
        run_driftguard("completions bash").out);
  CHECK(dgtest::read_file(share / "zsh" / "vendor-completions" / "_driftguard") == run_driftguard("completions zsh").out);
  CHECK(dgtest::read_file(share / "fish" / "vendor_completions.d" / "driftguard.fish") ==
        run_driftguard("completions fish").out);
  CHECK(dgtest::read_file(share / "man" / "man1" / "driftguard.1") == run_driftguard("man").out);
}
