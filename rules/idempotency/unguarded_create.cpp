// unguarded-create: objects that have no IF NOT EXISTS (types, domains, policies, roles, publications, table
// constraints, and triggers before PostgreSQL 14) must be guarded by a DO block or preceded by a DROP ... IF EXISTS.
//
// A DROP of the same object earlier in the file (with or without IF EXISTS) makes the pair re-runnable.
#include "rules/idempotency/idempotency_util.hpp"

namespace driftguard {
namespace {

const char* kGuard = "DO $$ BEGIN ... EXCEPTION WHEN duplicate_object THEN NULL; END $$";
const char* kUsingIndexGuard =
    "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conrelid = 'table'::regclass AND conname = "
    "'name') THEN ALTER TABLE ... ADD CONSTRAINT ... USING INDEX ...; END IF; END $$";

class UnguardedCreate final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"unguarded-create", "idempotency", Severity::warning,
                            "CREATE of an object that has no IF NOT EXISTS, without a guard, fails when the "
                            "migration runs again"};
    return i;
  }
  std::vector<std::string_view> node_types() const override {
    return {"CreateEnumStmt",   "CompositeTypeStmt", "CreateRangeStmt",      "DefineStmt",
            "CreateDomainStmt", "CreatePolicyStmt",  "CreateRoleStmt",       "CreatePublicationStmt",
            "CreateTrigStmt",   "AlterTableStmt"};
  }

  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    if (idem::skip(ctx)) return;
    // What fails with "already exists" on a re-run; temporal-sql-tool goes on past that (idem::skip_create).
    const bool exists_is_fine = idem::skip_create(ctx);
    const json& b = unwrap(node);
    if (exists_is_fine && type != "AlterTableStmt") return;
    if (type == "CreateEnumStmt" || type == "CreateRangeStmt" || type == "DefineStmt") {
      if (type == "DefineStmt" && str(b, "kind") != "OBJECT_TYPE") return;
      auto parts = strings(field(b, type == "DefineStmt" ? "defnames" : "typeName"));
      type_like(ctx, "type", parts);
    } else if (type == "CompositeTypeStmt") {
      type_like(ctx, "type", rangevar_parts(field(b, "typevar")));
    } else if (type == "CreateDomainStmt") {
      type_like(ctx, "domain", strings(field(b, "domainname")));
    } else if (type == "CreatePolicyStmt" || type == "CreateTrigStmt") {
      bool trigger = type == "CreateTrigStmt";
      // Since PostgreSQL 14 an ordinary trigger can take OR REPLACE: require-or-replace reports it.
      if (trigger && ctx.settings().pg_version >= 14 && !flag(b, "isconstraint")) return;
      const json& rel = field(b, trigger ? "relation" : "table");
      std::string name = str(b, trigger ? "trigname" : "policy_name");
      ObjKind kind = trigger ? ObjKind::trigger : ObjKind::policy;
      if (idem::table_dropped_before(ctx, rel) || idem::dropped_before(ctx, kind, rangevar_key(rel) + "." + name)) {
        return;
      }
      std::string what = trigger ? (flag(b, "isconstraint") ? "constraint trigger" : "trigger") : "policy";
      ctx.report(ctx.statement_span(),
                 "re-run fails: " + what + " " + quote_ident(name) + " on " +
                     rangevar_display(rel) + " already exists",
                 std::string("Precede it with DROP ") + (trigger ? "TRIGGER" : "POLICY") + " IF EXISTS " +
                     quote_ident(name) + " ON " + rangevar_display(rel) + ", or guard it with " + kGuard + ".");
    } else if (type == "CreateRoleStmt") {
      std::string name = str(b, "role");
      if (ctx.state().dropped(ObjKind::role, name)) return;
      ctx.report(ctx.statement_span(), "re-run fails: role " + quote_ident(name) + " already exists",
                 std::string("Guard it with ") + kGuard +
                     " (or check pg_roles in an IF NOT EXISTS); dropping a role that owns objects fails.");
    } else if (type == "CreatePublicationStmt") {
      std::string name = str(b, "pubname");
      if (ctx.state().dropped(ObjKind::publication, name)) return;
      ctx.report(ctx.statement_span(),
                 "re-run fails: publication " + quote_ident(name) + " already exists",
                 "Precede it with DROP PUBLICATION IF EXISTS " + quote_ident(name) + ", or guard it with " + kGuard +
                     ".");
    } else if (type == "AlterTableStmt") {
      const json& rel = field(b, "relation");
      if (idem::table_dropped_before(ctx, rel)) return;
      for (const auto& c : alter_cmds(b)) {
        if (c.subtype != "AT_AddConstraint") continue;
        const json& con = field(field(*c.cmd, "def"), "Constraint");
        std::string name = str(con, "conname");
        Span span = ctx.alter_cmd_span(b, c.index);
        // An unnamed primary key is named <table>_pkey: a DROP CONSTRAINT IF EXISTS <table>_pkey makes it re-runnable.
        if (name.empty() && str(con, "contype") == "CONSTR_PRIMARY" &&
            ctx.state().dropped(ObjKind::constraint, rangevar_key(rel) + "." + str(rel, "relname") + "_pkey")) {
          continue;
        }
        if (name.empty()) {
          unnamed_constraint(ctx, span, str(con, "contype"), rangevar_display(rel));
          continue;
        }
        // ADD CONSTRAINT ... USING INDEX: the constraint takes the index over (renamed to the constraint's name),
        // so a DROP CONSTRAINT before it drops the index too, and the re-run's ADD finds no index to use unless
        // the file builds it again after that DROP (or before it, under another name than the constraint's).
        const std::string index = str(con, "indexname");
        if (!index.empty()) {
          if (!ctx.state().dropped(ObjKind::constraint, rangevar_key(rel) + "." + name)) {
            ctx.report(span,
                       "re-run fails: constraint " + quote_ident(name) + " on " +
                           rangevar_display(rel) + " already exists",
                       std::string("Guard it with ") + kUsingIndexGuard +
                           " (a DROP CONSTRAINT IF EXISTS before it would drop the index with the constraint, and a "
                           "second ADD ... USING INDEX fails with SQLSTATE 55000, not duplicate_object).");
          } else if (!index_rebuilt(ctx, rel, name, index)) {
            ctx.report(span,
                       "re-run fails: index " + quote_ident(index) + " is gone",
                       std::string("Remove the DROP CONSTRAINT and guard the ADD with ") + kUsingIndexGuard + ".");
            ctx.note("the DROP CONSTRAINT " + quote_ident(name) + " before it also drops the constraint's index (index " +
                     quote_ident(index) + (index != name ? ", renamed to " + quote_ident(name) + " by the first run" : "") +
                     "), so the re-run's ADD ... USING INDEX " + quote_ident(index) + " finds no index");
          }
          continue;
        }
        if (exists_is_fine || ctx.state().dropped(ObjKind::constraint, rangevar_key(rel) + "." + name)) continue;
        ctx.report(span,
                   "re-run fails: constraint " + quote_ident(name) + " on " +
                       rangevar_display(rel) + " already exists",
                   "Precede it with ALTER TABLE " + rangevar_display(rel) + " DROP CONSTRAINT IF EXISTS " +
                       quote_ident(name) + ", or guard it with " + kGuard + ".");
      }
    }
  }

 private:
  // Does the file build index `index` of `rel` again on a re-run before this ADD ... USING INDEX: a CREATE INDEX of
  // it after the last DROP CONSTRAINT `constraint`, or before it when the first run's rename freed the name?
  static bool index_rebuilt(const RuleContext& ctx, const json& rel, const std::string& constraint,
                            const std::string& index) {
    const auto& all = ctx.statements();
    std::optional<std::size_t> drop, create;
    for (std::size_t i = 0; i < ctx.statement_index() && i < all.size(); ++i) {
      const json& b = unwrap(all[i].node);
      if (all[i].kind == "IndexStmt" && str(b, "idxname") == index &&
          rangevar_key(field(b, "relation")) == rangevar_key(rel)) {
        create = i;
      }
      if (all[i].kind == "AlterTableStmt" && rangevar_key(field(b, "relation")) == rangevar_key(rel)) {
        for (const auto& c : alter_cmds(b)) {
          if (c.subtype == "AT_DropConstraint" && str(*c.cmd, "name") == constraint) drop = i;
        }
      }
    }
    if (!create) return false;
    return !drop || *create > *drop || index != constraint;
  }

  static void type_like(RuleContext& ctx, const std::string& what, const std::vector<std::string>& parts) {
    if (parts.empty() || idem::dropped_before(ctx, ObjKind::type, qualified_key(parts))) return;
    ctx.report(ctx.statement_span(),
               "re-run fails: " + what + " " + display(parts) + " already exists",
               std::string("Guard it with ") + kGuard +
                   " (DROP " + (what == "domain" ? "DOMAIN" : "TYPE") +
                   " IF EXISTS first only works while no column uses it).");
  }

  static void unnamed_constraint(RuleContext& ctx, Span span, const std::string& contype, const std::string& table) {
    if (contype == "CONSTR_PRIMARY") {
      ctx.report(span, "re-run fails: " + table + " already has a primary key",
                 std::string("Name the constraint and precede it with DROP CONSTRAINT IF EXISTS, or guard it with ") +
                     kGuard + ".");
      return;
    }
    std::string what = contype == "CONSTR_CHECK"      ? "check"
                       : contype == "CONSTR_UNIQUE"    ? "unique"
                       : contype == "CONSTR_FOREIGN"   ? "foreign key"
                       : contype == "CONSTR_EXCLUSION" ? "exclusion"
                                                       : "";
    ctx.report(span,
               "a re-run adds a second, identical " + what + (what.empty() ? "" : " ") +
                   "constraint to " + table,
               std::string("Name the constraint and precede it with DROP CONSTRAINT IF EXISTS, or guard it with ") +
                   kGuard + ".");
    ctx.note("an unnamed constraint gets a new generated name each time");
  }
};
}  // namespace
std::unique_ptr<Rule> make_unguarded_create() { return std::make_unique<UnguardedCreate>(); }
}  // namespace driftguard
