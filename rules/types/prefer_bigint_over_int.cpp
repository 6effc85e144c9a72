#include <algorithm>

#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {

bool lists_column(const json& constraint, const std::string& column) {
  auto cols = strings(field(constraint, "fk_attrs"));
  return std::find(cols.begin(), cols.end(), column) != cols.end();
}

// A foreign-key column must have the type of the key it references: widening it alone is no fix, so the finding
// belongs to the key (where it is declared). Foreign keys of the column: REFERENCES on the column, or a FOREIGN KEY
// over it in its CREATE TABLE or in an ALTER TABLE of the same file (Prisma adds them at the end of a migration).
bool foreign_key_column(const DeclaredType& d) {
  if (column_constraint(*d.column_def, "CONSTR_FOREIGN") != nullptr) return true;
  if (d.ctx == nullptr) return false;
  for (const auto& st : d.ctx->statements()) {
    const json& b = unwrap(st.node);
    if (rangevar_display(field(b, "relation")) != d.table) continue;
    if (st.kind == "CreateStmt") {
      for (const auto& e : field(b, "tableElts")) {
        const json& c = field(e, "Constraint");
        if (str(c, "contype") == "CONSTR_FOREIGN" && lists_column(c, d.column)) return true;
      }
    } else if (st.kind == "AlterTableStmt") {
      for (const auto& c : alter_cmds(st.node)) {
        const json& con = field(field(*c.cmd, "def"), "Constraint");
        if (c.subtype == "AT_AddConstraint" && str(con, "contype") == "CONSTR_FOREIGN" && lists_column(con, d.column)) {
          return true;
        }
      }
    }
  }
  return false;
}

class PreferBigintOverInt final : public WidenToBigintRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"prefer-bigint-over-int", "types", Severity::warning,
                            "integer columns overflow at 2,147,483,647; widening one later rewrites the table"};
    return i;
  }

 protected:
  std::string problem(const DeclaredType& d, const std::string& base) const override {
    // A serial column's sequence overflows the same way; prefer-identity reports it (its bigint identity fix
    // resolves both) when it is on.
    const bool serial = base == "serial" || base == "serial4";
    // (prefer-identity is quiet on Prisma migrations: this rule reports the overflow there.)
    if (serial && d.ctx != nullptr && d.ctx->file().info.layout != Layout::prisma &&
        d.ctx->rule_enabled("prefer-identity")) {
      return {};
    }
    if (base != "int4" && !serial) return {};
    if (!serial && foreign_key_column(d)) return {};
    return column_subject(d) + " is " + type_display(*d.type_name) +
           ": it overflows at 2,147,483,647, and changing it to bigint later rewrites the table under an exclusive "
           "lock";
  }
  std::string help(const DeclaredType&) const override {
    return "Use bigint: it costs 4 more bytes per row and never needs a rewrite.";
  }
};
}  // namespace
std::unique_ptr<Rule> make_prefer_bigint_over_int() { return std::make_unique<PreferBigintOverInt>(); }
}  // namespace driftguard
