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

// A document whose streamed array is written element by element: the constructor writes the document up to the
// array, add() one element, finish() the rest of the document. What follows the array may differ between the
// document given to the constructor and the one given to finish() (a summary counted while the array was
// written); what precedes it must not.
class StreamedArray {
 public:
  StreamedArray(std::ostream& out, const nlohmann::ordered_json& doc) : out_(out) {
    std::string text = dump(doc);
    std::size_t at = marker_at(text);
    const std::size_t line = text.rfind('\n', at) == std::string::npos ? 0 : text.rfind('\n', at) + 1;
    indent_ = text.find_first_not_of(' ', line) - line;
    inner_.assign(indent_ + 3, ' ');  // "\n" and the indent (not `"\n" + std::string`: a false -Wrestrict at -O3)
    inner_[0] = '\n';
    out_ << std::string_view(text).substr(0, at);
  }
  void add(const nlohmann::ordered_json& element) {
    out_ << (first_ ? "[" : ",") << inner_;
    first_ = false;
    std::string e = dump(element);
    std::size_t from = 0;
    for (std::size_t nl = e.find('\n'); nl != std::string::npos; nl = e.find('\n', from)) {
      out_ << std::string_view(e).substr(from, nl - from) << inner_;
      from = nl + 1;
    }
    out_ << std::string_view(e).substr(from);
  }
  void finish(const nlohmann::ordered_json& doc) {
    if (first_) {
      out_ << "[]";
    } else {
      out_ << '\n' << std::string(indent_, ' ') << ']';
    }
    std::string text = dump(doc);
    out_ << std::string_view(text).substr(marker_at(text) + streamed_array().dump().size()) << "\n";
  }

 private:
  static std::string dump(const nlohmann::ordered_json& j) {
    return j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  static std::size_t marker_at(const std::string& text) { return text.find(streamed_array().dump()); }

  std::ostream& out_;
  std::size_t indent_ = 0;
  std::string inner_;
  bool first_ = true;
};

// Writes `doc` (with one streamed_array() placeholder, or being the placeholder) followed by a newline; `each(emit)`
// calls emit(element) for every element, in order.
template <class Each>
void dump_streaming(std::ostream& out, const nlohmann::ordered_json& doc, Each each) {
  StreamedArray array(out, doc);
  each([&](const nlohmann::ordered_json& element) { array.add(element); });
  array.finish(doc);
}

}  // namespace driftguard
