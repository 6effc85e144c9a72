#include "rules/destructive/drop_util.hpp"

namespace driftguard {
namespace {
// Did an ALTER TYPE / ALTER DOMAIN ... RENAME TO earlier in the file give the type the name `key`? That is the
// swap Prisma and hand-written enum changes use: rename the old type away, create the new one, move the columns,
// drop the old one. Without CASCADE the DROP fails if a column still uses it, so nothing is lost.
bool renamed_to_earlier(const RuleContext& ctx, const std::string& key) {
  return destructive::any_statement(ctx, false, [&](const std::string& t, const json& b) {
    auto r = destructive::renamed_object(t, b);
    return r && r->first == ObjKind::type && r->second == key;
  });
}

class BanDropType final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"ban-drop-type", "destructive", Severity::error,
                            "Dropping a type or domain breaks what uses it, and with CASCADE drops those columns"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"DropStmt"}; }
  void check(std::string_view, const json& node, RuleContext& ctx) const override {
    DropInfo d = read_drop(node, ctx);
    bool domain = d.remove_type == "OBJECT_DOMAIN";
    if (!domain && d.remove_type != "OBJECT_TYPE") return;
    std::vector<std::string> names;
    for (const auto& t : d.targets) {
      if (t.created_in_file) continue;
      if (!d.cascade && (destructive::recreated_later(ctx, ObjKind::type, t.key) || renamed_to_earlier(ctx, t.key))) {
        continue;
      }
      names.push_back(t.display);
    }
    if (names.empty()) return;
    bool many = names.size() > 1;
    std::string it = many ? "them" : "it";
    std::string msg = domain ? destructive::drops("domain", "domains", names) : destructive::drops("type", "types", names);
    if (d.cascade) msg += " with CASCADE";
    ctx.report(ctx.statement_span(), msg,
               "Move every column and function off the type in earlier migrations and deploy; then drop it without "
               "CASCADE, so PostgreSQL refuses if anything still uses it.");
    destructive::note_all_names(ctx, names);
    if (d.cascade) {
      ctx.note("every column of " + std::string(many ? "these types" : "that type") +
               " is dropped with its data, and so are the functions and defaults that use " + it);
    } else {
      ctx.note("casts, functions and code that still name " + it + " fail");
    }
  }
};
}  // namespace
std::unique_ptr<Rule> make_ban_drop_type() { return std::make_unique<BanDropType>(); }
}  // namespace driftguard
