// Building a finding outside a rule (the engine's own syntax-error and unused-ignore findings, and the findings
// of rules produced outside the engine such as incomplete-down-migration): severity, category and line/column are
// filled in later by the engine (Engine::lint, Engine::suppress) from the run's configuration.
#pragma once

#include <string>
#include <utility>

#include "analyzer/finding.hpp"

namespace driftguard {

inline Finding make_finding(std::string rule, std::string file, Span span, std::string message, std::string help) {
  Finding f;
  f.rule = std::move(rule);
  f.file = std::move(file);
  f.span = span;
  f.message = std::move(message);
  f.help = std::move(help);
  return f;
}

}  // namespace driftguard
