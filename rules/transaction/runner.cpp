#include "rules/transaction/runner.hpp"

#include <re2/re2.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "analyzer/model/replay.hpp"
#include "analyzer/text.hpp"
#include "rules/names.hpp"

namespace driftguard {

namespace {
struct RunnerName {
  Runner runner;
  std::string_view name;
};
constexpr RunnerName kRunners[] = {
    {Runner::plain, "plain"},   {Runner::prisma, "prisma"}, {Runner::supabase, "supabase"},
    {Runner::golang_migrate, "golang-migrate"}, {Runner::goose, "goose"},   {Runner::dbmate, "dbmate"},
    {Runner::flyway, "flyway"}, {Runner::diesel, "diesel"},   {Runner::sqlx, "sqlx"},
    {Runner::fider, "fider"},   {Runner::synapse, "synapse"}, {Runner::temporal, "temporal"},
    {Runner::extension, "extension"}, {Runner::drizzle, "drizzle"},
};

bool has_line(const std::string& text, const RE2& re) { return RE2::PartialMatch(text, re); }

class DiskMarkerFiles : public MarkerFiles {
 public:
  std::optional<std::string> read(const std::filesystem::path& p) const override {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(p, ec)) return std::nullopt;
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
  }
  bool is_directory(const std::filesystem::path& p) const override {
    std::error_code ec;
    return std::filesystem::is_directory(p, ec);
  }
};

const std::shared_ptr<const MarkerFiles>& disk_files() {
  static const std::shared_ptr<const MarkerFiles> disk = std::make_shared<DiskMarkerFiles>();
  return disk;
}

std::shared_ptr<const MarkerFiles>& marker_files_slot() {
  static std::shared_ptr<const MarkerFiles> files = disk_files();
  return files;
}

const MarkerFiles& marker_files() { return *marker_files_slot(); }

std::string read_small_file(const std::filesystem::path& p) { return marker_files().read(p).value_or(""); }

// sqlx reads `-- no-transaction` only as the file's very first bytes (sqlx-core migrate/source.rs:
// sql.starts_with("-- no-transaction")); a byte-order mark in front of it hides it.
bool sqlx_no_transaction(const SourceFile& file) {
  return file.bom == 0 && file.text.rfind("-- no-transaction", 0) == 0;
}

// A flat <version>_<name>.sql file: sqlx's or fider's when the folder above it (the crate or module root, where
// both look for `migrations/`) says so.
Runner flat_folder_runner(const SourceFile& file, const std::string& name) {
  // sqlx: <VERSION>_<DESCRIPTION>.sql (or .up.sql/.down.sql), VERSION an i64 > 0; fider: a 12-digit version.
  static const RE2 flat(R"(^(\d{1,18})_.*\.sql$)");
  std::string version;
  if (!RE2::FullMatch(name, flat, &version) || version.find_first_not_of('0') == std::string::npos) {
    return Runner::plain;
  }
  if (sqlx_no_transaction(file)) return Runner::sqlx;
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root = fs::absolute(fs::path(file.path), ec).parent_path().parent_path();
  if (ec) return Runner::plain;
  // sqlx::migrate!() reads CARGO_MANIFEST_DIR/migrations, sqlx-cli ./migrations next to Cargo.toml. Diesel keeps
  // folders (<version>_<name>/up.sql), so a flat .sql file next to a crate is sqlx's.
  if (marker_files().read(root / "Cargo.toml")) return Runner::sqlx;
  // fider (app/pkg/dbx/migrate.go) runs every file of its migrations/ folder: 12-digit versions, module
  // github.com/getfider/fider.
  static const RE2 fider_module(R"((?m)^module\s+github\.com/getfider/fider\b)");
  if (version.size() == 12 && has_line(read_small_file(root / "go.mod"), fider_module)) return Runner::fider;
  return Runner::plain;
}

// drizzle-orm's migrator (migrator.ts, readMigrationFiles) runs `<folder>/<tag>.sql` for each entry of
// `<folder>/meta/_journal.json`, the journal drizzle-kit generate writes: a file is drizzle's when that journal
// lists its name.
bool drizzle_journal_lists(const SourceFile& file) {
  namespace fs = std::filesystem;
  fs::path p(file.path);
  if (p.extension() != ".sql") return false;
  std::string journal = read_small_file(p.parent_path() / "meta" / "_journal.json");
  if (journal.empty()) return false;
  auto doc = nlohmann::json::parse(journal, nullptr, false);
  if (!doc.is_object() || !doc.contains("entries") || !doc["entries"].is_array()) return false;
  std::string tag = p.stem().string();
  for (const auto& e : doc["entries"]) {
    if (e.is_object() && e.contains("tag") && e["tag"].is_string() && e["tag"].get<std::string>() == tag) return true;
  }
  return false;
}

// pg_extension_config_dump() called by a statement of the file itself (not inside a string or a function body):
// PostgreSQL refuses it outside an extension script ("can only be called from an SQL script executed by CREATE
// EXTENSION", measured in tests/test_runner_oracle.cpp), so the file is a piece of one.
bool calls_extension_config_dump(const std::string& text) {
  static constexpr std::string_view kFn = "pg_extension_config_dump";
  if (text.find(kFn) == std::string::npos) return false;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t t = lex::skip_trivia(text, pos);
    if (t >= text.size()) break;
    std::size_t e = lex::skip_token(text, t);
    if (e - t == kFn.size() && std::equal(kFn.begin(), kFn.end(), text.begin() + static_cast<std::ptrdiff_t>(t),
                                          [](char a, char b) { return a == std::tolower(static_cast<unsigned char>(b)); })) {
      return true;
    }
    pos = e;
  }
  return false;
}

