// Source loading: paths, directories, globs and stdin; migration layouts; ordering by version.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace driftguard {

enum class Layout { prisma, supabase, up_down, plain };
enum class Direction { up, down };

std::string_view to_string(Layout l);

struct MigrationInfo {
  Layout layout = Layout::plain;
  Direction direction = Direction::up;
  std::string set;      // the folder that holds the migration history this file belongs to
  std::string version;  // "20240101120000", "0003", "" when the name carries none
  std::string name;     // human name of the migration
};

// Classifies a path by its migration layout. Pure: looks at the path only.
MigrationInfo classify(const std::string& path);

struct SourceFile {
  std::string path;  // as given / as found (relative paths stay relative)
  std::string text;  // file contents without a UTF-8 byte-order mark
  std::size_t bom = 0;
  MigrationInfo info;
};

struct InputError {
  std::string path;
  std::string message;
};

struct Discovery {
  std::vector<std::string> files;  // in migration order
  std::vector<InputError> errors;
};

// Expands files, directories (recursively, *.sql and Synapse's *.sql.postgres) and glob patterns (*, ?, [..], **). Missing paths, directories
// with no SQL and patterns that match nothing are errors; the rest is still returned. Order: by migration set,
// then by version (numeric-aware; Prisma folders in plain string order, as Prisma applies them), then by name;
// duplicates are removed.
Discovery discover(const std::vector<std::string>& inputs);

// A file Synapse's schema runner applies (synapse/storage/prepare_database.py): storage/schema/<store>/delta/<N>/
// or full_schemas/<N>/, named *.sql, or *.sql.postgres (run on PostgreSQL only; *.sql.sqlite never is).
bool is_synapse_schema_file(const std::string& path);
// A file directory discovery lints: *.sql, and Synapse's *.sql.postgres where its layout is.
bool is_sql_migration_file(const std::string& path);

// Sorts paths into migration order (see discover).
void sort_migrations(std::vector<std::string>& paths);

// Reads a file. Throws InputFailure on unreadable, binary or oversized files.
struct InputFailure {
  std::string message;
};
SourceFile load_file(const std::string& path);
SourceFile make_source(std::string path, std::string content);

// Glob match on a whole path ('/'-separated): `*` and `?` stay within a folder, `**/` spans folders, `[...]`
// classes (`[!...]` negates). The same syntax as glob patterns given to `discover`.
bool glob_match(const std::string& pattern, const std::string& path);

// Natural comparison: digit runs compare as numbers.
bool natural_less(const std::string& a, const std::string& b);

}  // namespace driftguard
