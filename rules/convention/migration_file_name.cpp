// migration-file-name: the name of a migration (its file, or its folder where each migration is a folder) matches
// the team's pattern for its layout.
#include <re2/re2.h>

#include <filesystem>

#include "rules/common.hpp"

namespace driftguard {
namespace {

// The name a team chooses for a migration: the folder for folder-per-migration layouts (Prisma's
// <version>_<name>/migration.sql, golang-migrate's <version>_<name>/up.sql), the file name otherwise.
std::string migration_name(const std::string& path, Layout layout) {
  std::filesystem::path p(path);
  std::string file = p.filename().string();
  if (layout == Layout::prisma || (layout == Layout::up_down && (file == "up.sql" || file == "down.sql"))) {
    return p.parent_path().filename().string();
  }
  return file;
}

// Option name and default pattern per layout ("" = no default: the rule checks nothing there until set).
struct LayoutPattern {
  Layout layout;
  const char* option;
  const char* fallback;
};
constexpr LayoutPattern kPatterns[] = {
    {Layout::prisma, "prisma", R"(^\d{14}_[a-z0-9_]+$)"},
    {Layout::supabase, "supabase", R"(^\d{14}_[a-z0-9_]+\.sql$)"},
    {Layout::up_down, "up-down", R"(^\d+_[a-z0-9_]+(\.(up|down)\.sql)?$)"},
    {Layout::plain, "plain", ""},
};

class MigrationFileName final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"migration-file-name", "convention", Severity::off,
                            "A migration's file (or folder) name does not match the naming pattern of its layout"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
  std::vector<OptionSpec> option_specs() const override {
    return {{"pattern", OptionType::regex, "pattern for every layout that has no pattern of its own"},
            {"prisma", OptionType::regex, "Prisma migration folder names (default ^\\d{14}_[a-z0-9_]+$)"},
            {"supabase", OptionType::regex, "supabase/migrations file names (default ^\\d{14}_[a-z0-9_]+\\.sql$)"},
            {"up-down", OptionType::regex, "up/down file or folder names (default ^\\d+_[a-z0-9_]+(\\.(up|down)\\.sql)?$)"},
            {"plain", OptionType::regex, "other .sql file names (no default)"}};
  }
  void finish_file(RuleContext& ctx) const override {
    const SourceFile& f = ctx.file();
    if (f.path.empty() || f.path == "-") return;  // stdin has no name
    std::string pattern;
    const char* which = "";
    for (const auto& lp : kPatterns) {
      if (lp.layout != f.info.layout) continue;
      which = lp.option;
      pattern = ctx.option<std::string>(lp.option, ctx.option<std::string>("pattern", lp.fallback));
    }
    if (pattern.empty()) return;
    std::string name = migration_name(f.path, f.info.layout);
    RE2 re(pattern, RE2::Quiet);
    if (!re.ok() || RE2::PartialMatch(name, re)) return;
    const auto& all = ctx.statements();
    Span at = all.empty() ? Span{0, 0} : all.front().span;
    ctx.report(at,
               "migration name " + name + " does not match the naming pattern",
               "Rename the migration to match the pattern (set in [rules.options.migration-file-name] " +
                   std::string(which) + " or pattern) before it is applied anywhere: migration tools record the name.");
    ctx.note("the pattern of the " + std::string(which) + " layout is " + pattern);
  }
};

}  // namespace
std::unique_ptr<Rule> make_migration_file_name() { return std::make_unique<MigrationFileName>(); }
}  // namespace driftguard
