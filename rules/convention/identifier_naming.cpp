// identifier-naming: the names a migration creates or renames to (tables, columns, indexes, constraints, enums)
// follow the team's convention: snake_case by default, or a regular expression per object kind.
#include <re2/re2.h>

#include <cctype>

#include "rules/common.hpp"

namespace driftguard {
namespace {

constexpr const char* kSnakeCase = "^[a-z_][a-z0-9_]*$";

// The span of `name` as written in the statement (quoted or not), searching from the start or, for the new name
// of a RENAME, from the end; the statement when it is not found.
Span name_span(const RuleContext& ctx, const std::string& name, bool last) {
  Span st = ctx.statement_span();
  std::string_view text = ctx.text(st);
  std::string quoted = "\"" + name + "\"";
  std::size_t at = last ? text.rfind(quoted) : text.find(quoted);
  if (at != std::string_view::npos) return Span{st.begin + at, st.begin + at + quoted.size()};
  std::string lower(text);
  for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto word_at = [&](std::size_t p) {
    auto is_id = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$'; };
    return (p == 0 || !is_id(lower[p - 1])) && (p + name.size() >= lower.size() || !is_id(lower[p + name.size()]));
  };
  for (std::size_t p = last ? lower.rfind(name) : lower.find(name); p != std::string::npos;
       p = last ? (p == 0 ? std::string::npos : lower.rfind(name, p - 1)) : lower.find(name, p + 1)) {
    if (word_at(p)) return Span{st.begin + p, st.begin + p + name.size()};
  }
  return st;
}

class IdentifierNaming final : public Rule {
 public:
  const RuleInfo& info() const override {
    static const RuleInfo i{"identifier-naming", "convention", Severity::off,
                            "A created or renamed table, column, index, constraint or enum name breaks the naming "
                            "convention (snake_case by default)"};
    return i;
  }
  std::vector<std::string_view> node_types() const override {
    return {"CreateStmt", "ColumnDef", "Constraint", "IndexStmt", "CreateEnumStmt", "RenameStmt"};
  }
  std::vector<OptionSpec> option_specs() const override {
    return {{"pattern", OptionType::regex, "names of every kind without a pattern of its own (default snake_case)"},
            {"table", OptionType::regex, "table names"},
            {"column", OptionType::regex, "column names"},
            {"index", OptionType::regex, "index names"},
            {"constraint", OptionType::regex, "constraint names"},
            {"enum", OptionType::regex, "enum type names (and types renamed)"}};
  }
  void check(std::string_view type, const json& node, RuleContext& ctx) const override {
    if (ctx.statement().do_depth > 0 && ctx.statement().approximate) return;
    if (type == "CreateStmt") {
      const json& rv = field(node, "relation");
      name(ctx, "table", str(rv, "relname"), ctx.location_span(rv));
    } else if (type == "ColumnDef") {
      // Columns of tables only (CREATE TABLE, ALTER TABLE ... ADD COLUMN), not of composite types or functions.
      const auto& up = ctx.ancestors();
      if (up.empty() || (up.back().type != "CreateStmt" && up.back().type != "AlterTableCmd")) return;
      name(ctx, "column", str(node, "colname"), ctx.location_span(node));
    } else if (type == "Constraint") {
      std::string n = str(node, "conname");
      if (!n.empty()) name(ctx, "constraint", n, name_span(ctx, n, false));
    } else if (type == "IndexStmt") {
      std::string n = str(node, "idxname");
      if (!n.empty()) name(ctx, "index", n, name_span(ctx, n, false));
    } else if (type == "CreateEnumStmt") {
      auto parts = strings(field(node, "typeName"));
      if (!parts.empty()) name(ctx, "enum", parts.back(), name_span(ctx, parts.back(), false));
    } else if (type == "RenameStmt") {
      std::string rt = str(node, "renameType");
      std::string n = str(node, "newname");
      const char* kind = rt == "OBJECT_TABLE"          ? "table"
                         : rt == "OBJECT_COLUMN"       ? "column"
                         : rt == "OBJECT_INDEX"        ? "index"
                         : rt == "OBJECT_TABCONSTRAINT" ? "constraint"
                         : rt == "OBJECT_TYPE"         ? "enum"
                                                       : nullptr;
      if (kind && !n.empty()) name(ctx, kind, n, name_span(ctx, n, true));
    }
  }

 private:
  void name(RuleContext& ctx, const std::string& kind, const std::string& n, Span at) const {
    if (n.empty()) return;
    std::string pattern = ctx.option<std::string>(kind, ctx.option<std::string>("pattern", kSnakeCase));
    RE2 re(pattern, RE2::Quiet);
    if (!re.ok() || RE2::PartialMatch(n, re)) return;
    bool snake = pattern == kSnakeCase;
    ctx.report(at,
               kind + " name " + quote_ident(n) + " does not follow the naming convention",
               "Rename it to follow the convention before the migration is applied; the convention is set in "
               "[rules.options.identifier-naming] " +
                   kind + " or pattern.");
    ctx.note(snake ? std::string("the convention is snake_case: lower-case letters, digits and underscores")
                   : "the convention is the pattern " + pattern);
  }
};

}  // namespace
std::unique_ptr<Rule> make_identifier_naming() { return std::make_unique<IdentifierNaming>(); }
}  // namespace driftguard
