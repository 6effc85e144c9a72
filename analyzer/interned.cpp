#include "analyzer/interned.hpp"

#include <array>
#include <mutex>
#include <unordered_set>

namespace driftguard {

const std::string& Interned::none() {
  static const std::string none;
  return none;
}

// The nodes of an unordered_set do not move, so the pointers stay valid for the life of the process. Each thread
// remembers the last few strings it interned (without the lock): a replay builds many positions in one file in a
// row, and a history's columns take a few types, in turn with those positions.
const std::string* Interned::intern(std::string_view s) {
  thread_local std::array<const std::string*, 8> recent{};
  thread_local std::size_t next = 0;
  for (const std::string* r : recent) {
    if (r != nullptr && *r == s) return r;
  }
  static std::mutex mutex;
  static std::unordered_set<std::string> strings;
  const std::string* p = nullptr;
  {
    std::lock_guard<std::mutex> lock(mutex);
    p = &*strings.emplace(s).first;
  }
  recent[next] = p;
  next = (next + 1) % recent.size();
  return p;
}

}  // namespace driftguard
