// Shared by ban-delete-without-where and ban-update-without-where: does a DML node run when the migration runs,
// and where does it start in the text.
#pragma once

#include <cctype>
#include <string_view>

#include "analyzer/text.hpp"
#include "rules/common.hpp"

namespace driftguard::dml {

// False when the node is only stored or planned, not executed: the action of a CREATE RULE, the body of a
// BEGIN ATOMIC function, a PREPAREd statement, or EXPLAIN without ANALYZE.
inline bool runs_now(const RuleContext& ctx) {
  for (const auto& f : ctx.ancestors()) {
    if (f.type == "RuleStmt" || f.type == "CreateFunctionStmt" || f.type == "PrepareStmt") return false;
    if (f.type == "ExplainStmt") {
      bool analyze = false;
      for (const auto& o : field(*f.node, "options")) {
        const json& d = field(o, "DefElem");
        if (str(d, "defname") != "analyze") continue;
        const json& arg = field(d, "arg");
        std::string v = str(field(arg, "String"), "sval");
        const json& b = field(arg, "Boolean");
        bool off = v == "false" || v == "off" || v == "0" || (b.is_object() && !flag(b, "boolval")) ||
                   (field(arg, "Integer").is_object() && num(field(arg, "Integer"), "ival", 0) == 0);
        analyze = !off;
      }
      if (!analyze) return false;
    }
  }
  return true;
}

// From the keyword (DELETE, UPDATE) before the target relation to the end of the relation's name; the statement
// when the keyword cannot be found.
inline Span keyword_to_relation(const RuleContext& ctx, const json& relation, std::string_view keyword) {
  Span whole = ctx.statement_span();
  Span rel = ctx.location_span(relation);
  if (rel.begin == whole.begin && rel.end == whole.end) return whole;
  std::string_view t = ctx.file().text;
  for (std::size_t p = rel.begin; p > whole.begin;) {
    --p;
    bool boundary = p == 0 || !(std::isalnum(static_cast<unsigned char>(t[p - 1])) || t[p - 1] == '_');
    if (boundary && lex::keyword_at(t, p, keyword)) return Span{p, rel.end};
  }
  return whole;
}

}  // namespace driftguard::dml
