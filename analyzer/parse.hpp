// Statement splitting and parsing of one SQL file, including the SQL inside DO blocks and the PL/pgSQL bodies of
// functions.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "analyzer/finding.hpp"
#include "analyzer/pgtree.hpp"
#include "analyzer/pgquery.hpp"

namespace driftguard {

struct Statement {
  Span span;               // trimmed: first to last byte of the statement, without the ';'
  std::size_t base = 0;    // add to node "location" values to get file offsets
  pg::TreeRef node;        // {"DropStmt": {...}}, in the file's tree (shared by its statements)
  std::string kind;        // "DropStmt"
  int do_depth = 0;        // > 0: the statement runs inside a DO block
  bool guarded = false;    // inside an IF (catalog check) or an exception handler that makes it re-runnable
  std::string guard;       // what guards it, for messages ("IF NOT EXISTS check", "EXCEPTION WHEN duplicate_object")
  bool approximate = false;  // node locations inside could not be mapped exactly (single-quoted DO body)
};

struct SyntaxError {
  Span span;
  std::string message;
};

struct ParsedFile {
  std::vector<Statement> statements;  // in execution order; DO-block statements follow their DO statement
  std::vector<SyntaxError> errors;
  std::vector<pg::Comment> comments;  // only collected when `want_comments`
  int meta_commands = 0;              // psql meta-commands (\set, \connect, ...) skipped
  int copy_data_blocks = 0;           // COPY ... FROM stdin data skipped
  int psql_variables = 0;             // statements parsed with psql variables (:name) left unsubstituted
};

struct ParseOptions {
  bool want_comments = false;
  // A text from this size on is parsed in runs of statements (split where the grammar ends a statement: quotes,
  // dollar quotes, comments, parentheses, BEGIN ATOMIC bodies), so that libpg_query's memory for one call (its
  // tree, its JSON, ~26 times the SQL) is bounded by a run, not by the file; smaller texts in one call (one call
  // per file is cheaper). The statements, their spans and trees are the same either way (tests/test_parse.cpp).
  std::size_t runs_from_bytes = 256 * 1024;
  std::size_t run_statements = 64;     // a run's most statements
  std::size_t run_bytes = 64 * 1024;   // a run ends at the statement that reaches this size
};

ParsedFile parse_sql(std::string_view text, const ParseOptions& opts = {});
// parse_sql for a caller that consumes statements as they are parsed: `each` is called after every run with the
// statements and syntax errors parsed since its last call, in file order (the same, concatenated, as parse_sql's),
// and may move them out; comments and the counters arrive with the last call. A text below
// `opts.runs_from_bytes` is one run. Static drift's SQL side replays a large file this way (Replayer::apply_file_runs)
// without holding every run's tree at once.
void parse_sql_runs(std::string_view text, const ParseOptions& opts, const std::function<void(ParsedFile&)>& each);

}  // namespace driftguard
