// Inline suppressions written in comments:
//   -- driftguard-ignore rule-a, rule-b [reason]     the next statement
//   -- driftguard-ignore-file [rule-a, rule-b]       the whole file (all rules when none is named)
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/pgquery.hpp"

namespace driftguard {

struct Directive {
  enum class Scope { next_statement, file };
  Scope scope = Scope::next_statement;
  Span comment;                    // the whole comment
  std::vector<std::string> rules;  // empty: every rule
  std::vector<Span> rule_spans;    // where each rule id is written
  std::string reason;
};

// Finds the directives in the given comments of `text`.
std::vector<Directive> parse_directives(std::string_view text, const std::vector<pg::Comment>& comments);

// True when the text may contain a directive (cheap pre-check that avoids scanning most files).
bool may_contain_directives(std::string_view text);

}  // namespace driftguard
