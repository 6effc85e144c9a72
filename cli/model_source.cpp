#include "cli/model_source.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <ostream>
#include <regex>
#include <string_view>
#include <tuple>

#include <nlohmann/json.hpp>

#include "analyzer/parse.hpp"
#include "analyzer/supabase_layout.hpp"
#include "introspect/prisma/ddl.hpp"
#include "introspect/prisma/parser.hpp"
#include "introspect/shadow.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/report.hpp"
#include "rules/engine.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

namespace {

// The files PostgreSQL replays in a throwaway cluster; the static replay (already in `src`) becomes the
// cross-check.
void shadow_files(ModelSource& src, const std::vector<shadow::File>& files, const LoadContext& ctx) {
  // Every schema of the throwaway database is one the migrations (or the platform baseline) created: platform
  // names (auth, ...) included.
  catalog::Options opts = ctx.catalog;
  if (opts.schemas.empty()) opts.include_platform = true;
  shadow::Result r = shadow::replay(files, opts, ctx.log, ctx.platform ? ctx.platform->files : std::vector<SourceFile>{});
  // What PostgreSQL built points at the migration lines the static replay saw.
  platform::copy_sources(r.model, src.model);
  src.shadow = true;
  src.server_version = r.server_version;
  src.not_applied = r.not_applied;
  src.static_findings = std::move(src.findings);
  src.findings = std::move(r.findings);
  for (const auto& f : src.findings) {
    for (const auto& file : files) {
      if (file.source.path == f.file) src.texts[f.file] = file.source.text;
    }
  }
  // Only a history PostgreSQL applied in full is comparable with its static replay; the platform baseline is
  // driftguard's own, not part of the check.
  if (src.findings.empty()) {
    model::SchemaModel static_model = src.model;
    model::SchemaModel shadow_model = r.model;
    if (ctx.platform) {
      platform::strip(static_model, *ctx.platform);
      platform::strip(shadow_model, *ctx.platform);
    }
    src.cross_check = diff::diff(static_model, shadow_model);
  }
  src.model = std::move(r.model);
  src.files = r.files;
  src.applied = r.statements;
}

void replay_files(ModelSource& src, const std::vector<std::string>& paths, const LoadContext& ctx) {
  model::Replayer replayer = start_replay(ctx);
  src.platform = ctx.platform;
  std::vector<shadow::File> loaded;
  for (const auto& path : paths) {
    SourceFile file;
    try {
      file = load_file(path);
    } catch (const InputFailure& e) {
      src.errors.push_back({path, e.message});
      continue;
    }
    if (file.info.direction == Direction::down) continue;  // down migrations undo; they are not the history
    std::size_t before = src.findings.size();
    model::FileMode mode = apply_source(replayer, file, ctx, src.findings);
    if (src.findings.size() > before) src.texts[file.path] = file.text;
    ++src.files;
    if (ctx.shadow) loaded.push_back({std::move(file), mode});
  }
  src.applied = replayer.applied();
  src.skipped = replayer.skipped();
  src.model = replayer.take();
  sort_findings(src.findings);
  if (ctx.shadow) {
    shadow_files(src, loaded, ctx);
    sort_findings(src.findings);
  }
}

void load_migrations(ModelSource& src, const LoadContext& ctx) {
  auto d = discover_with_notes({src.path}, src.notes);
  src.errors = d.errors;
  if (ctx.only_files) std::erase_if(d.files, [&](const std::string& f) { return !ctx.only_files->count(f); });
  replay_files(src, d.files, ctx);
}

void load_sql(ModelSource& src, const LoadContext& ctx) { replay_files(src, {src.path}, ctx); }

// The live catalog, read in one read-only transaction. The path is the URL: it is replaced by what describe()
// says of the connection, so that no label or message holds a password.
void load_database(ModelSource& src, const LoadContext& ctx) {
  db::ConnectOptions conn = ctx.conn;
  conn.url = src.path;
  src.path = db::describe(conn);
  src.model = catalog::read(conn, ctx.catalog);
  src.files = 1;
}

// schema.prisma (a file or a folder of .prisma files): the DDL Prisma generates for it, replayed, every object
// attributed to its schema.prisma position; `view` blocks are expected to exist (Prisma never creates them, so
// their definition is unknown and only their existence is compared).
void load_prisma(ModelSource& src, const LoadContext& ctx) {
  src.prisma = true;
  src.platform = ctx.platform;  // not replayed on it: platform tables a schema.prisma pulled are its own models
  auto report = [&](const prisma::PrismaError& e) {
    for (const auto& d : e.diagnostics) src.errors.push_back({d.where.known() ? d.where.str() : src.path, d.message});
  };
  prisma::PrismaSchema schema;
  std::vector<prisma::GeneratedDdl> ddl;
  try {
    schema = prisma::load_prisma(src.path);
    ddl = prisma::generate_ddl(schema);
  } catch (const prisma::PrismaError& e) {
    report(e);
    return;
  }
  model::Replayer replayer;
  for (const auto& g : ddl) replayer.apply_sql(g.sql, g.origin, src.findings);
  src.files = 1;
  src.applied = replayer.applied();
  src.skipped = replayer.skipped();
  src.model = replayer.take();
  // A column points at its field, not at the model its CREATE TABLE comes from (relation fields have no column).
  for (const auto& c : prisma::column_origins(schema)) {
    if (model::Table* t = src.model.table(c.schema, c.table)) {
      if (model::Column* col = t->column(c.column)) col->src = c.origin;
    }
    if (c.any_default) src.prisma_any_default.insert(c.schema + "." + c.table + "." + c.column);
  }
  for (const auto& v : prisma::expected_views(schema)) {
    model::Schema* sch = &src.model.schemas[v.schema];
    sch->name = v.schema;
    model::View view;
    view.schema = v.schema;
    view.name = v.name;
    view.src = v.origin;
    sch->views[v.name] = view;
  }
  sort_findings(src.findings);
}

}  // namespace

