// Subcommands: each lives in cli/cmd_<name>.cpp and registers itself with add_<name>_command(), listed in one
// place in main.cpp.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

namespace driftguard {

// A usage or configuration error: printed as "driftguard: error: ...", exit code 2.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CommandSpec {
  CLI::App* app;             // the subcommand
  std::function<int()> run;  // called when it was selected; returns the exit code
};

// Colour for text output: --color always|never, or auto: NO_COLOR, FORCE_COLOR, CLICOLOR_FORCE, CLICOLOR=0, TERM=dumb,
// then whether stdout is a terminal (docs/cli.md#colour).
bool use_color(const std::string& mode);

}  // namespace driftguard
