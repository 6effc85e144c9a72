// driftguard rules / driftguard explain RULE
#include <iomanip>
#include <memory>
#include <string_view>
#include <iostream>

#include "cli/command.hpp"
#include "cli/suggest.hpp"
#include "cli/terminal.hpp"
#include "cli/presets.hpp"
#include "rules/docs.hpp"
#include "rules/registry.hpp"

namespace driftguard {

namespace {

// Every preset: its name and summary, then its TOML indented (what `preset = "NAME"` sets).
void print_presets() {
  bool first = true;
  for (const auto& p : presets()) {
    std::cout << (first ? "" : "\n") << p.name << ": " << p.summary << "\n";
    first = false;
    std::string_view toml = p.toml;
    while (!toml.empty()) {
      std::size_t nl = toml.find('\n');
      std::string_view line = toml.substr(0, nl);
      std::cout << (line.empty() ? "" : "    ") << line << "\n";
      toml.remove_prefix(nl == std::string_view::npos ? toml.size() : nl + 1);
    }
  }
}

}  // namespace

void add_rules_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto* sub = app.add_subcommand("rules", "List every rule: id, category, default severity, summary");
  auto show_presets = std::make_shared<bool>(false);
  sub->add_flag("--presets", *show_presets, "List the presets (preset = \"NAME\" in driftguard.toml) and what each sets");
  out.push_back({sub, [show_presets] {
                   if (*show_presets) {
                     print_presets();
                     return 0;
                   }
                   auto rules = make_all_rules();
                   std::size_t w = 0;
                   std::size_t wc = 0;
                   for (const auto& r : rules) {
                     w = std::max(w, r->info().id.size());
                     wc = std::max(wc, r->info().category.size());
                   }
                   for (const auto& r : rules) {
                     const auto& i = r->info();
                     std::cout << std::left << std::setw(static_cast<int>(w) + 2) << i.id
                               << std::setw(static_cast<int>(wc) + 2) << i.category << std::setw(9)
                               << to_string(i.severity) << i.summary << "\n";
                   }
                   return 0;
                 }});
}

void add_explain_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto id = std::make_shared<std::string>();
  auto color = std::make_shared<std::string>("auto");
  auto* sub = app.add_subcommand("explain", "Print a rule's documentation");
  sub->add_option("rule", *id, "Rule id")->required();
  sub->add_option("--color", *color, "Markdown rendered for the terminal: auto (see docs/cli.md#colour), always, never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  out.push_back({sub, [id, color] {
                   for (const auto& d : rule_docs()) {
                     if (d.id == *id) {
                       std::cout << render_markdown(d.markdown, use_color(*color));
                       return 0;
                     }
                   }
                   std::vector<std::string> ids;
                   for (const auto& d : rule_docs()) ids.emplace_back(d.id);
                   throw UsageError("unknown rule '" + *id + "'" + did_you_mean(*id, ids) + " (see `driftguard rules`)");
                 }});
}

}  // namespace driftguard