const std::vector<SourceKind>& source_kinds() {
  static const std::vector<SourceKind> kinds = {
      {"prisma", "--prisma", "PATH",
       "A schema.prisma file or a folder of .prisma files: the schema Prisma would create (no value: prisma.config.ts's "
       "schema, package.json's prisma.schema, else the nearest prisma/schema.prisma)",
       0,
       load_prisma},
      {"migrations", "--migrations", "PATH", "A migration folder (Prisma, Supabase, up/down or plain), replayed in order", 1,
       load_migrations},
      {"sql", "--sql", "PATH", "One SQL file (a schema dump or any DDL script), replayed", 2, load_sql},
      {"database", "--database-url", "URL", "A live database (read-only): URL or conninfo; no value = PG* variables", 3,
       load_database},
  };
  return kinds;
}

ModelSource load_model(const std::string& kind, const std::string& path, const LoadContext& ctx) {
  for (const auto& k : source_kinds()) {
    if (kind == k.name) {
      ModelSource src;
      src.kind = kind;
      src.path = path;
      k.load(src, ctx);
      return src;
    }
  }
  std::string known;
  for (const auto& k : source_kinds()) {
    known += std::string(known.empty() ? "" : ", ") + k.name + ":" + k.what;
  }
  throw UsageError("unknown model source '" + kind + "' (expected " + known + ")");
}

model::Replayer start_replay(const LoadContext& ctx) {
  model::Replayer replayer;
  if (ctx.platform) {
    // The history starts from the platform's objects (auth.users, storage.objects, ...), as on the platform.
    replayer.model() = ctx.platform->model;
    // Supabase's role runs migrations with search_path "$user", public, extensions (its baseline's ALTER ROLE):
    // unqualified names find extensions' types (citext) there.
    if (ctx.platform->name == "supabase") replayer.set_search_path({"public", "extensions"});
  }
  return replayer;
}

