#include "cli/model_source.hpp"

#include <ostream>

#include "analyzer/parse.hpp"
#include "introspect/prisma/ddl.hpp"
#include "introspect/prisma/parser.hpp"
#include "introspect/shadow.hpp"
#include "cli/command.hpp"
#include "cli/report.hpp"
#include "rules/engine.hpp"
#include "rules/transaction/runner.hpp"

namespace driftguard {

namespace {

// The files PostgreSQL replays in a throwaway cluster; the static replay (already in `src`) becomes the
// cross-check.
void shadow_files(ModelSource& src, const std::vector<shadow::File>& files, const LoadContext& ctx) {
  // Every schema of the throwaway database is one the migrations created: platform names (auth, ...) included.
  catalog::Options opts = ctx.catalog;
  if (opts.schemas.empty()) opts.include_platform = true;
  shadow::Result r = shadow::replay(files, opts, ctx.log);
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
  // Only a history PostgreSQL applied in full is comparable with its static replay.
  if (src.findings.empty()) src.cross_check = diff::diff(src.model, r.model);
  src.model = std::move(r.model);
  src.files = r.files;
  src.applied = r.statements;
}

void replay_files(ModelSource& src, const std::vector<std::string>& paths, const LoadContext& ctx) {
  model::Replayer replayer;
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
    ParsedFile parsed = parse_sql(file.text);
    // As the file's migration tool runs it (detected from the layout and markers: rules/transaction/runner), both
    // statically and in the shadow cluster.
    FileTransaction tx = file_transaction(detect_runner(file), false, file, parsed.statements, 15);
    std::size_t before = src.findings.size();
    replayer.apply_file(file, parsed, src.findings,
                        tx.mode == TxMode::request   ? model::FileMode::request
                        : tx.mode == TxMode::wrapped ? model::FileMode::transaction
                                                     : model::FileMode::statements);
    if (src.findings.size() > before) src.texts[file.path] = file.text;
    ++src.files;
    if (ctx.shadow) {
      shadow::FileMode mode = tx.mode == TxMode::request   ? shadow::FileMode::request
                              : tx.mode == TxMode::wrapped ? shadow::FileMode::transaction
                                                           : shadow::FileMode::statements;
      loaded.push_back({std::move(file), mode});
    }
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
  auto d = discover({src.path});
  src.errors = d.errors;
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
void load_prisma(ModelSource& src, const LoadContext&) {
  src.prisma = true;
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
      {"prisma", "--prisma", "PATH", "A schema.prisma file or a folder of .prisma files: the schema Prisma would create", 0,
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

ModelSource load_model(const std::string& spec) {
  auto colon = spec.find(':');
  if (colon == std::string::npos || colon + 1 == spec.size()) {
    throw UsageError("expected KIND:PATH (for example migrations:prisma/migrations), got '" + spec + "'");
  }
  return load_model(spec.substr(0, colon), spec.substr(colon + 1));
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
