// Migration runners and the transaction each one wraps a file in. Sources for every runner's behaviour are in
// docs/locking.md ("Runners").
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"

namespace driftguard {

namespace model {
enum class FileMode;  // analyzer/model/replay.hpp
}

enum class Runner {
  auto_detect,
  plain,
  prisma,
  supabase,
  golang_migrate,
  goose,
  dbmate,
  flyway,
  diesel,
  sqlx,
  fider,
  synapse,
  temporal,   // temporal-sql-tool (and Cadence's): versioned/vX.Y/ folders, and setup-schema's schema.sql beside them
  extension,  // a PostgreSQL extension script, run by CREATE/ALTER EXTENSION
  drizzle,    // drizzle-kit / drizzle-orm's migrator: NNNN_name.sql listed in meta/_journal.json
};

// The files beside a migration that runner detection reads: `<folder>/meta/_journal.json` (drizzle),
// `../Cargo.toml` (sqlx), `../go.mod` (fider), `metadata.toml` beside a Diesel up.sql, and whether a `versioned/`
// folder is beside a schema.sql (temporal). They come from the disk, except in a run that reads another tree:
// `lint --staged` reads them from the git index (cli/git.cpp), so that a hook and CI detect the same runner.
class MarkerFiles {
 public:
  virtual ~MarkerFiles() = default;
  // The content of the regular file at `p`; nullopt when there is none.
  virtual std::optional<std::string> read(const std::filesystem::path& p) const = 0;
  virtual bool is_directory(const std::filesystem::path& p) const = 0;
};
// The disk's marker files, as detection reads them outside --staged.
const MarkerFiles& disk_marker_files();
// Makes detection read marker files from `files` (null: the disk) until the returned guard is destroyed. Set it
// before the run's threads start; detection only reads it.
class MarkerFilesScope {
 public:
  explicit MarkerFilesScope(std::shared_ptr<const MarkerFiles> files);
  ~MarkerFilesScope();
  MarkerFilesScope(const MarkerFilesScope&) = delete;
  MarkerFilesScope& operator=(const MarkerFilesScope&) = delete;

 private:
  std::shared_ptr<const MarkerFiles> previous_;
};

std::string_view to_string(Runner r);
std::optional<Runner> parse_runner(std::string_view s);  // "prisma", "golang-migrate", ... (not "auto")
// The runner a file belongs to, from its layout, name and markers: Prisma and Supabase layouts; "-- +goose Up"
// (goose); "-- migrate:up" (dbmate); V<version>__<name>.sql (Flyway); <version>_<name>/up.sql (Diesel);
// <version>_<name>.up.sql (golang-migrate); extension scripts ([name--]X--Y.sql, name--X.sql, or @extschema@ in
// the text, or a top-level call of pg_extension_config_dump, which PostgreSQL refuses outside one, or a file a
// CMake build above it names and concatenates into a script it installs into PostgreSQL's extension folder);
// temporal-sql-tool's versioned/vX.Y/ folders and the schema.sql beside them; Synapse's storage/schema/*/delta/N/
// (and full_schemas; .sql and .sql.postgres); a file listed in the meta/_journal.json beside it (drizzle);
// <version>_<name>.sql beside a Cargo.toml (sqlx) or a go.mod of getfider/fider (fider), or starting with sqlx's
// "-- no-transaction"; anything else: plain (psql -f: no transaction). docs/locking.md, "Runners".
Runner detect_runner(const SourceFile& file);

// The runner records which files it applied, so it never runs a file twice (every runner but plain).
bool records_applied(Runner r);
// The runner sends a whole file as one query, which PostgreSQL runs as one implicit transaction once it holds
// more than one statement: a statement added to a file of one can pull it into a transaction.
bool sends_file_as_one_query(Runner r);

// How the runner executes one file.
enum class TxMode {
  none,     // statement by statement, each in its own transaction (autocommit)
  wrapped,  // inside a transaction the runner opens (BEGIN ... COMMIT around the file)
  request,  // the whole file is one request (multi-statement query or pipeline): PostgreSQL runs it as one
            // implicit transaction block, and a COMMIT in it starts a new implicit block for what follows
};
std::string_view to_string(TxMode m);

struct FileTransaction {
  TxMode mode = TxMode::none;
  Runner runner = Runner::plain;
  std::string why;  // "goose wraps each migration in a transaction", "-- +goose NO TRANSACTION", ...
  // The file is a schema dump (pg_dump's "-- PostgreSQL database dump" header or closing line, as Rails'
  // structure.sql keeps it): it is loaded once, into an empty database, never re-run on one that has its objects.
  bool schema_dump = false;
  // The file builds a new database's schema and is not run again on one that has its objects, though nothing
  // records it per file: temporal-sql-tool's setup-schema file (a new database; --overwrite drops every table
  // first). Says why; empty when not.
  std::string new_database;
  // A psql file that quits (\q inside \if, after a \gset check) before it changes anything guards its own re-runs,
  // as a runner's table of applied migrations would. Says why; empty when not.
  std::string rerun_guard;
};

// The transaction the file runs in. `assume_in_transaction` forces `wrapped`. `statements` are the parsed
// statements (request-mode runners only wrap files with more than one; Flyway looks at what they are, and
// ALTER TYPE ... ADD VALUE is non-transactional for it before PostgreSQL 12).
FileTransaction file_transaction(Runner runner, bool assume_in_transaction, const SourceFile& file,
                                 const std::vector<Statement>& statements, int pg_version);

// How the static replay runs a file its runner runs in mode `m` (lint, drift, schema and check-down alike).
model::FileMode replay_mode(TxMode m);

}  // namespace driftguard
