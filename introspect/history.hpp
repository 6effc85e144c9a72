// Migration history audit (`driftguard status`): what a migration tracker table says was applied, compared with
// the migration files of a directory.
//
// Trackers:
// - prisma: `_prisma_migrations` (id, checksum = SHA-256 hex of the exact migration.sql bytes, finished_at,
//   migration_name, logs, rolled_back_at, started_at, applied_steps_count). One row per attempt: a migration that
//   was rolled back (`prisma migrate resolve --rolled-back`) and applied again has two rows.
// - supabase: `supabase_migrations.schema_migrations(version, statements text[], name)`; version is the number
//   before the first '_' of the file name, statements the file split at top-level ';' (trimmed, without the ';').
//
// - json: a JSON file a team keeps per environment (sql/migrations/applied/production.json), no database:
//   `["0001_create_users", ...]` or `[{"name": ..., "number": ..., "applied_at": ...}, ...]` (read_json_tracker).
//
// Reading is separate from comparing: read_tracker() runs the queries (in a db::ReadOnlySession's transaction),
// audit() is pure and takes the files and the rows.
#pragma once

#include <pqxx/pqxx>

#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace driftguard::history {

// infer: no record at all (migrations pasted into a console): each migration's effect, replayed, looked for in the
// live schema (cli/tracker.cpp).
enum class Tracker { prisma, supabase, json, infer };
std::string_view to_string(Tracker t);

// The state shown for a migration (one per migration, the most serious that applies).
enum class State { applied, pending, failed, rolled_back, edited, missing, out_of_order, partial };
std::string_view to_string(State s);  // "applied", "pending", "failed", "rolled-back", "edited", "missing",
                                      // "out-of-order", "partially-applied" (infer)

// Conditions that may make `status` exit 1 (--fail-on); one migration can have several.
enum class Problem { pending, failed, edited, missing, out_of_order, rolled_back, partial };
std::string_view to_string(Problem p);  // "pending", "failed", "edited", "missing", "out-of-order", "rolled-back",
                                        // "partially-applied"
std::optional<Problem> parse_problem(std::string_view s);

// How a file differs from what was applied.
enum class EditKind {
  none,
  line_endings,         // only CRLF <-> LF
  whitespace_comments,  // only white space and/or comments
  real_change,          // anything else
  unknown,              // the applied content is not known (Prisma stores only a checksum)
};
std::string_view to_string(EditKind k);  // "", "line-endings", "whitespace-or-comments", "real-change", "unknown"

// One migration of the directory.
struct MigrationFile {
  std::string name;     // Prisma: the folder name; Supabase: the file name without ".sql"
  std::string version;  // Supabase: the digits before the first '_'; Prisma: the folder name
  std::string path;     // as found (what a deploy script applies)
  std::string bytes;    // the exact content
};

struct PrismaRow {
  std::string id;
  std::string checksum;
  std::optional<std::string> finished_at;  // ISO 8601 UTC, milliseconds ("2024-01-01T12:00:00.000Z")
  std::string migration_name;
  std::optional<std::string> logs;
  std::optional<std::string> rolled_back_at;
  std::string started_at;
  int applied_steps_count = 0;
};

struct SupabaseRow {
  std::string version;
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> statements;  // NULL when the CLI did not record them
};

// One migration a JSON tracker file says is applied: a name, a number, or both.
struct JsonRow {
  std::string name;                        // "" when only a number is given
  std::optional<std::string> number;       // digits, as written ("0003", 3 -> "3")
  std::optional<std::string> applied_at;   // as written
};

struct TrackerData {
  Tracker tracker = Tracker::prisma;
  std::string table;               // as found: "public._prisma_migrations", "supabase_migrations.schema_migrations";
                                   // json: the file's path
  std::vector<PrismaRow> prisma;   // ordered by started_at, then id
  std::vector<SupabaseRow> supabase;
  std::vector<JsonRow> json;       // in file order
};

