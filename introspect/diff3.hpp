// Three-way drift: three schema models (say schema.prisma, the migrations, the live database) compared pairwise
// with the differ, and each difference attributed to the source that disagrees with the other two ("in
// schema.prisma and in the live database, missing from the migrations"). Two sources agree on an object when
// their pair has no item for it (same path, same kind family: missing-X and extra-X are the family X).
#pragma once

#include <array>
#include <string>
#include <vector>

#include "introspect/diff.hpp"

namespace driftguard::diff {

struct Item3 {
  std::string family;  // "column-type", "table" (presence), "column" (presence), ...
  std::string path;
  std::array<Endpoint, 3> values;  // each source's value (present=false: the object is not there)
  std::array<bool, 3> known{};     // whether a value was seen for the source (always, when `odd` >= 0)
  int odd = -1;          // the source that disagrees with the two others; -1: no two agree, or only one pair differs
  bool all_differ = false;  // three different values
  // Only one pair differs (the object, or this property of it, is in two sources only): the third source, and
  // whether it lacks the object (or its table) rather than not defining this property (a schema.prisma view has
  // no query).
  int third = -1;
  bool third_absent = false;
  Severity severity = Severity::error;  // the highest of the pairwise items
  bool unmanaged = false;               // every pairwise item is unmanaged
  std::vector<std::string> kinds;       // the pairwise kinds, e.g. {"missing-column", "extra-column"}
  std::string message;                  // from the first pairwise item
};

struct Options3 {
  int prisma = -1;                   // the index of the source built from schema.prisma, or -1
  std::vector<std::string> ignore;
  std::set<std::string> prisma_any_default;  // as Options::prisma_any_default
};

// Items sorted by path, then family.
std::vector<Item3> diff3(const std::array<const model::SchemaModel*, 3>& sources, const Options3& opts = {});

// "column-type" -> "column-type"; "missing-column" / "extra-column" -> "column".
std::string family(const std::string& kind);

}  // namespace driftguard::diff
