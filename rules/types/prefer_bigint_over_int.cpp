#include <algorithm>

#include "rules/types/type_rule.hpp"

namespace driftguard {
namespace {

bool lists_column(const json& constraint, const std::string& column) {
  auto cols = strings(field(constraint, "fk_attrs"));
  return std::find(cols.begin(), cols.end(), column) != cols.end();
}

// A table constraint of the column's table in this file: in its CREATE TABLE, or added by an ALTER TABLE (Prisma
// adds foreign keys at the end of a migration).
template <typename Pred>
bool table_constraint_in_file(const DeclaredType& d, Pred pred) {
  if (d.ctx == nullptr) return false;
  for (std::size_t i : d.ctx->table_statements(d.table)) {
    const Statement& st = d.ctx->statements()[i];
    const json& b = unwrap(st.node);
    if (st.kind == "CreateStmt") {
      for (const auto& e : field(b, "tableElts")) {
        if (pred(field(e, "Constraint"))) return true;
      }
    } else if (st.kind == "AlterTableStmt") {
      for (const auto& c : alter_cmds(st.node)) {
        if (c.subtype == "AT_AddConstraint" && pred(field(field(*c.cmd, "def"), "Constraint"))) return true;
      }
    }
  }
  return false;
}

// A foreign-key column must have the type of the key it references: widening it alone is no fix, so the finding
// belongs to the key (where it is declared). Foreign keys of the column: REFERENCES on the column, or a FOREIGN KEY
// over it in its CREATE TABLE or in an ALTER TABLE of the same file.
bool foreign_key_column(const DeclaredType& d) {
  if (column_constraint(*d.column_def, "CONSTR_FOREIGN") != nullptr) return true;
  return table_constraint_in_file(
      d, [&](const json& c) { return str(c, "contype") == "CONSTR_FOREIGN" && lists_column(c, d.column); });
}

bool nextval_default(const json& column_def) {
  const json* def = column_constraint(column_def, "CONSTR_DEFAULT");
  if (def == nullptr) return false;
  auto name = strings(field(field(field(*def, "raw_expr"), "FuncCall"), "funcname"));
  return !name.empty() && name.back() == "nextval";
}

// The overflow that forces a rewrite later is a key's or a counter's that a sequence feeds: values grow by one per
// row for as long as the table lives. Other integer columns hold values the application chooses (positions,
// quantities, durations, codes) whose range is the domain's, not the table's age. So the rule looks at serial
// and identity columns, columns defaulting to nextval(), and single-column primary keys: declared on the column,
// in its CREATE TABLE, in an ALTER TABLE ... ADD PRIMARY KEY of the same file, or (ALTER COLUMN ... TYPE, ADD
// COLUMN) already so in the schema before the statement.
bool key_or_sequence_fed(const DeclaredType& d, const std::string& base) {
  if (base == "serial" || base == "serial4") return true;
  const json& cd = *d.column_def;
  if (column_constraint(cd, "CONSTR_PRIMARY") != nullptr || column_constraint(cd, "CONSTR_IDENTITY") != nullptr ||
      nextval_default(cd)) {
    return true;
  }
  if (table_constraint_in_file(d, [&](const json& c) {
        auto keys = strings(field(c, "keys"));
        return str(c, "contype") == "CONSTR_PRIMARY" && keys.size() == 1 && keys[0] == d.column;
      })) {
    return true;
  }
  if (d.ctx == nullptr) return false;
  const model::Table* t = d.ctx->run().table(*d.relation);
  const model::Column* c = t ? t->column(d.column) : nullptr;
  if (c == nullptr) return false;
  if (!c->identity.empty() || c->default_expr.find("nextval(") != std::string::npos) return true;
  const model::Constraint* pk = t->primary_key();
  return pk != nullptr && pk->columns.size() == 1 && pk->columns[0] == d.column;
}

class PreferBigintOverInt final : public WidenToBigintRule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"prefer-bigint-over-int", "types", Severity::warning,
                            "integer keys and sequence-fed columns overflow at 2,147,483,647; widening one later "
                            "rewrites the table"};
    return i;
  }
  std::vector<OptionSpec> option_specs() const override {
    return {{"all-columns", OptionType::boolean,
             "report every integer column, not only keys and sequence-fed (serial, identity, nextval) columns"}};
  }

 protected:
  Problem problem(const DeclaredType& d, const std::string& base) const override {
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
    if (d.ctx != nullptr && !d.ctx->option<bool>("all-columns", false) && !key_or_sequence_fed(d, base)) return {};
    return {type_display(*d.type_name), "it overflows at 2,147,483,647, and changing it to bigint later rewrites the table under an exclusive "
           "lock"};
  }
  std::string help(const DeclaredType&) const override {
    return "Use bigint: it costs 4 more bytes per row and never needs a rewrite.";
  }
};
}  // namespace
std::unique_ptr<Rule> make_prefer_bigint_over_int() { return std::make_unique<PreferBigintOverInt>(); }
}  // namespace driftguard
