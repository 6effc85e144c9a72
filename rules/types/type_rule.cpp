#include "rules/types/type_rule.hpp"

#include <cctype>

#include "analyzer/model/normalize.hpp"
#include "analyzer/text.hpp"

namespace driftguard {

namespace {
// Words that end a column type in a column definition or ALTER COLUMN ... TYPE.
bool ends_type(std::string_view s, std::size_t p) {
  for (const char* kw : {"constraint", "not", "null", "default", "primary", "unique", "check", "references", "collate",
                         "generated", "using", "deferrable", "initially", "compression", "storage", "array"}) {
    if (lex::keyword_at(s, p, kw)) return true;
  }
  return false;
}
}  // namespace

std::optional<Span> type_span(const RuleContext& ctx, const json& type_name) {
  long loc = num(type_name, "location", -1);
  if (loc < 0 || ctx.statement().approximate) return std::nullopt;
  std::string_view s = ctx.file().text;
  std::size_t p = ctx.statement().base + static_cast<std::size_t>(loc);
  const std::size_t limit = ctx.statement_span().end;
  if (p >= limit) return std::nullopt;
  std::size_t begin = p;
  std::size_t end = p;
  while (p < limit) {
    p = lex::skip_trivia(s, p);
    if (p >= limit) break;
    char c = s[p];
    if (c == ',' || c == ')' || c == ';' || c == '[' || ends_type(s, p)) break;
    if (c == '(') {
      int depth = 0;
      while (p < limit) {
        if (s[p] == '(') ++depth;
        if (s[p] == ')' && --depth == 0) break;
        p = lex::skip_token(s, p);
        p = lex::skip_trivia(s, p);
      }
      if (p >= limit) return std::nullopt;
      ++p;
    } else {
      p = lex::skip_token(s, p);
    }
    end = p;
  }
  if (end <= begin) return std::nullopt;
  return Span{begin, end};
}

void TypeRule::report_at_field(const DeclaredType& d, const SchemaField& field, Span span, const Problem& p,
                               RuleContext& ctx) const {
  Finding f;
  f.file = field.file;
  f.span = field.span;
  f.start = field.start;
  f.end = field.end;
  f.message = "field " + field.name + " of model " + field.model + " generates " + p.type;
  std::string now = field.type + (field.native.empty() ? "" : " " + field.native);
  if (auto r = prisma_replacement(d, field)) {
    f.help = "Declare the field as " + *r + " instead of " + now + " in schema.prisma" + prisma_also() +
             ", then generate a new migration (prisma migrate dev); do not edit the generated SQL.";
  } else {
    f.help = help(d) + " Change the field's type or @db native type in schema.prisma, then generate a new migration.";
  }
  // Where Prisma generated it: the first migration of the run that declares the column with this type.
  LineMap map(ctx.file().text);
  Position at = map.position(span.begin);
  f.notes.push_back(Note{"generated into " + ctx.file().path + ":" + std::to_string(at.line) + ":" +
                             std::to_string(at.column) + " as " + std::string(ctx.text(span)),
                         std::nullopt, {}, {}});
  f.notes.push_back(Note{column_subject(d) + " is " + p.type + ": " + p.why, std::nullopt, {}, {}});
  ctx.report_elsewhere(std::move(f));
}

namespace {
// The field decides the column's type as the history ends (Prisma generates every migration from it). A declared
// type that a later migration changed was an earlier version of the field: its finding stays on that migration.
bool type_still_current(const DeclaredType& d, const RuleContext& ctx) {
  auto parts = rangevar_parts(*d.relation);
  if (parts.empty()) return false;
  const std::string* type = ctx.run().history_end_column_type(parts.size() >= 2 ? parts[parts.size() - 2] : "public",
                                                              parts.back(), d.column);
  if (type == nullptr) return true;  // the history was not replayed to its end: the field is the best answer
  std::string base = builtin_base(*d.type_name);
  if (base == "serial" || base == "serial4") return *type == "integer";
  if (base == "bigserial" || base == "serial8") return *type == "bigint";
  if (base == "smallserial" || base == "serial2") return *type == "smallint";
  return *type == norm::type_name(*d.type_name);
}

// In a Prisma folder (whose history lint replays to its end): the column this statement declares or retypes is
// gone when the history ends — a later migration dropped it or its table — so there is nothing left to change.
// Found by where the model says each column was declared, so a column whose table or name changed since still
// counts.
bool gone_at_history_end(const DeclaredType& d, const RuleContext& ctx) {
  if (!ctx.run().has_history_end() || ctx.statement().approximate) return false;
  SourceRef declared;
  if (d.alter_type) {
    const model::Table* t = ctx.run().table(*d.relation);
    const model::Column* c = t ? t->column(d.column) : nullptr;
    if (c == nullptr || c->src.line == 0) return false;
    declared = c->src;
  } else {
    long loc = num(*d.column_def, "location", -1);
    if (loc < 0) return false;
    Position at = LineMap(ctx.file().text).position(ctx.statement().base + static_cast<std::size_t>(loc));
    declared = SourceRef{ctx.file().path, at.line, at.column};
  }
  return !ctx.run().history_end_declares_column_at(declared);
}
}  // namespace

std::string column_subject(const DeclaredType& d) { return "column " + quote_ident(d.column) + " of " + d.table; }

void TypeRule::check(std::string_view type, const json& node, RuleContext& ctx) const {
  // A schema dump (pg_dump output, Rails' structure.sql) is generated from the database the migrations built: each
  // column's type was chosen by a migration, which is linted on its own, and an edit of the dump is undone by the
  // next dump.
  if (ctx.state().runner_transaction().schema_dump) return;
  const json& b = unwrap(node);
  std::vector<DeclaredType> found;
  if (type == "CreateStmt") {
    const json& rel = field(b, "relation");
    if (str(rel, "relpersistence") == "t") return;  // temporary tables do not outlive the session
    for (const auto& e : field(b, "tableElts")) {
      const json& cd = field(e, "ColumnDef");
      if (cd.is_object() && field(cd, "typeName").is_object()) {
        found.push_back({&field(cd, "typeName"), &cd, str(cd, "colname"), rangevar_display(rel), &rel, false});
      }
    }
  } else {
    // A foreign table stores no rows (its column types only say how remote values are converted) and CREATE
    // FOREIGN TABLE is not checked either: nothing to widen or rewrite later.
    if (!alters_table(node) || str(b, "objtype") == "OBJECT_FOREIGN_TABLE") return;
    const json& rel = field(b, "relation");
    for (const auto& c : alter_cmds(node)) {
      const json& cd = field(field(*c.cmd, "def"), "ColumnDef");
      if (!cd.is_object() || !field(cd, "typeName").is_object()) continue;
      if (c.subtype == "AT_AddColumn") {
        found.push_back({&field(cd, "typeName"), &cd, str(cd, "colname"), rangevar_display(rel), &rel, false});
      } else if (c.subtype == "AT_AlterColumnType") {
        found.push_back({&field(cd, "typeName"), &cd, str(*c.cmd, "name"), rangevar_display(rel), &rel, true});
      }
    }
  }
  for (auto& d : found) {
    d.ctx = &ctx;
    std::string base = builtin_base(*d.type_name);
    if (base.empty()) continue;
    Problem p = problem(d, base);
    if (p.type.empty()) continue;
    auto span = type_span(ctx, *d.type_name);
    // Prisma generates its migration SQL from schema.prisma: editing the SQL would make the two drift apart.
    bool prisma = ctx.file().info.layout == Layout::prisma;
    if (prisma && gone_at_history_end(d, ctx)) continue;
    const SchemaField* sf = prisma ? ctx.run().schema_field(rangevar_parts(*d.relation), d.column) : nullptr;
    if (sf != nullptr && type_still_current(d, ctx)) {
      report_at_field(d, *sf, span ? *span : ctx.location_span(*d.type_name), p, ctx);
      continue;
    }
    std::optional<Fix> fix;
    if (auto r = replacement(d); r && span && !prisma) {
      std::string text = *r;
      if (std::isupper(static_cast<unsigned char>(ctx.file().text[span->begin]))) {
        for (auto& ch : text) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      }
      fix = Fix{"use " + *r, {Edit{*span, text}}};
    }
    std::string h = help(d);
    if (prisma) h += " In a Prisma project change the field in schema.prisma (its type or @db native type) and generate a new migration; editing the generated SQL makes it drift from the schema.";
    ctx.report(span ? *span : ctx.location_span(*d.type_name), column_subject(d) + " is " + p.type, std::move(h),
               std::move(fix));
    ctx.note(p.why);
  }
}

}  // namespace driftguard
