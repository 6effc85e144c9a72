// A finding: one problem at one place in one file.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text.hpp"

namespace driftguard {

enum class Severity { off = 0, info = 1, warning = 2, error = 3 };

std::string_view to_string(Severity s);
std::optional<Severity> parse_severity(std::string_view s);

struct Span {
  std::size_t begin = 0;  // byte offsets into the file's text (BOM excluded)
  std::size_t end = 0;
};

struct Note {
  std::string message;
  std::optional<Span> span;
  Position start{};
  Position end{};
};

// A machine fix: byte-range edits of the file (offsets as stored on disk, like Finding::span after the engine).
struct Edit {
  Span span;  // replaced range; empty for an insertion
  std::string replacement;
};
struct Fix {
  std::string title;  // imperative, e.g. "add CONCURRENTLY"
  std::vector<Edit> edits;
};

struct Finding {
  std::string rule;
  std::string category;
  Severity severity = Severity::error;
  std::string file;
  Span span;
  Position start{};
  Position end{};
  std::string message;
  std::string help;
  std::vector<Note> notes;
  std::optional<Fix> fix;
};

}  // namespace driftguard
