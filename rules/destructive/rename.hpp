// Shared by renaming-table and renaming-object: is the old name taken again later in the same file? That is
// the "rename the old object away, put its replacement under the same name" pattern (Prisma writes it for every
// enum change: CREATE TYPE "Role_new" ...; ALTER TYPE "Role" RENAME TO "Role_old"; ALTER TYPE "Role_new" RENAME
// TO "Role"); code that uses the name keeps working, so the rename breaks nothing.
#pragma once

#include <cctype>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/text.hpp"
#include "rules/common.hpp"

namespace driftguard::rename {

namespace detail {
// An identifier token as PostgreSQL folds it; "" when the token is not one.
inline std::string ident(std::string_view tok) {
  if (tok.empty()) return {};
  if (tok.front() == '"') {
    std::string out;
    for (std::size_t i = 1; i + 1 < tok.size(); ++i) {
      out += tok[i];
      if (tok[i] == '"') ++i;  // "" inside a quoted identifier
    }
    return out;
  }
  std::string out;
  for (char c : tok) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '$' || static_cast<unsigned char>(c) >= 0x80)) {
      return {};
    }
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return out;
}
}  // namespace detail

// Does a later top-level statement of the file give the old name to another object of one of `kinds`
// (upper-case keywords: "TABLE", "VIEW", "TYPE", ...): CREATE [OR REPLACE] [modifiers] <kind> [IF NOT EXISTS]
// <name>, or ALTER <kind> [IF EXISTS] [ONLY] <other> RENAME TO <name>? Names compare by key (qualified_key, or
// the bare name when `qualified` is false). Statements inside a DO block are not looked at from, nor into: the
// answer is then false, and the rename is reported.
inline bool created_later(const RuleContext& ctx, const std::string& key, std::initializer_list<std::string_view> kinds,
                          bool qualified = true) {
  if (ctx.statement().do_depth > 0) return false;
  std::string_view s = ctx.file().text;
  auto next = [&](std::size_t& p) -> std::string_view {
    p = lex::skip_trivia(s, p);
    if (p >= s.size()) return {};
    std::size_t e = lex::skip_token(s, p);
    if (e <= p) e = p + 1;
    std::string_view t = s.substr(p, e - p);
    p = e;
    return t;
  };
  auto is_kw = [](std::string_view t, std::string_view kw) {
    if (t.size() != kw.size()) return false;
    for (std::size_t i = 0; i < t.size(); ++i) {
      if (std::toupper(static_cast<unsigned char>(t[i])) != kw[i]) return false;
    }
    return true;
  };
  // A possibly qualified name starting with token `first`; p moves past it.
  auto name = [&](std::string_view first, std::size_t& p) {
    std::vector<std::string> parts{detail::ident(first)};
    for (std::size_t q = p; next(q) == ".";) {
      parts.push_back(detail::ident(next(q)));
      p = q;
    }
    return parts;
  };
  auto key_of = [&](const std::vector<std::string>& parts) {
    if (parts.empty() || parts.back().empty()) return std::string();
    return qualified ? qualified_key(parts) : parts.back();
  };
  std::size_t pos = ctx.statement_span().end;
  while (pos < s.size()) {
    std::string_view t = next(pos);
    if (t.empty()) break;
    bool create = is_kw(t, "CREATE");
    if (!create && !is_kw(t, "ALTER")) continue;
    std::size_t p = pos;
    std::string_view w = next(p);
    if (create && is_kw(w, "OR")) {
      next(p);  // REPLACE
      w = next(p);
    }
    while (is_kw(w, "TEMP") || is_kw(w, "TEMPORARY") || is_kw(w, "UNLOGGED") || is_kw(w, "MATERIALIZED") ||
           is_kw(w, "RECURSIVE") || is_kw(w, "GLOBAL") || is_kw(w, "LOCAL") || is_kw(w, "FOREIGN")) {
      w = next(p);
    }
    bool match = false;
    for (auto k : kinds) match = match || is_kw(w, k);
    if (!match) continue;
    std::string_view n = next(p);
    if (is_kw(n, "IF")) {
      next(p);  // NOT / EXISTS
      n = next(p);
      if (is_kw(n, "EXISTS")) n = next(p);
    }
    if (!create && is_kw(n, "ONLY")) n = next(p);
    auto parts = name(n, p);
    if (create) {
      if (key_of(parts) == key) return true;
      continue;
    }
    // ALTER ... RENAME TO <new name>, in the schema of the renamed object.
    for (std::string_view u = next(p); !u.empty() && u != ";"; u = next(p)) {
      if (!is_kw(u, "RENAME")) continue;
      std::size_t q = p;
      if (!is_kw(next(q), "TO")) continue;
      parts.back() = detail::ident(next(q));
      if (key_of(parts) == key) return true;
      break;
    }
  }
  return false;
}

}  // namespace driftguard::rename
