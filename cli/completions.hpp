// Shell completions (bash, zsh, fish) and the man page, generated from the CLI11 definition of the subcommands and
// their options, so that a new option is completed and documented without anyone editing a script
// (`driftguard completions SHELL`, `driftguard man`; installed by the packages, docs/install.md).
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <string>
#include <vector>

namespace driftguard {

struct CliOption {
  std::vector<std::string> names;    // "-h", "--help": short names first
  std::string value;                 // "" for a flag, else the value's type ("TEXT", "INT")
  std::vector<std::string> choices;  // the values an IsMember check allows, or words offered (rule ids)
  bool repeatable = false;
  std::string help;
};

struct CliCommand {
  std::string name;
  std::string help;
  std::string usage;                 // "[OPTIONS] paths..."
  std::vector<CliOption> options;
  bool has_positionals = false;
  std::vector<std::string> words;    // what the positionals take when not paths (rule ids, shells); else files
  std::string examples;              // the footer's examples, one command a line
};

struct CliDefinition {
  std::string name;
  std::string help;
  std::vector<CliOption> options;    // the program's own (-h, -V)
  std::vector<CliCommand> commands;  // in the order of `--help`, then `help`
};

// Words a value or positional takes where the definition has no IsMember check: called with the subcommand and
// the option's first long name (or the positional's name); empty: files.
using WordSource = std::function<std::vector<std::string>(const std::string& command, const std::string& name)>;

CliDefinition describe_cli(const CLI::App& app, const WordSource& words);

std::string bash_completion(const CliDefinition& cli);
std::string zsh_completion(const CliDefinition& cli);
std::string fish_completion(const CliDefinition& cli);
// driftguard.1 (roff, man(7) macros); `version` goes in the footer.
std::string man_page(const CliDefinition& cli, const std::string& version);

}  // namespace driftguard
