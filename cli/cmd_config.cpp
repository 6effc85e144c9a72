// driftguard config --show [PATH]: the effective configuration for a path (the nearest driftguard.toml above it,
// or --config, over the built-in defaults), with every rule's effective severity.
#include <iostream>

#include "cli/command.hpp"
#include "cli/config.hpp"

namespace driftguard {

void add_config_command(CLI::App& app, std::vector<CommandSpec>& out) {
  struct Options {
    bool show = false;
    std::string path = ".";
    std::string config;
  };
  auto o = std::make_shared<Options>();
  auto* sub = app.add_subcommand("config", "Show the effective configuration (driftguard.toml) for a path");
  sub->add_flag("--show", o->show, "Print the effective configuration as TOML")->required();
  sub->add_option("path", o->path, "A file or folder (default: the current folder)");
  sub->add_option("--config", o->config, "Use this driftguard.toml instead of the nearest one");
  out.push_back({sub, [o] {
                   ConfigSet configs(o->config.empty() ? std::nullopt : std::optional<std::string>(o->config), {});
                   print_config(std::cout, configs.for_path(o->path), o->path);
                   return 0;
                 }});
}

}  // namespace driftguard
