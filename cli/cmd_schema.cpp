// driftguard schema: build a schema model (replaying migrations or a SQL file) and print it as JSON or as DDL.
#include <iostream>
#include <memory>

#include "analyzer/model/model.hpp"
#include "analyzer/model/write_sql.hpp"
#include "cli/command.hpp"
#include "cli/config.hpp"
#include "cli/db_flags.hpp"
#include "cli/model_source.hpp"
#include "cli/report.hpp"

namespace driftguard {
namespace {

struct SchemaOptions {
  std::string from;
  std::string format = "sql";
  bool verbose = false;
  PlatformFlags platform;
};

int run_schema(const SchemaOptions& o) {
  // The history starts from its platform's baseline, which is not printed: the schema is the project's.
  auto colon = o.from.find(':');
  std::string path = colon == std::string::npos ? o.from : o.from.substr(colon + 1);
  std::vector<std::pair<std::string, std::string>> sides;
  if (colon != std::string::npos) sides.emplace_back(o.from.substr(0, colon), path);
  LoadContext ctx;
  ctx.platform = choose_platform(o.platform.platform, o.platform.prelude, find_config(path), sides).baseline;
  std::vector<ModelSource> loaded;
  loaded.push_back(load_model(o.from, ctx));
  scope_platform(loaded, ctx);
  ModelSource& src = loaded.front();
  for (const auto& n : src.notes) std::cerr << "driftguard: note: skipped " << n.path << ": " << n.message << "\n";
  for (const auto& e : src.errors) std::cerr << "driftguard: " << e.path << ": " << e.message << "\n";
  if (!src.errors.empty() && src.files == 0) return 2;
  if (o.format == "json") {
    std::cout << model::to_json(src.model).dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
  } else {
    model::write_sql(std::cout, src.model);
  }
  // Replay errors mean the printed model may not be what the history builds: say so, on stderr.
  RunResult r;
  r.findings = src.findings;
  report_gcc(std::cerr, r);
  if (o.verbose) print_skipped(std::cerr, src);
  if (!src.errors.empty()) return 2;
  return src.findings.empty() ? 0 : 1;
}

}  // namespace

void add_schema_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto o = std::make_shared<SchemaOptions>();
  auto* cmd = app.add_subcommand("schema", "Print the schema that schema.prisma, a migration history, a SQL file or a live database describes, as DDL or JSON");
  // Every kind load_model() accepts (prisma:PATH, migrations:PATH, sql:PATH, database:URL), from its table.
  std::string kinds;
  for (const auto& k : source_kinds()) kinds += std::string(kinds.empty() ? "" : ", ") + k.name + ":" + k.what;
  cmd->add_option("--from", o->from, "The schema to print, as KIND:WHAT: " + kinds)->required();
  cmd->add_option("--format", o->format, "Output format (default sql)")->check(CLI::IsMember({"sql", "json"}));
  cmd->add_flag("--verbose", o->verbose, "Also list the statements the model does not represent (stderr)");
  add_platform_flags(cmd, o->platform);
  out.push_back({cmd, [o] { return run_schema(*o); }});
}

}  // namespace driftguard
