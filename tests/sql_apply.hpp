// Sends a SQL file to a test database as a migration tool would: one request (a multi-statement query: one implicit
// transaction block), or, when PostgreSQL refuses that for a statement (CONCURRENTLY), statement by statement in
// autocommit as psql -f does.
#pragma once

#include <pqxx/pqxx>

#include <string>

#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "introspect/shadow.hpp"
#include "tests/pg_server.hpp"

namespace dgtest {

// "" or PostgreSQL's error (first line).
inline std::string apply_sql(const std::string& conn, const driftguard::SourceFile& file) {
  try {
    pg::exec(conn, file.text);
    return "";
  } catch (const std::exception& e) {
    std::string msg = e.what();
    if (msg.find("cannot run inside a transaction block") == std::string::npos) return msg.substr(0, msg.find('\n'));
  }
  driftguard::ParsedFile parsed = driftguard::parse_sql(file.text);
  pqxx::connection c(conn);
  for (const auto& span : driftguard::shadow::statements_to_send(file, parsed)) {
    try {
      pqxx::nontransaction tx(c);
      tx.exec(file.text.substr(span.begin, span.end - span.begin));
    } catch (const std::exception& e) {
      std::string msg = e.what();
      return msg.substr(0, msg.find('\n'));
    }
  }
  return "";
}

}  // namespace dgtest
