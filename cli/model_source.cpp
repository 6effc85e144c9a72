#include "cli/model_source.hpp"

#include <ostream>

#include "analyzer/parse.hpp"
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

}  // namespace

const std::vector<SourceKind>& source_kinds() {
  static const std::vector<SourceKind> kinds = {
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
