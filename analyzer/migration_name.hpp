// The version at the start of a migration's name (analyzer/source.cpp's classify).
#pragma once

#include <string>
#include <utility>

namespace driftguard {

// Leading version of a migration name: digits, optionally prefixed by V/v (Flyway) and joined by '_' or '.'
// when more digits follow (V1_2__x), then `__`, `_`, `-`, `.` or the end. Returns the version and the rest of the
// name; {"", stem} when the name starts with no version. What RE2's FullMatch of
// `^([Vv]?\d+(?:[._]\d+)*)(?:__?|-|\.|$)(.*)$` captures (kVersionPattern): a scan of the name for the names it
// can answer exactly (ASCII without a line break or NUL), that expression for the others.
std::pair<std::string, std::string> split_version(const std::string& stem);

// The parts of a path that classify reads, as std::filesystem::path names them: split by hand where that is plain
// (no empty component, no trailing '/'), else by std::filesystem::path. classify reads each path several times a
// run; building the paths was half of its cost.
struct PathParts {
  std::string file;        // filename()
  std::string dir;         // parent_path()
  std::string parent;      // parent_path().filename()
  std::string grand;       // parent_path().parent_path()
  std::string grand_name;  // parent_path().parent_path().filename()
};
PathParts path_parts(const std::string& path);

inline constexpr const char* kVersionPattern = R"(^([Vv]?\d+(?:[._]\d+)*)(?:__?|-|\.|$)(.*)$)";

}  // namespace driftguard