model::FileMode apply_source(model::Replayer& replayer, const SourceFile& file, const LoadContext& ctx,
                             std::vector<Finding>& findings) {
  // A large plain-SQL file (a schema dump: static drift's --sql side) is replayed run by run as it is parsed, so
  // that its parse trees are never all held at once (bench/RESULTS.md, "thirteenth session: memory of the model").
  // Only where its mode does not depend on its statements: the plain runner, statement by statement.
  ParseOptions opts;
  if (file.text.size() >= opts.runs_from_bytes) {
    FileTransaction tx = file_transaction(ctx.runner, false, file, {}, 15);
    if (tx.runner == Runner::plain && replay_mode(tx.mode) == model::FileMode::statements) {
      replayer.apply_file_runs(
          file, [&](const std::function<void(ParsedFile&)>& each) { parse_sql_runs(file.text, opts, each); }, findings);
      return model::FileMode::statements;
    }
  }
  return apply_source(replayer, file, parse_sql(file.text), ctx, findings);
}

model::FileMode apply_source(model::Replayer& replayer, const SourceFile& file, const ParsedFile& parsed,
                             const LoadContext& ctx, std::vector<Finding>& findings) {
  // As the file's migration tool runs it (detected from the layout and markers: rules/transaction/runner), both
  // statically and in the shadow cluster.
  FileTransaction tx = file_transaction(ctx.runner, false, file, parsed.statements, 15);
  model::FileMode mode = replay_mode(tx.mode);
  replayer.apply_file(file, parsed, findings, mode);
  return mode;
}

ModelSource load_files(const std::vector<std::string>& paths, const LoadContext& ctx) {
  ModelSource src;
  src.kind = "migrations";
  src.path = paths.empty() ? std::string() : classify(paths.front()).set;
  replay_files(src, paths, ctx);
  return src;
}

ModelSource load_model(const std::string& spec, const LoadContext& ctx) {
  auto colon = spec.find(':');
  if (colon == std::string::npos || colon + 1 == spec.size()) {
    throw UsageError("expected KIND:PATH (for example migrations:prisma/migrations), got '" + spec + "'");
  }
  return load_model(spec.substr(0, colon), spec.substr(colon + 1), ctx);
}

namespace {

namespace fs = std::filesystem;

// The whole file ("" when it cannot be read, or is a directory): read(2) into one string, without a stream per
// file (a one-file lint of a Prisma migration reads its whole folder, ConfigSet::for_path).
std::string read_text(const char* path) {
  int fd = ::open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  std::string out;
  struct stat st {};
  if (::fstat(fd, &st) == 0 && st.st_size > 0) out.reserve(static_cast<std::size_t>(st.st_size));
  char buf[65536];
  for (;;) {
    ssize_t got = ::read(fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    out.append(buf, static_cast<std::size_t>(got));
  }
  ::close(fd);
  return out;
}
std::string read_text(const fs::path& p) { return read_text(p.c_str()); }
// (Without a std::filesystem::path per file: its parse was a fifth of the Supabase evidence of a Prisma folder.)
std::string read_text(const std::string& p) { return read_text(p.c_str()); }

std::string lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// `lower_word` at `at` of `t`, in any case.
bool same_lower(std::string_view t, std::size_t at, std::string_view lower_word) {
  if (at + lower_word.size() > t.size()) return false;
  for (std::size_t i = 0; i < lower_word.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(t[at + i])) != lower_word[i]) return false;
  }
  return true;
}

bool supabase_host(const std::string& text) {
  // "supabase.co" in any case (pooler.supabase.com holds it too), without a lowered copy of the text: each '.' is
  // looked at where it is (memchr), as calls_auth does.
  for (std::size_t dot = text.find('.', 8); dot != std::string::npos; dot = text.find('.', dot + 1)) {
    if (same_lower(text, dot - 8, "supabase.co")) return true;
  }
  return false;
}