// A piece of an extension script a CMake build concatenates: timescaledb's sql/CMakeLists.txt joins the files its
// lists name (cmake/ScriptFiles.cmake: PRE_INSTALL_SOURCE_FILES, SOURCE_FILES, PRE_UPDATE_FILES, ...) into
// timescaledb--<version>.sql and the update scripts, and installs them into PostgreSQL's extension folder, where
// CREATE/ALTER EXTENSION runs them. So a file is a piece when the CMakeLists.txt of a folder above it installs into
// `.../extension` and its build (that file and the modules it include()s from a cmake/ folder) names the file by
// its path from that folder (or by its name, with that folder passed as ${CMAKE_CURRENT_SOURCE_DIR}/<folder>).
bool built_into_extension_script(const SourceFile& file) {
  namespace fs = std::filesystem;
  static const RE2 installs(R"((?i)\bDESTINATION\s+"?[^\s")]*/extension"?[\s)])");
  static const RE2 include(R"((?m)^\s*include\s*\(\s*([A-Za-z0-9_.-]+)\s*\))");
  std::error_code ec;
  const fs::path path = fs::absolute(fs::path(file.path), ec).lexically_normal();
  if (ec) return false;
  // CMake's words: '#' comments cut, split at blanks, parentheses, quotes and ';' (list separators).
  auto words = [](const std::string& text) {
    std::set<std::string> out;
    std::string w;
    bool comment = false;
    for (char c : text) {
      if (c == '\n') comment = false;
      if (c == '#') comment = true;
      if (comment || std::isspace(static_cast<unsigned char>(c)) || c == '(' || c == ')' || c == '"' || c == ';') {
        if (!w.empty()) out.insert(std::move(w));
        w.clear();
      } else {
        w += c;
      }
    }
    if (!w.empty()) out.insert(std::move(w));
    return out;
  };
  fs::path dir = path.parent_path();
  for (int up = 0; up < 4 && dir.has_relative_path(); ++up, dir = dir.parent_path()) {
    std::string lists = read_small_file(dir / "CMakeLists.txt");
    if (lists.empty() || !RE2::PartialMatch(lists, installs)) continue;
    std::string build = lists;
    re2::StringPiece in(lists);
    std::string module;
    while (RE2::FindAndConsume(&in, include, &module)) {
      for (fs::path d = dir; d.has_relative_path(); d = d.parent_path()) {
        if (auto text = marker_files().read(d / "cmake" / (module + ".cmake"))) {
          build += "\n" + *text;
          break;
        }
      }
    }
    const std::set<std::string> named = words(build);
    const fs::path rel = path.lexically_relative(dir);
    if (named.count(rel.generic_string())) return true;
    const std::string folder = rel.parent_path().generic_string();
    if (named.count(rel.filename().string()) &&
        (folder.empty() || build.find("${CMAKE_CURRENT_SOURCE_DIR}/" + folder) != std::string::npos)) {
      return true;
    }
  }
  return false;
}

// temporal-sql-tool's layout: <dir>/schema.sql for setup-schema beside <dir>/versioned/ for update-schema.
bool temporal_setup_schema(const SourceFile& file) {
  namespace fs = std::filesystem;
  fs::path p(file.path);
  return p.filename() == "schema.sql" && marker_files().is_directory(p.parent_path() / "versioned");
}

