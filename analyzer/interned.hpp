// Strings held once per process, for values that many objects share: file paths (every position of a model built
// from one file) and the model's few-valued texts (column types such as "character varying(255)", index operator
// classes, foreign-key actions). 8 bytes in the object, no allocation, copies free, == by pointer. Reads as the
// const std::string it holds, so a field that became interned reads as before; it is assigned a new value, never
// changed in place. The table only grows: it holds the run's distinct paths and texts (bench/RESULTS.md, memory).
#pragma once

#include <cstddef>
#include <ostream>
#include <string>
#include <string_view>

namespace driftguard {

class Interned {
 public:
  Interned() = default;  // ""
  Interned(std::string_view s) : p_(s.empty() ? &none() : intern(s)) {}  // NOLINT: reads and assigns as a string
  Interned(const std::string& s) : Interned(std::string_view(s)) {}       // NOLINT
  Interned(const char* s) : Interned(std::string_view(s)) {}              // NOLINT

  operator const std::string&() const { return *p_; }  // NOLINT
  operator std::string_view() const { return *p_; }    // NOLINT
  const std::string& str() const { return *p_; }
  void clear() { p_ = &none(); }
  bool empty() const { return p_->empty(); }
  std::size_t size() const { return p_->size(); }
  const char* c_str() const { return p_->c_str(); }
  // The read-only string members the model's readers use on its texts.
  std::size_t find(std::string_view s, std::size_t pos = 0) const { return p_->find(s, pos); }
  std::size_t find(char c, std::size_t pos = 0) const { return p_->find(c, pos); }
  std::size_t rfind(std::string_view s, std::size_t pos = std::string::npos) const { return p_->rfind(s, pos); }
  std::size_t rfind(char c, std::size_t pos = std::string::npos) const { return p_->rfind(c, pos); }
  std::string substr(std::size_t pos = 0, std::size_t n = std::string::npos) const { return p_->substr(pos, n); }
  int compare(std::size_t pos, std::size_t n, std::string_view s) const { return p_->compare(pos, n, s); }
  char front() const { return p_->front(); }
  char back() const { return p_->back(); }
  char operator[](std::size_t i) const { return (*p_)[i]; }
  std::string::const_iterator begin() const { return p_->begin(); }
  std::string::const_iterator end() const { return p_->end(); }

  friend bool operator==(const Interned& a, const Interned& b) { return a.p_ == b.p_; }
  friend bool operator!=(const Interned& a, const Interned& b) { return a.p_ != b.p_; }
  friend bool operator==(const Interned& a, const std::string& b) { return *a.p_ == b; }
  friend bool operator!=(const Interned& a, const std::string& b) { return *a.p_ != b; }
  friend bool operator==(const std::string& a, const Interned& b) { return a == *b.p_; }
  friend bool operator!=(const std::string& a, const Interned& b) { return a != *b.p_; }
  friend bool operator==(const Interned& a, std::string_view b) { return *a.p_ == b; }
  friend bool operator!=(const Interned& a, std::string_view b) { return *a.p_ != b; }
  friend bool operator==(std::string_view a, const Interned& b) { return a == *b.p_; }
  friend bool operator!=(std::string_view a, const Interned& b) { return a != *b.p_; }
  friend bool operator==(const Interned& a, const char* b) { return *a.p_ == b; }
  friend bool operator!=(const Interned& a, const char* b) { return *a.p_ != b; }
  friend bool operator<(const Interned& a, const Interned& b) { return *a.p_ < *b.p_; }
  friend std::string operator+(const Interned& a, std::string_view b) { return std::string(*a.p_).append(b); }
  friend std::string operator+(std::string_view a, const Interned& b) { return std::string(a).append(*b.p_); }
  friend std::string operator+(const Interned& a, const char* b) { return *a.p_ + b; }
  friend std::string operator+(const char* a, const Interned& b) { return a + *b.p_; }
  friend std::string operator+(const Interned& a, const std::string& b) { return *a.p_ + b; }
  friend std::string operator+(const std::string& a, const Interned& b) { return a + *b.p_; }
  friend std::string operator+(const Interned& a, char b) { return *a.p_ + b; }
  friend std::string operator+(char a, const Interned& b) { return a + *b.p_; }
  friend std::ostream& operator<<(std::ostream& out, const Interned& p) { return out << *p.p_; }

 private:
  static const std::string& none();
  static const std::string* intern(std::string_view s);  // thread-safe (parse-ahead threads build positions too)
  const std::string* p_ = &none();
};

}  // namespace driftguard