// Every entry below `dir`, as std::filesystem::recursive_directory_iterator yields them (depth first, in directory
// order, entering a directory right after yielding it, never through a symbolic link), without building a
// std::filesystem::path per entry: the walks of a Prisma folder for Supabase evidence (every migration folder)
// were a quarter of a one-file lint of a Prisma migration (bench/RESULTS.md, eleventh session). `visit(path, name,
// type)` gets readdir's d_type (DT_UNKNOWN: the caller asks lstat) and returns false to stay out of a directory or
// true to go on. A directory that cannot be opened or read ends the walk with its errno, except EACCES when
// `skip_denied` (the directory is left out, as directory_options::skip_permission_denied does); `dir` itself
// failing to open sets `*top_failed` (the iterator's constructor reports that, its increment the rest).
template <class Visit>
int walk_tree(const std::string& dir, bool skip_denied, Visit& visit, bool* top_failed = nullptr) {
  DIR* d = ::opendir(dir.c_str());
  if (d == nullptr) {
    if (top_failed != nullptr) *top_failed = true;
    return skip_denied && errno == EACCES ? 0 : errno;
  }
  std::string prefix = dir.empty() || dir.back() == '/' ? dir : dir + "/";
  int err = 0;
  for (;;) {
    errno = 0;
    struct dirent* e = ::readdir(d);
    if (e == nullptr) {
      err = errno;
      break;
    }
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    std::string path = prefix;
    path.append(name);
    unsigned char type = e->d_type;
    if (!visit(path, name, type)) continue;
    bool real_dir = type == DT_DIR;
    if (type == DT_UNKNOWN) {
      struct stat st {};
      real_dir = ::lstat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
    }
    if (real_dir && (err = walk_tree(path, skip_denied, visit)) != 0) break;
  }
  ::closedir(d);
  return err;
}

// stat(2) of an entry, through symbolic links: directory, regular file, or neither (also when it cannot be read).
enum class Kind { directory, regular, other };
Kind kind_of(const std::string& path, unsigned char type) {
  if (type == DT_DIR) return Kind::directory;
  if (type == DT_REG) return Kind::regular;
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return Kind::other;
  return S_ISDIR(st.st_mode) ? Kind::directory : S_ISREG(st.st_mode) ? Kind::regular : Kind::other;
}

// Migrations that use Supabase's auth schema: its users table or its JWT helper functions, in any case. Each '.'
// is looked at where it is (no lowered copy of the text, five searches of it): a one-file lint of a Prisma
// migration reads its whole folder for this (ConfigSet::for_path).
bool calls_auth(std::string_view text) {
  auto same = same_lower;
  for (std::size_t dot = text.find('.', 4); dot != std::string_view::npos; dot = text.find('.', dot + 1)) {
    if (!same(text, dot - 4, "auth")) continue;
    for (std::string_view after : {"users", "uid(", "jwt(", "role(", "email("}) {
      if (same(text, dot + 1, after)) return true;
    }
  }
  return false;
}

// A .sql or .sql.postgres name, in any case (what discover() may list, and any_sql_calls_auth reads).
bool sql_name(std::string_view name) {
  return (name.size() >= 4 && same_lower(name, name.size() - 4, ".sql")) ||
         (name.size() >= 13 && same_lower(name, name.size() - 13, ".sql.postgres"));
}

// Whether any file under `dir` that discover() could list (a regular .sql or .sql.postgres file outside node_modules
// and hidden folders, as analyzer/source.cpp's walk prunes) calls auth: a superset read in directory order, without
// discover's classification and migration sort, which only the folders that do call it then pay for the message.
bool any_sql_calls_auth(const fs::path& dir) {
  bool found = false;
  auto visit = [&found](const std::string& path, std::string_view name, unsigned char type) {
    if (found) return false;
    Kind kind = kind_of(path, type);
    if (kind == Kind::directory) {
      // (a symbolic link to a directory is not entered whatever its name: walk_tree never follows one)
      return !(name == "node_modules" || (name.size() > 1 && name[0] == '.'));
    }
    if (sql_name(name) && kind == Kind::regular && calls_auth(read_text(path))) found = true;
    return false;
  };
  int err = walk_tree(dir.string(), true, visit);
  return found || err != 0;  // a folder that could not be read whole: discover() decides
}

