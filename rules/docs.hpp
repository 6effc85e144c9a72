// Rule documentation pages, embedded at build time from docs/rules/*.md.
#pragma once

#include <string_view>
#include <vector>

namespace driftguard {

struct RuleDoc {
  std::string_view id;
  std::string_view markdown;
};

const std::vector<RuleDoc>& rule_docs();

}  // namespace driftguard
