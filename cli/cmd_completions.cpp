// driftguard completions bash|zsh|fish / driftguard man: generated from the command-line definition
// (cli/completions.cpp); the build writes them into share/ and the packages install them (docs/install.md).
#include <iostream>
#include <memory>
#include <set>

#include "cli/command.hpp"
#include "cli/completions.hpp"
#include "rules/registry.hpp"

// `git describe --tags --always --dirty` as of the last build (cmake/GitVersion.cmake).
extern const char* const kDriftguardBuildVersion;

namespace driftguard {

namespace {

// Rule ids wherever a rule is named; categories too where a category selects its rules.
std::vector<std::string> rule_words(const std::string& command, const std::string& name) {
  bool ids = (command == "explain" && name == "rule");
  bool ids_and_categories = name == "--rule" || name == "--exclude-rule";
  if (!ids && !ids_and_categories) return {};
  std::vector<std::string> words;
  std::set<std::string> categories;
  for (const auto& r : make_all_rules()) {
    words.emplace_back(r->info().id);
    categories.emplace(r->info().category);
  }
  if (ids_and_categories) words.insert(words.end(), categories.begin(), categories.end());
  return words;
}

}  // namespace

void add_completions_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto* sub = app.add_subcommand("completions", "Print the shell completion script for bash, zsh or fish");
  auto shell = std::make_shared<std::string>();
  sub->add_option("shell", *shell, "The shell")->required()->check(CLI::IsMember({"bash", "zsh", "fish"}));
  // The root app outlives the run: the script is made from every subcommand, added by then.
  out.push_back({sub, [&app, shell] {
                   CliDefinition cli = describe_cli(app, rule_words);
                   if (*shell == "bash") std::cout << bash_completion(cli);
                   if (*shell == "zsh") std::cout << zsh_completion(cli);
                   if (*shell == "fish") std::cout << fish_completion(cli);
                   return 0;
                 }});
}

void add_man_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto* sub = app.add_subcommand("man", "Print the manual page (roff), e.g. for `man -l -`");
  out.push_back({sub, [&app] {
                   std::cout << man_page(describe_cli(app, rule_words), kDriftguardBuildVersion);
                   return 0;
                 }});
}

}  // namespace driftguard
