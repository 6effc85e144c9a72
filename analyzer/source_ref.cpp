#include "analyzer/source_ref.hpp"

#include <mutex>
#include <unordered_set>

namespace driftguard {

const std::string& InternedPath::none() {
  static const std::string none;
  return none;
}

// The nodes of an unordered_set do not move, so the pointers stay valid for the life of the process. The last path
// interned by a thread is remembered: a replay builds many positions in one file in a row.
const std::string* InternedPath::intern(std::string_view s) {
  thread_local const std::string* last = nullptr;
  if (last != nullptr && *last == s) return last;
  static std::mutex mutex;
  static std::unordered_set<std::string> paths;
  std::lock_guard<std::mutex> lock(mutex);
  last = &*paths.emplace(s).first;
  return last;
}

}  // namespace driftguard
