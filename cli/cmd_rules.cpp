// driftguard rules / driftguard explain RULE
#include <iomanip>
#include <iostream>

#include "cli/command.hpp"
#include "rules/docs.hpp"
#include "rules/registry.hpp"

namespace driftguard {

void add_rules_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto* sub = app.add_subcommand("rules", "List every rule: id, category, default severity, summary");
  out.push_back({sub, [] {
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
  auto* sub = app.add_subcommand("explain", "Print a rule's documentation");
  sub->add_option("rule", *id, "Rule id")->required();
  out.push_back({sub, [id] {
                   for (const auto& d : rule_docs()) {
                     if (d.id == *id) {
                       std::cout << d.markdown;
                       return 0;
                     }
                   }
                   throw UsageError("unknown rule '" + *id + "' (see `driftguard rules`)");
                 }});
}

}  // namespace driftguard