// A psql `\if` whose branch quits (`\q`) before the file's first statement that changes anything (the statements
// before it only read or set session variables, as the `\gset` check does): the file stops on re-runs the way its
// author decided. Returns the offset after the `\endif`, or npos.
std::size_t psql_quit_guard_end(const std::string& text) {
  if (text.find("\\if") == std::string::npos) return std::string::npos;
  auto command = [](std::string_view line, std::string_view name) {
    std::size_t i = line.find_first_not_of(" \t");
    if (i == std::string_view::npos || line.substr(i, name.size()) != name) return false;
    std::size_t e = i + name.size();
    return e == line.size() || !std::isalnum(static_cast<unsigned char>(line[e]));
  };
  int depth = 0;
  bool quits = false;
  for (std::size_t pos = 0; pos < text.size();) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string_view line(text.data() + pos, eol - pos);
    pos = eol + 1;
    if (command(line, "\\if")) {
      ++depth;
    } else if (depth == 1 && (command(line, "\\q") || command(line, "\\quit"))) {
      quits = true;
    } else if (depth > 0 && command(line, "\\endif")) {
      if (--depth == 0) return quits ? std::min(pos, text.size()) : std::string::npos;
    }
  }
  return std::string::npos;
}

// Statements Flyway's PostgreSQL parser recognizes as non-transactional (PostgreSQLParser
// .detectCanExecuteInTransaction): one of them makes Flyway run the whole script outside a transaction.
bool flyway_non_transactional(const Statement& st, int pg_version) {
  const auto& b = unwrap(st.node);
  const std::string& t = st.kind;
  if (t == "IndexStmt") return flag(b, "concurrent");
  if (t == "DropStmt") return flag(b, "concurrent") && str(b, "removeType") == "OBJECT_INDEX";
  if (t == "ReindexStmt") {
    std::string k = str(b, "kind");
    return k == "REINDEX_OBJECT_SCHEMA" || k == "REINDEX_OBJECT_DATABASE" || k == "REINDEX_OBJECT_SYSTEM";
  }
  if (t == "VacuumStmt") return flag(b, "is_vacuumcmd");
  if (t == "CreatedbStmt" || t == "DropdbStmt" || t == "CreateTableSpaceStmt" || t == "DropTableSpaceStmt" ||
      t == "CreateSubscriptionStmt" || t == "DropSubscriptionStmt" || t == "AlterSystemStmt") {
    return true;
  }
  if (t == "DiscardStmt") return str(b, "target") == "DISCARD_ALL";
  if (t == "AlterEnumStmt") return pg_version < 12 && str(b, "oldVal").empty();
  return false;
}
}  // namespace

MarkerFilesScope::MarkerFilesScope(std::shared_ptr<const MarkerFiles> files) : previous_(marker_files_slot()) {
  marker_files_slot() = files ? std::move(files) : disk_files();
}

const MarkerFiles& disk_marker_files() { return *disk_files(); }

MarkerFilesScope::~MarkerFilesScope() { marker_files_slot() = std::move(previous_); }

std::string_view to_string(Runner r) {
  for (const auto& n : kRunners) {
    if (n.runner == r) return n.name;
  }
  return "auto";
}

std::optional<Runner> parse_runner(std::string_view s) {
  for (const auto& n : kRunners) {
    if (n.name == s) return n.runner;
  }
  return std::nullopt;
}

std::string_view to_string(TxMode m) {
  switch (m) {
    case TxMode::none:
      return "none";
    case TxMode::wrapped:
      return "wrapped";
    case TxMode::request:
      return "request";
  }
  return "none";
}

