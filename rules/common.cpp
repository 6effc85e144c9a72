#include "rules/common.hpp"

#include "analyzer/model/normalize.hpp"

namespace driftguard {

namespace {
class ExternalRule final : public Rule {
 public:
  explicit ExternalRule(RuleInfo info) : info_(info) {}
  const RuleInfo& info() const override { return info_; }
  std::vector<std::string_view> node_types() const override { return {}; }
  void check(std::string_view, const json&, RuleContext&) const override {}

 private:
  RuleInfo info_;
};
}  // namespace

std::unique_ptr<Rule> make_external_rule(RuleInfo info) { return std::make_unique<ExternalRule>(info); }


namespace {
ObjKind kind_of(const std::string& rt) {
  if (rt == "OBJECT_TYPE" || rt == "OBJECT_DOMAIN") return ObjKind::type;
  if (rt == "OBJECT_SCHEMA") return ObjKind::schema;
  if (rt == "OBJECT_FUNCTION" || rt == "OBJECT_PROCEDURE" || rt == "OBJECT_ROUTINE" || rt == "OBJECT_AGGREGATE") {
    return ObjKind::function;
  }
  if (rt == "OBJECT_TRIGGER") return ObjKind::trigger;
  if (rt == "OBJECT_POLICY") return ObjKind::policy;
  if (rt == "OBJECT_EXTENSION") return ObjKind::extension;
  if (rt == "OBJECT_PUBLICATION") return ObjKind::publication;
  return ObjKind::relation;
}
}  // namespace

DropInfo read_drop(const json& drop_stmt, const RuleContext& ctx) {
  const json& b = unwrap(drop_stmt);
  DropInfo d;
  d.remove_type = str(b, "removeType");
  d.missing_ok = flag(b, "missing_ok");
  d.cascade = str(b, "behavior") == "DROP_CASCADE";
  d.concurrent = flag(b, "concurrent");
  ObjKind kind = kind_of(d.remove_type);
  for (const auto& o : field(b, "objects")) {
    DropTarget t;
    t.parts = drop_object_parts(o);
    if (t.parts.empty()) continue;
    if (kind == ObjKind::trigger || kind == ObjKind::policy) {
      std::vector<std::string> table(t.parts.begin(), t.parts.end() - 1);
      t.display = quote_ident(t.parts.back()) + " on " + display(table);
      t.key = qualified_key(table) + "." + t.parts.back();
    } else if (kind == ObjKind::schema || kind == ObjKind::extension || kind == ObjKind::publication) {
      t.display = display(t.parts);
      t.key = t.parts.back();
    } else {
      t.display = display(t.parts);
      t.key = qualified_key(t.parts);
    }
    // Relations: the model, or a CREATE of this file the replay refused (RunState::created_relation).
    t.created_in_file = kind == ObjKind::relation   ? ctx.run().created_relation(t.parts)
                        : kind == ObjKind::function ? function_created_in_file(ctx, o)
                                                    : ctx.run().created(kind, t.key);
    d.targets.push_back(std::move(t));
  }
  return d;
}

bool function_created_in_file(const RuleContext& ctx, const json& o) {
  auto parts = drop_object_parts(o);
  if (parts.empty()) return false;
  const json& owa = field(o, "ObjectWithArgs");
  if (!owa.is_object() || flag(owa, "args_unspecified")) return ctx.run().created_function(parts, nullptr);
  std::vector<std::string> args;
  for (const auto& a : field(owa, "objargs")) args.push_back(norm::type_name(field(a, "TypeName")));
  return ctx.run().created_function(parts, &args);
}

std::string join_names(const std::vector<std::string>& names) {
  std::string out;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (i > 0) out += (i + 1 == names.size()) ? " and " : ", ";
    out += names[i];
  }
  return out;
}

bool names_shortened(const std::vector<std::string>& names) { return names.size() > 3; }

std::string join_names_short(const std::vector<std::string>& names) {
  if (!names_shortened(names)) return join_names(names);
  return names[0] + ", " + names[1] + " and " + std::to_string(names.size() - 2) + " more";
}

std::vector<std::string> existing_targets(const DropInfo& d) {
  std::vector<std::string> out;
  for (const auto& t : d.targets) {
    if (!t.created_in_file) out.push_back(t.display);
  }
  return out;
}

std::vector<AlterCmd> alter_cmds(const json& alter_table_stmt) {
  std::vector<AlterCmd> out;
  const json& cmds = field(unwrap(alter_table_stmt), "cmds");
  if (!cmds.is_array()) return out;
  for (std::size_t i = 0; i < cmds.size(); ++i) {
    const json& c = field(cmds[i], "AlterTableCmd");
    if (c.is_object()) out.push_back(AlterCmd{i, &c, str(c, "subtype")});
  }
  return out;
}

bool alters_table(const json& alter_table_stmt) {
  std::string t = str(unwrap(alter_table_stmt), "objtype");
  return t.empty() || t == "OBJECT_TABLE" || t == "OBJECT_FOREIGN_TABLE";
}

const json& existing_altered_table(const json& alter_table_stmt, const RuleContext& ctx) {
  static const json kNone{};  // {}: clang 14 refuses to default-initialize a const pg::Node
  if (!alters_table(alter_table_stmt)) return kNone;
  const json& rel = field(unwrap(alter_table_stmt), "relation");
  if (!rel.is_object() || ctx.state().is_new_relation(rel)) return kNone;
  return rel;
}

bool is_serial(const json& type_name) {
  auto names = strings(field(unwrap(type_name), "names"));
  if (names.size() != 1) return false;
  const std::string& n = names[0];
  return n == "serial" || n == "bigserial" || n == "smallserial" || n == "serial2" || n == "serial4" ||
         n == "serial8";
}

std::string builtin_base(const json& type_name) {
  auto names = strings(field(unwrap(type_name), "names"));
  if (names.size() == 1 || (names.size() == 2 && names[0] == "pg_catalog")) return names.back();
  return {};
}

}  // namespace driftguard
