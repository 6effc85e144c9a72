#include "analyzer/finding.hpp"

namespace driftguard {

std::string_view to_string(Severity s) {
  switch (s) {
    case Severity::off:
      return "off";
    case Severity::info:
      return "info";
    case Severity::warning:
      return "warning";
    case Severity::error:
      return "error";
  }
  return "error";
}

std::optional<Severity> parse_severity(std::string_view s) {
  if (s == "off") return Severity::off;
  if (s == "info") return Severity::info;
  if (s == "warning" || s == "warn") return Severity::warning;
  if (s == "error") return Severity::error;
  return std::nullopt;
}

}  // namespace driftguard
