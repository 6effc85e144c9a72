// The Supabase baseline a run starts from: its build-time snapshot (analyzer/platform/make_snapshot.cpp), kept apart
// from platform.cpp so that the tool making the snapshot links the rest of the analyzer without it.
#include <cstdlib>
#include <mutex>

#include "analyzer/platform/platform.hpp"

namespace driftguard::platform {

std::shared_ptr<const Baseline> supabase() {
  static std::once_flag once;
  // Never destroyed: freeing the model at exit cost a one-file lint 4 % of its instructions (bench/RESULTS.md).
  static std::shared_ptr<const Baseline>* b = nullptr;
  std::call_once(once, [] {
    // The snapshot was checked against the replay when it was built: a failure to read it is a bug and throws,
    // never a quiet replay of the SQL instead.
    const char* from_sql = std::getenv("DRIFTGUARD_BASELINE_FROM_SQL");
    b = new std::shared_ptr<const Baseline>(from_sql != nullptr && *from_sql != '\0'
                                                ? supabase_from_sql()
                                                : supabase_from_snapshot(supabase_snapshot()));
  });
  return *b;
}

}  // namespace driftguard::platform
