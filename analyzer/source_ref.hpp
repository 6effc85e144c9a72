// Where a schema object came from: a migration file position, or a schema.prisma position.
#pragma once

#include <string>

#include "analyzer/interned.hpp"

namespace driftguard {

// A file path held once per process (analyzer/interned.hpp): every object of a model built from one file points at
// the same copy, so a position costs 16 bytes and no allocation (a path string per column, index and constraint,
// twice per model in lint, was a fifth of lint's memory on generated histories; bench/RESULTS.md).
using InternedPath = Interned;

struct SourceRef {
  InternedPath file;  // as given (relative stays relative); empty when unknown (e.g. the live database)
  int line = 0;      // 1-based; 0 when unknown
  int column = 0;    // 1-based, in characters; 0 when unknown

  bool known() const { return !file.empty(); }
  std::string str() const {
    if (file.empty()) return "?";
    std::string s = file;
    // appends: GCC 12 at -O3 reports a false -Wrestrict inside `":" + std::string&&`
    if (line > 0) s.append(":").append(std::to_string(line));
    if (line > 0 && column > 0) s.append(":").append(std::to_string(column));
    return s;
  }
};

}  // namespace driftguard
