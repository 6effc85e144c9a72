// RAII wrappers around libpg_query (PostgreSQL 15 grammar).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace driftguard::pg {

struct Error {
  std::string message;
  int cursorpos = 0;  // 1-based, in characters; 0 = unknown
};

struct ParseOutcome {
  std::string json;  // the parse tree as JSON when ok (deparse(): the SQL text)
  std::optional<Error> error;
};

// Parses SQL; `sql` must be NUL-terminated (std::string guarantees it).
ParseOutcome parse(const std::string& sql);
// Parses a CREATE FUNCTION ... LANGUAGE plpgsql statement into PL/pgSQL function trees (JSON).
ParseOutcome parse_plpgsql(const std::string& sql);

struct Comment {
  std::size_t begin;
  std::size_t end;
};
struct ScanOutcome {
  std::vector<Comment> comments;
  std::optional<Error> error;
};
// Parses SQL and prints it back with libpg_query's deparser (canonical spacing, keyword case and quoting).
ParseOutcome deparse(const std::string& sql);

// Lexes SQL with PostgreSQL's scanner and returns the comment tokens (SQL_COMMENT and C_COMMENT).
ScanOutcome scan_comments(const std::string& sql);

// Releases libpg_query's top-level memory context; call once at shutdown.
void shutdown();

}  // namespace driftguard::pg