// The first of discover()'s migrations of `path` that calls auth, as the evidence says it ("" when none does).
std::string first_auth_call(const std::string& path) {
  for (const auto& f : discover({path}).files) {
    if (calls_auth(read_text(f))) return "the migrations use Supabase's auth schema (" + f + ")";
  }
  return "";
}

std::string migrations_calling_auth(const std::string& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec) && !any_sql_calls_auth(path)) return "";
  return first_auth_call(path);
}

bool supabase_migrations_path(const std::string& path) {
  std::vector<std::string> parts;
  for (const auto& part : fs::absolute(path).lexically_normal()) parts.push_back(lower(part.string()));
  for (std::size_t i = 0; i + 1 < parts.size(); ++i) {
    if (parts[i] == "supabase" && parts[i + 1] == "migrations") return true;
  }
  return false;
}

}  // namespace

std::optional<ConfiguredSchema> configured_prisma_schema(const std::string& dir) {
  std::error_code ec;
  fs::path config = fs::path(dir) / "prisma.config.ts";
  if (fs::is_regular_file(config, ec)) {
    std::string text = read_text(config);
    // schema: "prisma/schema.prisma" | 'x' | `x` | path.join("prisma", "schema.prisma")
    std::smatch m;
    static const std::regex literal(R"(\bschema\s*:\s*["'`]([^"'`]+)["'`])");
    static const std::regex joined(R"(\bschema\s*:\s*path\.(?:join|resolve)\(([^)]*)\))");
    if (std::regex_search(text, m, literal)) {
      return ConfiguredSchema{(fs::path(dir) / m[1].str()).lexically_normal().generic_string(), config.generic_string()};
    }
    if (std::regex_search(text, m, joined)) {
      fs::path p = dir;
      static const std::regex part(R"(["'`]([^"'`]+)["'`])");
      std::string args = m[1].str();
      for (std::sregex_iterator it(args.begin(), args.end(), part), end; it != end; ++it) p /= (*it)[1].str();
      return ConfiguredSchema{p.lexically_normal().generic_string(), config.generic_string()};
    }
  }
  fs::path package = fs::path(dir) / "package.json";
  if (fs::is_regular_file(package, ec)) {
    auto j = nlohmann::json::parse(read_text(package), nullptr, false);
    if (j.is_discarded()) throw UsageError(package.generic_string() + ": not valid JSON");
    if (j.is_object() && j.contains("prisma") && j["prisma"].is_object() && j["prisma"].contains("schema") &&
        j["prisma"]["schema"].is_string()) {
      return ConfiguredSchema{(fs::path(dir) / j["prisma"]["schema"].get<std::string>()).lexically_normal().generic_string(),
                              package.generic_string()};
    }
  }
  return std::nullopt;
}

std::string find_prisma_schema() {
  // What the project configures for Prisma itself (prisma.config.ts, package.json) comes first.
  if (auto configured = configured_prisma_schema(".")) return configured->path;
  std::optional<std::tuple<std::size_t, bool, std::string>> best;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(".", fs::directory_options::skip_permission_denied, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    bool dir = it->is_directory(ec);
    if (dir && (name == "node_modules" || name[0] == '.')) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->path().parent_path().filename() != "prisma") continue;
    if ((dir && name == "schema") || (!dir && name == "schema.prisma")) {
      fs::path rel = it->path().lexically_relative(".");
      std::tuple<std::size_t, bool, std::string> key{std::distance(rel.begin(), rel.end()), dir, rel.generic_string()};
      if (!best || key < *best) best = key;
    }
  }
  if (!best) throw UsageError("no prisma/schema.prisma or prisma/schema/ under the current directory; give the schema path");
  return std::get<2>(*best);
}

