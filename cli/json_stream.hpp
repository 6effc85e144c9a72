// JSON reports written as they are produced: the document around a long array (findings, results, issues) is
// built as usual, with a placeholder where the array goes; the array's elements are then written one at a time.
// The bytes are those of dumping the whole document (indent 2), but only one element is held in memory.
#pragma once

#include <nlohmann/json.hpp>

#include <ostream>
#include <string>

namespace driftguard {

// The placeholder value for the streamed array in a document.
inline const nlohmann::ordered_json& streamed_array() {
  static const nlohmann::ordered_json marker = "\x01streamed array\x01";
  return marker;
}

// Writes `doc` (with one streamed_array() placeholder, or being the placeholder) followed by a newline; `each(emit)`
// calls emit(element) for every element, in order.
template <class Each>
void dump_streaming(std::ostream& out, const nlohmann::ordered_json& doc, Each each) {
  constexpr auto kReplace = nlohmann::json::error_handler_t::replace;
  const std::string text = doc.dump(2, ' ', false, kReplace);
  const std::string marker = streamed_array().dump();
  const std::size_t at = text.find(marker);
  const std::size_t line = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
  const std::size_t indent = text.find_first_not_of(' ', line) - line;
  out << std::string_view(text).substr(0, at);
  std::string inner(indent + 3, ' ');  // "\n" and the indent (not `"\n" + std::string`: a false -Wrestrict at -O3)
  inner[0] = '\n';
  bool first = true;
  each([&](const nlohmann::ordered_json& element) {
    out << (first ? "[" : ",") << inner;
    first = false;
    std::string e = element.dump(2, ' ', false, kReplace);
    std::size_t from = 0;
    for (std::size_t nl = e.find('\n'); nl != std::string::npos; nl = e.find('\n', from)) {
      out << std::string_view(e).substr(from, nl - from) << inner;
      from = nl + 1;
    }
    out << std::string_view(e).substr(from);
  });
  if (first) {
    out << "[]";
  } else {
    out << '\n' << std::string(indent, ' ') << ']';
  }
  out << std::string_view(text).substr(at + marker.size()) << "\n";
}

}  // namespace driftguard
