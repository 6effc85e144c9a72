// Harness 1's generator: seeded random DDL histories that PostgreSQL 15 accepts (it keeps its own picture of the
// schema so that each statement is valid), covering the grammar migrations are written in, and — a small share —
// ending with one statement PostgreSQL refuses, so that the replay is checked to refuse it too. Each statement is
// one line (no newline inside), so that a statement's position is its file and line.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

namespace oracle {

// A named generator feature. `open` names the disagreement class (and who is fixing it) while the replay and
// PostgreSQL still disagree on it: such features are off in the fixed-seed CI configuration, on in long runs.
struct FeatureInfo {
  const char* name;
  const char* covers;
  const char* open;  // "" = closed
};
const std::vector<FeatureInfo>& features();

class Features {
 public:
  static Features all();
  static Features ci();  // every feature whose class is not open
  // "all" or "ci", then ",-name" / ",+name" changes: "ci,+partitions", "all,-views". Throws on an unknown name.
  static Features parse(const std::string& spec);
  bool on(const std::string& name) const { return on_.count(name) > 0; }
  std::string describe() const;  // the features that are off, "" when none
  void set(const std::string& name, bool on);

 private:
  std::set<std::string> on_;
};

struct History {
  std::vector<std::vector<std::string>> files;  // the statements of each file, one line each, without ';'
  std::string file_text(std::size_t f) const;    // "stmt;\n" per statement
  std::size_t statement_count() const;
  // All files, each after a "-- file: N" line; parse() reads it back.
  std::string text() const;
  static History parse(const std::string& text);
};

struct GeneratorOptions {
  int min_statements = 10;
  int max_statements = 45;
  int refusal_percent = 8;  // histories that end with a statement PostgreSQL refuses
};

History generate(std::uint64_t seed, const Features& features, const GeneratorOptions& o = {});

}  // namespace oracle