std::string supabase_evidence(const std::string& kind, const std::string& path) {
  std::error_code ec;
  if (kind == "database") return supabase_host(path) ? "the database URL is a Supabase host" : "";
  if (kind == "migrations" || kind == "sql") {
    if (supabase_migrations_path(path)) return "the Supabase CLI layout (supabase/migrations)";
    return kind == "migrations" ? migrations_calling_auth(path) : "";
  }
  if (kind != "prisma") return "";
  fs::path p = fs::absolute(path, ec).lexically_normal();  // a relative prisma/schema.prisma has a parent too
  fs::path dir = fs::is_directory(p, ec) ? p : p.parent_path();
  for (const fs::path& d : {dir, dir.parent_path()}) {
    if (!d.empty() && fs::is_directory(d / "supabase", ec)) return "a supabase/ folder beside schema.prisma";
  }
  // One walk of the folder: the .prisma files at any depth, and the SQL files of its migrations/ that
  // any_sql_calls_auth would read (outside node_modules and hidden folders) — a one-file lint of a Prisma migration
  // asks this for its folder (ConfigSet::for_path), where two walks read every migration folder twice. Not when
  // migrations/ is a symbolic link (this walk does not enter one, the migrations' walk follows it) or `p` is the
  // schema file (only it is read): the migrations' own walk then decides.
  const fs::path migrations = dir / "migrations";
  const bool p_dir = fs::is_directory(p, ec);
  bool one_walk = p_dir && !fs::is_symlink(migrations, ec) && fs::is_directory(migrations, ec);
  std::vector<fs::path> files;
  std::vector<std::string> sql;  // read after the .prisma files, as the migrations' walk ran after them
  if (p_dir) {
    const std::string below = migrations.string() + "/";
    auto visit = [&](const std::string& entry, std::string_view name, unsigned char type) {
      // Every `*.prisma` entry at any depth (path::extension: a name longer than ".prisma" that ends with it).
      if (name.size() > 7 && name.substr(name.size() - 7) == ".prisma") files.emplace_back(entry);
      if (!one_walk || entry.compare(0, below.size(), below) != 0 || !sql_name(name)) return true;
      std::string_view rel = std::string_view(entry).substr(below.size());
      for (std::size_t slash = rel.find('/'), from = 0; slash != std::string_view::npos;
           from = slash + 1, slash = rel.find('/', from)) {
        std::string_view part = rel.substr(from, slash - from);
        if (part == "node_modules" || (part.size() > 1 && part[0] == '.')) return true;  // a folder it prunes
      }
      if (kind_of(entry, type) == Kind::regular) sql.push_back(entry);
      return true;
    };
    bool top_failed = false;
    int err = walk_tree(p.string(), false, visit, &top_failed);
    // A folder below that cannot be read throws as recursive_directory_iterator's increment does (the folder itself:
    // no files, as its constructor with an error_code).
    if (err != 0 && !top_failed) {
      throw fs::filesystem_error("cannot increment recursive directory iterator",
                                 std::error_code(err, std::generic_category()));
    }
    if (top_failed) one_walk = false;
  } else {
    files.push_back(p);
  }
  for (const auto& f : files) {
    std::string text = read_text(f);
    // A directUrl is no sign: every pooled host (Neon, PgBouncer, Prisma Accelerate) has Prisma Migrate use one.
    if (supabase_host(text)) return "schema.prisma's URL is a Supabase host";
    // url = env("DATABASE_URL"): the value in the environment
    for (std::size_t at = text.find("env(\""); at != std::string::npos; at = text.find("env(\"", at + 5)) {
      std::size_t end = text.find('"', at + 5);
      if (end == std::string::npos) break;
      const char* value = std::getenv(text.substr(at + 5, end - at - 5).c_str());
      if (value != nullptr && supabase_host(value)) return "schema.prisma's URL (from the environment) is a Supabase host";
    }
  }
  if (one_walk) {
    // A file that calls auth: discover() decides whether it is a migration, and names the first that is.
    for (const auto& f : sql) {
      if (calls_auth(read_text(f))) return first_auth_call(migrations.string());
    }
    return "";
  }
  if (fs::is_directory(migrations, ec)) return migrations_calling_auth(migrations.string());
  return "";
}

