// The shadow database: migrations replayed by PostgreSQL itself into a throwaway cluster (db::TempCluster), then
// read back with the catalog reader. A cross-check of the static replay (analyzer/model/replay), and the way to see
// what a history really builds without a database of one's own.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/model/model.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "introspect/catalog.hpp"

namespace driftguard::shadow {

inline constexpr const char* kShadowError = "shadow-error";

// How the migration tool runs one file: the replay's own modes (analyzer/model/replay.hpp). In the cluster a
// `request` file runs statement by statement inside BEGIN ... COMMIT (a COMMIT in the file starting a new block), so
// that errors have positions and CREATE INDEX CONCURRENTLY fails as it does under the tool.
using model::FileMode;

struct File {
  SourceFile source;
  FileMode mode = FileMode::statements;
};

struct Result {
  model::SchemaModel model;        // the catalog after the baseline and the migrations that applied
  std::vector<Finding> findings;   // `shadow-error` at file:line:col, with PostgreSQL's message
  int files = 0;                   // files applied without error
  int statements = 0;              // statements executed
  int not_applied = 0;             // files after the first failing one (not run, as a migration tool would stop)
  std::string server_version;      // "15.18"
};

// Starts a cluster, creates a database, runs the platform baseline (`baseline`: Supabase's, or a prelude file;
// its roles exist in the throwaway cluster only), then each file in order the way its tool does (FileMode;
// explicit BEGIN/COMMIT in a file behave as under the tool; psql meta-commands are skipped; down migrations are
// not run; a statement driftguard's parser cannot read is sent all the same: PostgreSQL decides), stops at the
// first file that fails, reads the catalog, removes the cluster. An extension the server does not have is
// reported as such ("extension \"vector\" is not available on this server"). pg_cron is preloaded when the
// history mentions it and the server has it. Throws db::ClusterError when no server can be started.
// `log` (--verbose) gets one line per step: the cluster's directory and port, each file, the stop.
Result replay(const std::vector<File>& files, const catalog::Options& opts = {}, std::ostream* log = nullptr,
              const std::vector<SourceFile>& baseline = {});

// The statements of a file as they are sent to PostgreSQL: the top-level statements driftguard parsed (a DO
// block once, with its body), and every piece of text between them that did not parse. Spans in file offsets.
std::vector<Span> statements_to_send(const SourceFile& file, const ParsedFile& parsed);

}  // namespace driftguard::shadow