Runner detect_runner(const SourceFile& file) {
  // (Before the expressions: a function's static is compiled where it is declared, and a Prisma or Supabase
  // migration needs none of them — three compiles were 6 % of a one-file lint's instructions.)
  if (file.info.layout == Layout::prisma) return Runner::prisma;
  if (file.info.layout == Layout::supabase) return Runner::supabase;
  static const RE2 goose(R"((?mi)^\s*--\s*\+goose\s+up\b)");
  static const RE2 dbmate(R"((?mi)^\s*--\s*migrate:up\b)");
  static const RE2 flyway(R"(^[Vv]\d+(?:[._]\d+)*__.*\.sql$)");
  if (has_line(file.text, goose)) return Runner::goose;
  if (has_line(file.text, dbmate)) return Runner::dbmate;
  std::string name = std::filesystem::path(file.path).filename().string();
  if (RE2::FullMatch(name, flyway)) return Runner::flyway;
  // PostgreSQL extension scripts: name--version.sql (install), name--old--new.sql (update; extension sources
  // such as timescaledb's sql/updates/ keep old--new.sql), and @extschema@, which only CREATE/ALTER EXTENSION
  // substitutes.
  static const RE2 ext_script(R"(^(?:[A-Za-z_][A-Za-z0-9_]*--)?\d[^/]*--\d[^/]*\.sql$|^[A-Za-z_][A-Za-z0-9_]*--\d[^/]*\.sql$)");
  if (RE2::FullMatch(name, ext_script) || file.text.find("@extschema@") != std::string::npos ||
      calls_extension_config_dump(file.text)) {
    return Runner::extension;
  }
  const std::string generic = std::filesystem::path(file.path).generic_string();
  // temporal-sql-tool update-schema: <dir>/versioned/v1.2/*.sql, listed by the folder's manifest.json; setup-schema
  // -f <dir>/schema.sql.
  static const RE2 temporal(R"((?:^|/)versioned/v\d+(?:\.\d+)*/[^/]+\.sql$)");
  if (RE2::PartialMatch(generic, temporal) || temporal_setup_schema(file)) return Runner::temporal;
  if (is_synapse_schema_file(generic)) return Runner::synapse;
  if (drizzle_journal_lists(file)) return Runner::drizzle;
  // Diesel's migrations are folders <version>_<name> holding up.sql and down.sql.
  if (file.info.layout == Layout::up_down && (name == "up.sql" || name == "down.sql")) return Runner::diesel;
  if (Runner r = flat_folder_runner(file, name); r != Runner::plain) return r;
  if (file.info.layout == Layout::up_down) return Runner::golang_migrate;
  if (built_into_extension_script(file)) return Runner::extension;
  return Runner::plain;
}

bool records_applied(Runner r) { return r != Runner::plain && r != Runner::auto_detect; }

bool sends_file_as_one_query(Runner r) {
  return r == Runner::prisma || r == Runner::golang_migrate || r == Runner::sqlx;
}