PlatformChoice choose_platform(const std::string& flag_platform, const std::string& flag_prelude,
                               const std::optional<std::string>& config_path,
                               const std::vector<std::pair<std::string, std::string>>& sides) {
  std::optional<Config> config;
  if (config_path) config = load_config(*config_path);
  // The platform: a flag, the config, or the signs of a Supabase project.
  PlatformChoice chosen;
  if (flag_platform == "supabase") {
    chosen = {platform::supabase(), "--platform supabase"};
  } else if (flag_platform.empty() && config && config->platform == "supabase") {
    chosen = {platform::supabase(), "platform in " + config->path};
  } else if (flag_platform.empty() && !(config && config->platform == "none")) {
    for (const auto& [kind, path] : sides) {
      std::string why = supabase_evidence(kind, path);
      if (!why.empty()) {
        chosen = {platform::supabase(), why};
        break;
      }
    }
  }
  // A prelude is replayed after the platform's baseline (or alone).
  std::string prelude_path = flag_prelude;
  std::string prelude_why = "--prelude " + flag_prelude;
  if (prelude_path.empty() && config && config->prelude) {
    prelude_path = config->resolve(*config->prelude);
    prelude_why = "prelude in " + config->path;
  }
  if (prelude_path.empty()) return chosen;
  try {
    auto b = platform::prelude(prelude_path, chosen.baseline);
    return {b, chosen.baseline ? chosen.why + ", " + prelude_why : prelude_why};
  } catch (const InputFailure& e) {
    throw UsageError("prelude " + prelude_path + ": " + e.message);
  }
}

std::vector<Finding> replay_on(const model::SchemaModel& start, const std::vector<std::string>& paths, Runner runner,
                               std::vector<InputError>& errors) {
  model::Replayer replayer;
  replayer.model() = start;
  std::vector<Finding> findings;
  for (const auto& path : paths) {
    SourceFile file;
    try {
      file = load_file(path);
    } catch (const InputFailure& e) {
      errors.push_back({path, e.message});
      continue;
    }
    ParsedFile parsed = parse_sql(file.text);
    FileTransaction tx = file_transaction(runner, false, file, parsed.statements, 15);
    replayer.apply_file(file, parsed, findings, replay_mode(tx.mode));
  }
  sort_findings(findings);
  return findings;
}

void scope_platform(std::vector<ModelSource>& sides, const LoadContext& ctx) {
  if (!ctx.platform || ctx.catalog.include_platform) return;
  const model::SchemaModel* keep = nullptr;
  for (auto& s : sides) {
    if (s.kind == "database") continue;
    platform::strip(s.model, *ctx.platform);
    s.platform = ctx.platform;
    if (keep == nullptr) keep = &s.model;
  }
  for (auto& s : sides) {
    if (s.kind != "database") continue;
    platform::strip(s.model, *ctx.platform, keep);
    s.platform = ctx.platform;
  }
}

void print_skipped(std::ostream& out, const ModelSource& src) {
  int no_effect = 0;
  int unsupported = 0;
  for (const auto& s : src.skipped) (s.no_effect ? no_effect : unsupported)++;
  out << src.label() << ": " << src.files << " file" << (src.files == 1 ? "" : "s") << ", " << src.applied
      << " statement" << (src.applied == 1 ? "" : "s") << " applied, " << no_effect << " without effect on the schema, "
      << unsupported << " not modeled\n";
  for (const auto& s : src.skipped) {
    if (!s.no_effect) out << "  " << s.where.str() << ": not modeled: " << s.what << "\n";
  }
}

}  // namespace driftguard
