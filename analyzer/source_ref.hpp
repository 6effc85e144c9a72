// Where a schema object came from: a migration file position, or a schema.prisma position.
#pragma once

#include <string>

namespace driftguard {

struct SourceRef {
  std::string file;  // as given (relative stays relative); empty when unknown (e.g. the live database)
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
