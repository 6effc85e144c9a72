// require-down-migration: in an up/down layout, every up migration has its down migration beside it.
#include <filesystem>

#include "rules/common.hpp"

namespace driftguard {
namespace {

namespace fs = std::filesystem;

// Where the down migration of an up file lives: x.up.sql -> x.down.sql, <v>_<name>/up.sql -> down.sql,
// up/x.sql -> down/x.sql.
std::optional<fs::path> down_of(const fs::path& up) {
  std::string file = up.filename().string();
  const std::string suffix = ".up.sql";
  if (file.size() > suffix.size() && file.compare(file.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return up.parent_path() / (file.substr(0, file.size() - suffix.size()) + ".down.sql");
  }
  if (file == "up.sql") return up.parent_path() / "down.sql";
  if (up.parent_path().filename() == "up") return up.parent_path().parent_path() / "down" / file;
  return std::nullopt;
}

class RequireDownMigration final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"require-down-migration", "convention", Severity::off,
                            "An up migration has no down migration beside it (up/down layouts)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}
  void finish_file(RuleContext& ctx) const override {
    const SourceFile& f = ctx.file();
    if (f.info.layout != Layout::up_down || f.info.direction != Direction::up) return;
    std::error_code ec;
    auto down = down_of(f.path);
    if (!down || fs::exists(*down, ec)) return;
    const auto& all = ctx.statements();
    Span at = all.empty() ? Span{0, 0} : all.front().span;
    ctx.report(at, "no down migration " + down->filename().string(),
               "Write " + down->filename().string() +
                   " that reverts this migration, so that a bad deploy can be rolled back with the migration tool.");
    ctx.note(down->generic_string() + " does not exist");
  }
};

}  // namespace
std::unique_ptr<Rule> make_require_down_migration() { return std::make_unique<RequireDownMigration>(); }
}  // namespace driftguard