// Where the tracker table of `t` is ("schema.table"), if the database has one. For Prisma: the table in the
// current schema, else the first schema (by name) that holds `_prisma_migrations`.
std::optional<std::string> locate_tracker(pqxx::transaction_base& tx, Tracker t);
// Reads every row of the tracker table located at `table`.
TrackerData read_tracker(pqxx::transaction_base& tx, Tracker t, const std::string& table);
// Reads a JSON tracker file (`text` as read from `path`). Throws std::runtime_error "PATH:LINE:COL: message" for
// invalid JSON, "PATH: [3]: message" for an entry of another shape.
TrackerData read_json_tracker(const std::string& path, const std::string& text);

// The content that was applied, looked up elsewhere (git history) for Prisma, where only a checksum is stored.
struct OriginalLookup {
  std::optional<std::string> content;
  std::string source;   // where it was found ("git commit 1a2b3c4d5e6f")
  std::string why_not;  // when not found: why ("the migrations folder is not in a git repository")
};
// Given the file and a predicate that says whether some content has the applied checksum.
using OriginalFinder =
    std::function<OriginalLookup(const MigrationFile& file, const std::function<bool(std::string_view)>& matches)>;

struct Entry {
  std::string name;
  std::string version;
  std::string path;  // "" when the migration is not in the directory
  State state = State::pending;
  std::set<Problem> problems;
  // What the tracker holds (Prisma: the latest row of this name).
  bool in_database = false;
  std::optional<std::string> started_at;
  std::optional<std::string> finished_at;
  std::optional<std::string> rolled_back_at;
  std::optional<std::string> logs;
  std::string checksum;       // Prisma: stored in the tracker
  std::string file_checksum;  // Prisma: SHA-256 of the file
  int attempts = 0;           // Prisma: rows of this name
  int applied_steps_count = 0;
  // Edits after apply.
  bool line_endings_differ = false;  // applied, but with the other line endings (accepted, as Prisma does)
  bool whitespace_differs = false;   // Supabase: applied; statements differ only in white space (accepted)
  bool unverified = false;           // Supabase: applied; the tracker holds no statements to compare with
  EditKind edit = EditKind::none;
  std::string original_source;  // where the applied content came from; "" when unknown
  std::string original_unknown;  // why the applied content is unknown (edit == unknown)
  std::string diff;              // unified diff from the applied content to the file, when known
  // Order.
  std::string out_of_order_after;  // the migration that sorts after this one and was applied before it
  // infer, partially applied: what of the migration's effect the live schema lacks or has otherwise ("missing
  // column public.profiles.bio", "column-type of public.profiles.avatar_url differs")
  std::vector<std::string> not_in_database;
};

struct Report {
  Tracker tracker = Tracker::prisma;
  std::string table;
  std::vector<Entry> entries;  // in migration order (Prisma: folder names as strings; Supabase: versions)
  std::vector<std::string> notes;  // ignored files, duplicate versions
};

// The files of a migrations directory for a tracker, from discovered paths (analyzer discover()): Prisma takes
// <dir>/<name>/migration.sql, Supabase <version>_<name>.sql, json every up migration (name: the file name without
// `.sql` / `.up.sql`, or a Prisma folder's name; version: its leading digits); other files are ignored (returned in
// `ignored`).
// Throws std::runtime_error when a file cannot be read.
std::vector<MigrationFile> migration_files(Tracker t, const std::vector<std::string>& paths,
                                           std::vector<std::string>& ignored);

Report audit(Tracker t, const std::vector<MigrationFile>& files, const TrackerData& data, const OriginalFinder& finder);

// Prisma's checksum comparison: the stored checksum (64 hex digits, or the old format without zero padding) of
// the script as is, with CRLF -> LF, or with LF -> CRLF.
enum class ChecksumMatch { none, exact, line_endings };
ChecksumMatch match_checksum(std::string_view script, std::string_view stored);

// How `current` differs from `applied` (texts), and the statement lists of Supabase.
EditKind classify_edit(std::string_view applied, std::string_view current);
// Statements of a file as the Supabase CLI records them: split at top-level ';', trimmed, without the ';',
// empty pieces dropped.
std::vector<std::string> supabase_statements(std::string_view text);

// A unified diff (3 lines of context) of two texts; "" when they are equal. Lines compare without their '\r'.
std::string unified_diff(std::string_view from, std::string_view to, const std::string& from_label,
                         const std::string& to_label);

}  // namespace driftguard::history
