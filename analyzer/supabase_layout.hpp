// The Supabase CLI's view of a migrations folder: which files it applies. Discovery (analyzer/source.hpp) skips
// the others when it walks a folder, and says which it skipped and why.
#pragma once

#include <string>
#include <vector>

#include "analyzer/source.hpp"

namespace driftguard {

// Why the Supabase CLI would not apply this path as a migration, or "" when it would (or the path is not in a
// Supabase project). The CLI applies only the files directly in supabase/migrations named <digits>_<name>.sql
// (its own pattern: ^([0-9]+)_(.*)\.sql$); supabase/seed.sql is data.
std::string supabase_skip_reason(const std::string& path);

// discover(), and the files found in a folder that it skipped because the Supabase CLI would not apply them
// (sorted by path). A file named explicitly is always taken.
Discovery discover_with_notes(const std::vector<std::string>& inputs, std::vector<InputError>& skipped);

}  // namespace driftguard
