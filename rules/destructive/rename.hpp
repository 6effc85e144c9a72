// Shared by renaming-table and renaming-object: is the old name taken again later in the same file? That is
// the "rename the old object away, put its replacement under the same name" pattern (Prisma writes it for every
// enum change: CREATE TYPE "Role_new" ...; ALTER TYPE "Role" RENAME TO "Role_old"; ALTER TYPE "Role_new" RENAME
// TO "Role"); code that uses the name keeps working, so the rename breaks nothing.
#pragma once

#include <string>

#include "rules/destructive/drop_util.hpp"

namespace driftguard::rename {

// Does a later statement of the file (DO-block statements included) create an object of `kind` under `key`, or
// rename another object to it?
inline bool created_later(const RuleContext& ctx, ObjKind kind, const std::string& key) {
  return destructive::any_statement(ctx, true, [&](const std::string& t, const json& b) {
    auto o = destructive::created_object(t, b);
    if (o && o->first == kind && o->second == key) return true;
    auto r = destructive::renamed_object(t, b);
    return r && r->first == kind && r->second == key;
  });
}

}  // namespace driftguard::rename
