// Where a schema model comes from on the command line: `prisma:PATH`, `migrations:DIR`, `sql:FILE`,
// `database:URL` (the live catalog); migrations and SQL files replayed statically, or by PostgreSQL itself in a
// throwaway cluster (`--shadow`). One table of source kinds serves `driftguard schema --from` and the sides of
// `driftguard drift`; adding a kind is one row and one loader.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/source.hpp"
#include "introspect/catalog.hpp"
#include "introspect/db/connection.hpp"
#include "introspect/diff.hpp"

namespace driftguard {

// What loading needs besides a path: the connection and catalog options of a database side, and whether
// migrations and SQL files are replayed by PostgreSQL (shadow) instead of statically.
struct LoadContext {
  db::ConnectOptions conn;
  catalog::Options catalog;
  bool shadow = false;
  std::ostream* log = nullptr;  // --verbose: progress of a shadow replay
};

struct ModelSource {
  std::string kind;   // "migrations", "sql", ...
  std::string path;   // for a database: db::describe() of the connection (never the password)
  bool prisma = false;  // built from schema.prisma (the differ's "managed by Prisma" side)
  std::set<std::string> prisma_any_default;  // schema.prisma: diff::Options::prisma_any_default
  model::SchemaModel model;
  std::vector<Finding> findings;           // replay errors (sorted)
  std::vector<model::Skipped> skipped;     // statements the model does not represent, or that change nothing
  std::vector<InputError> errors;          // unreadable inputs
  std::map<std::string, std::string> texts;  // file -> text, for excerpts
  int files = 0;
  int applied = 0;
  // shadow replay: the static replay of the same files compared with what PostgreSQL built (items: expected =
  // the static replay, actual = PostgreSQL), and the static replay's own errors
  bool shadow = false;
  std::string server_version;
  int not_applied = 0;  // files after the first one PostgreSQL refused
  std::vector<diff::DriftItem> cross_check;
  std::vector<Finding> static_findings;

  std::string label() const { return kind + ":" + path; }
};

struct SourceKind {
  const char* name;     // "migrations"
  const char* option;   // "--migrations" (drift side)
  const char* what;     // what follows the colon in KIND:WHAT: "PATH", "URL"
  const char* help;
  int rank;             // the side with the lower rank is "expected" in drift (prisma < migrations < sql < database)
  std::function<void(ModelSource&, const LoadContext&)> load;
};

// Every kind, in rank order.
const std::vector<SourceKind>& source_kinds();
// Builds a model from "kind:path" (or a kind and a path). Throws UsageError for an unknown kind.
ModelSource load_model(const std::string& kind, const std::string& path, const LoadContext& ctx = {});
ModelSource load_model(const std::string& spec);

// Prints the --verbose account of a replay to `out`: counts, then every statement the model does not represent.
void print_skipped(std::ostream& out, const ModelSource& src);

}  // namespace driftguard
