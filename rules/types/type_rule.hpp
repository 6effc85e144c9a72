// Column-type rules (category `types`): they look at every column type a statement declares — CREATE TABLE
// columns, ALTER TABLE ... ADD COLUMN and ALTER COLUMN ... TYPE (tables created in the same file included: that is
// where the choice is made) — and replace the type's text when the better type is a mechanical swap. Foreign
// tables (CREATE / ALTER FOREIGN TABLE) are not checked: they store no rows.
#pragma once

#include <optional>
#include <string>

#include "rules/common.hpp"

namespace driftguard {

struct DeclaredType {
  const json* type_name;   // TypeName body
  const json* column_def;  // ColumnDef body
  std::string column;
  std::string table;       // as written
  const json* relation;    // its RangeVar
  bool alter_type;         // ALTER COLUMN ... TYPE (not a new column)
  const RuleContext* ctx = nullptr;
};

class TypeRule : public Rule {
 public:
  std::vector<std::string_view> node_types() const override { return {"CreateStmt", "AlterTableStmt"}; }
  void check(std::string_view type, const json& node, RuleContext& ctx) const override;

 protected:
  // Does the rule apply to this type (base = builtin_base())? The type as the first line names it ("timestamp(3)
  // (without time zone)") and why it is a problem (a note), or an empty type to stay silent.
  struct Problem {
    std::string type;
    std::string why;
  };
  virtual Problem problem(const DeclaredType& d, const std::string& base) const = 0;
  virtual std::string help(const DeclaredType& d) const = 0;
  // The replacement of the type's name and modifiers (array brackets are kept), or nullopt for no fix.
  virtual std::optional<std::string> replacement(const DeclaredType& d) const = 0;
  // The same fix in schema.prisma: the field's new type and @db attribute ("BigInt", "DateTime
  // @db.Timestamptz(3)", "String"), for a Prisma migration whose field is known; nullopt for none.
  virtual std::optional<std::string> prisma_replacement(const DeclaredType&, const SchemaField&) const {
    return std::nullopt;
  }
  // What else the Prisma fix needs (a sentence, or "").
  virtual std::string prisma_also() const { return {}; }

 private:
  // A Prisma migration's finding, reported at the schema.prisma field that generated the column.
  void report_at_field(const DeclaredType& d, const SchemaField& field, Span span, const Problem& p,
                       RuleContext& ctx) const;
};

// The rules whose fix is bigint (bigserial for a serial column; BigInt in schema.prisma, where the fields that
// reference the column must follow: Prisma refuses a relation whose scalar field's type differs from the key's,
// tests/test_lint_sources.cpp).
class WidenToBigintRule : public TypeRule {
 protected:
  std::string prisma_also() const override {
    return " (and every field that references it in @relation(fields: ...) as BigInt too: Prisma requires the "
           "same type)";
  }
  std::optional<std::string> prisma_replacement(const DeclaredType&, const SchemaField& f) const override {
    if (f.type != "Int") return std::nullopt;
    return std::string("BigInt");
  }
  std::optional<std::string> replacement(const DeclaredType& d) const override {
    return std::string(is_serial(*d.type_name) ? "bigserial" : "bigint");
  }
};

// The source span of a column type's name and modifiers ("character varying(20)", "timestamp(3) without time
// zone"), array bounds excluded; nullopt when the text cannot be located exactly.
std::optional<Span> type_span(const RuleContext& ctx, const json& type_name);

// "column "x" of orders"
std::string column_subject(const DeclaredType& d);

}  // namespace driftguard
