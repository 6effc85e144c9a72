// Where a schema object came from: a migration file position, or a schema.prisma position.
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace driftguard {

// A file path held once per process: every object of a model built from one file points at the same copy, so a
// position costs 16 bytes and no allocation (a path string per column, index and constraint, twice per model in
// lint, was a fifth of lint's memory on generated histories; bench/RESULTS.md). Reads as the const std::string it
// holds; equal paths are the same pointer. The table only grows: it holds the run's file names.
class InternedPath {
 public:
  InternedPath() = default;  // "" (unknown)
  InternedPath(std::string_view s) : p_(s.empty() ? &none() : intern(s)) {}  // NOLINT: a path reads as a string
  InternedPath(const std::string& s) : InternedPath(std::string_view(s)) {}   // NOLINT
  InternedPath(const char* s) : InternedPath(std::string_view(s)) {}          // NOLINT

  operator const std::string&() const { return *p_; }  // NOLINT
  operator std::string_view() const { return *p_; }    // NOLINT
  const std::string& str() const { return *p_; }
  bool empty() const { return p_->empty(); }
  std::size_t size() const { return p_->size(); }
  const char* c_str() const { return p_->c_str(); }

  friend bool operator==(const InternedPath& a, const InternedPath& b) { return a.p_ == b.p_; }
  friend bool operator!=(const InternedPath& a, const InternedPath& b) { return a.p_ != b.p_; }
  friend bool operator==(const InternedPath& a, const std::string& b) { return *a.p_ == b; }
  friend bool operator!=(const InternedPath& a, const std::string& b) { return *a.p_ != b; }
  friend bool operator==(const std::string& a, const InternedPath& b) { return a == *b.p_; }
  friend bool operator!=(const std::string& a, const InternedPath& b) { return a != *b.p_; }
  friend bool operator==(const InternedPath& a, const char* b) { return *a.p_ == b; }
  friend bool operator!=(const InternedPath& a, const char* b) { return *a.p_ != b; }
  friend bool operator<(const InternedPath& a, const InternedPath& b) { return *a.p_ < *b.p_; }
  friend std::string operator+(const InternedPath& a, std::string_view b) { return std::string(*a.p_).append(b); }
  friend std::string operator+(std::string_view a, const InternedPath& b) { return std::string(a).append(*b.p_); }
  friend std::string operator+(const InternedPath& a, const char* b) { return *a.p_ + b; }
  friend std::string operator+(const char* a, const InternedPath& b) { return a + *b.p_; }
  friend std::string operator+(const InternedPath& a, const std::string& b) { return *a.p_ + b; }
  friend std::string operator+(const std::string& a, const InternedPath& b) { return a + *b.p_; }
  friend std::ostream& operator<<(std::ostream& out, const InternedPath& p) { return out << *p.p_; }

 private:
  static const std::string& none();
  static const std::string* intern(std::string_view s);  // thread-safe (parse-ahead threads build positions too)
  const std::string* p_ = &none();
};

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
