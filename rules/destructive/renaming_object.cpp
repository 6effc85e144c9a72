#include "rules/destructive/rename.hpp"

namespace driftguard {
namespace {

struct Kind {
  const char* rename_type;
  const char* noun;
  ObjKind kind;
};

constexpr Kind kKinds[] = {
    {"OBJECT_SCHEMA", "schema", ObjKind::schema},
    {"OBJECT_TYPE", "type", ObjKind::type},
    {"OBJECT_DOMAIN", "domain", ObjKind::type},
    {"OBJECT_VIEW", "view", ObjKind::relation},
    {"OBJECT_MATVIEW", "materialized view", ObjKind::relation},
    {"OBJECT_SEQUENCE", "sequence", ObjKind::relation},
    {"OBJECT_FUNCTION", "function", ObjKind::function},
    {"OBJECT_PROCEDURE", "procedure", ObjKind::function},
    {"OBJECT_ROUTINE", "routine", ObjKind::function},
    {"OBJECT_AGGREGATE", "aggregate", ObjKind::function},
};

const char* kHelp =
    "Deploy code that no longer uses the old name first, or keep the old name working (a view, a wrapper "
    "function) until no deployed code uses it; record an intended rename with "
    "`-- driftguard-ignore renaming-object <reason>`.";

class RenamingObject final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"renaming-object", "destructive", Severity::warning,
                            "Renaming a schema, type, enum value, view, sequence or function breaks code that uses "
                            "the old name"};
    return i;
  }
  std::vector<std::string_view> node_types() const override { return {"RenameStmt", "AlterEnumStmt"}; }

  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    const json& b = unwrap(node);
    if (type == "AlterEnumStmt") {
      check_enum_value(b, ctx);
      return;
    }
    std::string rt = str(b, "renameType");
    const Kind* k = nullptr;
    for (const auto& c : kKinds) {
      if (rt == c.rename_type) k = &c;
    }
    if (k == nullptr) return;
    std::string name;
    std::string newname = quote_ident(str(b, "newname"));
    if (k->kind == ObjKind::relation) {
      const json& rel = field(b, "relation");
      if (!rel.is_object() || ctx.run().created_relation(rel)) return;
      if (rename::created_later(ctx, ObjKind::relation, rangevar_key(rel))) return;
      name = rangevar_display(rel);
    } else if (k->kind == ObjKind::schema) {
      std::string s = str(b, "subname");
      if (ctx.run().created(ObjKind::schema, s)) return;
      if (rename::created_later(ctx, ObjKind::schema, s)) return;
      name = quote_ident(s);
    } else {
      auto parts = drop_object_parts(field(b, "object"));
      if (parts.empty()) return;
      if (ctx.run().created(k->kind, qualified_key(parts))) return;
      if (rename::created_later(ctx, k->kind, qualified_key(parts))) return;
      name = display(parts);
    }
    std::string consequence;
    switch (k->kind) {
      case ObjKind::schema:
        consequence = "queries, search_path settings and function bodies that name the old schema fail";
        break;
      case ObjKind::type:
        consequence = "casts and declarations in code and function bodies that name the old type fail";
        break;
      case ObjKind::function:
        consequence = "queries and jobs that call it by the old name fail";
        break;
      default:
        consequence = rt == "OBJECT_SEQUENCE" ? "code that calls nextval, currval or setval with the old name fails"
                                              : "queries that read the old name fail";
        break;
    }
    ctx.report(ctx.statement_span(),
               "renames " + std::string(k->noun) + " " + name + " to " + newname, kHelp);
    ctx.note(consequence + " from the moment the migration commits until the new code is deployed");
  }

 private:
  static void check_enum_value(const json& b, RuleContext& ctx) {
    if (!b.contains("oldVal") || !b.contains("newVal")) return;
    auto parts = strings(field(b, "typeName"));
    if (parts.empty() || ctx.run().created(ObjKind::type, qualified_key(parts))) return;
    ctx.report(ctx.statement_span(),
               "renames value '" + str(b, "oldVal") + "' of enum " + display(parts) + " to '" + str(b, "newVal") +
                   "'",
               "Add the new value with ALTER TYPE ... ADD VALUE, deploy code that writes it, migrate the rows, and "
               "stop using the old value before (or instead of) renaming it.");
    ctx.note("code that writes or compares the old value fails (invalid input value for enum) from the moment the "
             "migration commits until the new code is deployed");
  }
};
}  // namespace
std::unique_ptr<Rule> make_renaming_object() { return std::make_unique<RenamingObject>(); }
}  // namespace driftguard
