// The differ: compares two schema models (already normalized: analyzer/model/normalize.hpp) and yields drift
// items. It never knows where a model came from; the caller names the sides and says which one, if any, was built
// from schema.prisma, so that objects Prisma cannot express are put in their own class.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"

namespace driftguard::diff {

enum class Side { none, expected, actual };

struct Endpoint {
  bool present = false;
  std::string value;  // the definition on this side ("text NOT NULL", "btree (a, b)", "CASCADE", ...)
  SourceRef src;
};

struct DriftItem {
  std::string kind;     // missing-table, extra-column, column-type, index-renamed, ... (docs/drift.md)
  std::string path;     // schema.table[.column|.index|...]; schema.name for types, views, ...; name for extensions
  std::string message;  // one sentence
  Endpoint expected;
  Endpoint actual;
  Severity severity = Severity::error;
  bool unmanaged = false;  // only on the non-Prisma side, and of a kind schema.prisma cannot express
};

struct Options {
  Side prisma = Side::none;          // which side was built from schema.prisma
  std::vector<std::string> ignore;   // patterns: table, schema.*, table.column, globs (* and ? within a name)
  // Columns (schema.table.column) of the schema.prisma side with @default(dbgenerated()) and no expression: any
  // default (or none) is what Prisma expects there.
  std::set<std::string> prisma_any_default;
};

// Items sorted by path, then kind.
std::vector<DriftItem> diff(const model::SchemaModel& expected, const model::SchemaModel& actual,
                            const Options& opts = {});

// Does an ignore pattern match this path? A pattern matches the path, any prefix of it, or the same without the
// schema: "users" matches public.users and public.users.email; "auth.*" every object in schema auth;
// "*.updated_at" the column updated_at of every table.
bool ignored(const std::string& path, const std::vector<std::string>& patterns);

}  // namespace driftguard::diff
