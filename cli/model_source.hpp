// Where a schema model comes from on the command line: `migrations:DIR`, `sql:FILE` (and, as they land,
// `prisma:PATH`, `database:URL`). One table of source kinds serves `driftguard schema --from` and the sides of
// `driftguard drift`; adding a kind is one row and one loader.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/source.hpp"

namespace driftguard {

struct ModelSource {
  std::string kind;   // "migrations", "sql", ...
  std::string path;
  bool prisma = false;  // built from schema.prisma (the differ's "managed by Prisma" side)
  model::SchemaModel model;
  std::vector<Finding> findings;           // replay errors (sorted)
  std::vector<model::Skipped> skipped;     // statements the model does not represent, or that change nothing
  std::vector<InputError> errors;          // unreadable inputs
  std::map<std::string, std::string> texts;  // file -> text, for excerpts
  int files = 0;
  int applied = 0;

  std::string label() const { return kind + ":" + path; }
};

struct SourceKind {
  const char* name;     // "migrations"
  const char* option;   // "--migrations" (drift side)
  const char* help;
  int rank;             // the side with the lower rank is "expected" in drift (prisma < migrations < sql < database)
  std::function<void(ModelSource&)> load;
};

// Every kind, in rank order.
const std::vector<SourceKind>& source_kinds();
// Builds a model from "kind:path" (or a kind and a path). Throws UsageError for an unknown kind.
ModelSource load_model(const std::string& kind, const std::string& path);
ModelSource load_model(const std::string& spec);

// Prints the --verbose account of a replay to `out`: counts, then every statement the model does not represent.
void print_skipped(std::ostream& out, const ModelSource& src);

}  // namespace driftguard