FileTransaction file_transaction(Runner runner, bool assume_in_transaction, const SourceFile& file,
                                 const std::vector<Statement>& statements, int pg_version) {
  FileTransaction ft;
  ft.runner = runner == Runner::auto_detect ? detect_runner(file) : runner;
  const std::string name(to_string(ft.runner));
  // The expression's literal first (its compile was 2 % of a one-file lint's instructions): no dump without it.
  if (file.text.find("PostgreSQL database dump") != std::string::npos) {
    static const RE2 dump(R"((?m)^--[ \t]*PostgreSQL database dump\b)");
    ft.schema_dump = has_line(file.text, dump);
  }
  if (assume_in_transaction) {
    ft.mode = TxMode::wrapped;
    ft.why = "--assume-in-transaction";
    return ft;
  }
  std::size_t top_level = 0;
  for (const auto& st : statements) top_level += st.do_depth == 0 ? 1 : 0;
  switch (ft.runner) {
    case Runner::auto_detect:
    case Runner::plain:
      ft.why = "plain SQL runs statement by statement";
      if (std::size_t end = psql_quit_guard_end(file.text); end != std::string::npos) {
        bool reads_only = std::all_of(statements.begin(), statements.end(), [&](const Statement& st) {
          bool reads = st.kind == "SelectStmt" && !unwrap(st.node).contains("intoClause");
          return st.span.begin >= end || reads || st.kind == "VariableSetStmt";
        });
        if (reads_only) ft.rerun_guard = "the file quits (\\q in \\if) before it changes anything";
      }
      break;
    case Runner::prisma:
    case Runner::golang_migrate:
      if (top_level > 1) {
        ft.mode = TxMode::request;
        ft.why = name + " sends the file as one multi-statement query, which PostgreSQL runs as one transaction";
      } else {
        ft.why = name + " sends a single statement, which runs in its own transaction";
      }
      break;
    case Runner::supabase:
      ft.mode = TxMode::request;
      ft.why = "the Supabase CLI sends each migration as one pipeline, which PostgreSQL runs as one transaction";
      break;
    case Runner::goose: {
      static const RE2 no_tx(R"((?mi)^\s*--\s*\+goose\s+no\s+transaction\b)");
      if (has_line(file.text, no_tx)) {
        ft.why = "-- +goose NO TRANSACTION";
      } else {
        ft.mode = TxMode::wrapped;
        ft.why = "goose runs each migration in a transaction";
      }
      break;
    }
    case Runner::dbmate: {
      static const RE2 no_tx(R"((?mi)^\s*--\s*migrate:up\b[^\n]*\btransaction:false\b)");
      if (has_line(file.text, no_tx)) {
        ft.why = "-- migrate:up transaction:false";
      } else {
        ft.mode = TxMode::wrapped;
        ft.why = "dbmate runs each migration in a transaction";
      }
      break;
    }
    case Runner::diesel: {
      // diesel_migrations runs each migration in its own transaction (one batch_execute of the file inside it)
      // unless the folder's metadata.toml says `run_in_transaction = false`.
      static const RE2 no_tx(R"((?m)^\s*run_in_transaction\s*=\s*false\b)");
      std::string text = read_small_file(std::filesystem::path(file.path).parent_path() / "metadata.toml");
      if (has_line(text, no_tx)) {
        ft.why = "metadata.toml: run_in_transaction = false";
      } else {
        ft.mode = TxMode::wrapped;
        ft.why = "diesel runs each migration in a transaction";
      }
      break;
    }
    case Runner::sqlx:
      // sqlx-postgres migrate.rs: the file and its _sqlx_migrations row in one transaction; with no_tx the file is
      // one execute() without arguments, a simple Query message: one implicit transaction when it holds several.
      if (!sqlx_no_transaction(file)) {
        ft.mode = TxMode::wrapped;
        ft.why = "sqlx runs each migration in a transaction";
      } else if (top_level > 1) {
        ft.mode = TxMode::request;
        ft.why = "-- no-transaction: sqlx sends the file as one query, which PostgreSQL runs as one transaction";
      } else {
        ft.why = "-- no-transaction: sqlx sends a single statement, which runs in its own transaction";
      }
      break;
    case Runner::fider:
      ft.mode = TxMode::wrapped;
      ft.why = "fider runs each migration in a transaction";
      break;
    case Runner::synapse:
      // PostgresEngine.executescript sends "COMMIT; BEGIN TRANSACTION; <file>"; the applied_schema_deltas row is
      // written in that transaction and committed by the next file's COMMIT.
      ft.mode = TxMode::wrapped;
      ft.why = "Synapse runs each schema delta in a transaction";
      // full_schemas/<N>/ are pg_dump --schema-only output with its comment lines cut (scripts-dev/
      // make_full_schema.sh): a dump of the database the deltas built, loaded into empty databases only.
      if (std::filesystem::path(file.path).generic_string().find("/full_schemas/") != std::string::npos) {
        ft.schema_dump = true;
      }
      break;
    case Runner::temporal:
      ft.why = "temporal-sql-tool runs the statements one by one";
      // setup-schema (tools/common/schema/setuptask.go) runs the file into a new database and records the initial
      // version once; with --overwrite it first drops every table (DropAllTables).
      if (temporal_setup_schema(file)) ft.new_database = "temporal-sql-tool setup-schema runs schema.sql on a new database";
      break;
    case Runner::drizzle:
      // PgDialect.migrate: session.transaction() around every pending migration, each breakpoint piece one
      // tx.execute(), and the migration's __drizzle_migrations row inserted in the same transaction.
      ft.mode = TxMode::wrapped;
      ft.why = "drizzle's migrator runs the pending migrations in one transaction";
      break;
    case Runner::extension:
      ft.mode = TxMode::wrapped;
      ft.why = "CREATE/ALTER EXTENSION runs the script in its transaction";
      break;
    case Runner::flyway: {
      bool non_tx = false;
      for (const auto& st : statements) non_tx = non_tx || (st.do_depth == 0 && flyway_non_transactional(st, pg_version));
      if (non_tx) {
        ft.why = "Flyway runs a script with a non-transactional statement outside a transaction";
      } else {
        ft.mode = TxMode::wrapped;
        ft.why = "Flyway runs each migration in a transaction";
      }
      break;
    }
  }
  return ft;
}

model::FileMode replay_mode(TxMode m) {
  return m == TxMode::request ? model::FileMode::request
         : m == TxMode::wrapped ? model::FileMode::transaction
                                : model::FileMode::statements;
}

}  // namespace driftguard
