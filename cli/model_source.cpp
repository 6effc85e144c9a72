#include "cli/model_source.hpp"

#include <ostream>

#include "analyzer/parse.hpp"
#include "introspect/prisma/ddl.hpp"
#include "introspect/prisma/parser.hpp"
#include "cli/command.hpp"
#include "cli/report.hpp"
#include "rules/engine.hpp"

namespace driftguard {

namespace {

void replay_files(ModelSource& src, const std::vector<std::string>& paths) {
  model::Replayer replayer;
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
    std::size_t before = src.findings.size();
    replayer.apply_file(file, parsed, src.findings);
    if (src.findings.size() > before) src.texts[file.path] = file.text;
    ++src.files;
  }
  src.applied = replayer.applied();
  src.skipped = replayer.skipped();
  src.model = replayer.take();
  sort_findings(src.findings);
}

void load_migrations(ModelSource& src) {
  auto d = discover({src.path});
  src.errors = d.errors;
  replay_files(src, d.files);
}

void load_sql(ModelSource& src) { replay_files(src, {src.path}); }

// schema.prisma (a file or a folder of .prisma files): the DDL Prisma generates for it, replayed, every object
// attributed to its schema.prisma position; `view` blocks are expected to exist (Prisma never creates them, so
// their definition is unknown and only their existence is compared).
void load_prisma(ModelSource& src) {
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
      {"prisma", "--prisma", "A schema.prisma file or a folder of .prisma files: the schema Prisma would create", 0,
       load_prisma},
      {"migrations", "--migrations", "A migration folder (Prisma, Supabase, up/down or plain), replayed in order", 1,
       load_migrations},
      {"sql", "--sql", "One SQL file (a schema dump or any DDL script), replayed", 2, load_sql},
  };
  return kinds;
}

ModelSource load_model(const std::string& kind, const std::string& path) {
  for (const auto& k : source_kinds()) {
    if (kind == k.name) {
      ModelSource src;
      src.kind = kind;
      src.path = path;
      k.load(src);
      return src;
    }
  }
  std::string known;
  for (const auto& k : source_kinds()) known += std::string(known.empty() ? "" : ", ") + k.name + ":PATH";
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
