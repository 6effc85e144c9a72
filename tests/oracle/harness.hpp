// Harness 1: a history applied to PostgreSQL (a fresh database of the test server, file by file, each file in its
// own session, statement by statement in autocommit as a plain runner does, stopping at the first statement
// PostgreSQL refuses) and replayed statically by driftguard; the catalog model and the replayed model must be
// equal, and a statement PostgreSQL refuses must be the replay's first replay-error. On a disagreement, shrink()
// removes files, statements and clauses while the same disagreement class remains.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "tests/oracle/generator.hpp"

namespace oracle {

struct Position {
  int file = -1;  // 0-based file of the history; -1 = none
  int line = -1;  // 1-based line in that file (one statement per line)
  bool operator==(const Position&) const = default;
};

struct Outcome {
  Position refused;              // the statement PostgreSQL refused
  std::string pg_error;          // its message
  Position replay_error;         // driftguard's first replay-error
  std::string replay_message;
  std::vector<std::string> drift;  // "kind path: replayed | catalog" for each item between the two models
  int statements_applied = 0;      // statements PostgreSQL ran before stopping

  bool agree() const { return classes().empty(); }
  // The disagreement classes: "refused-by-postgresql-only", "refused-by-replay-only", "refused-elsewhere",
  // "drift:<kind>".
  std::set<std::string> classes() const;
  std::string describe() const;  // what each side did, one line per fact
};

// `server`: the superuser conninfo of the test server, without dbname (tests/pg_server.hpp).
Outcome run(const History& h, const std::string& server);

// The smallest history found that still shows `cls` (one of run(h).classes()); `checks` counts the runs.
History shrink(const History& h, const std::string& server, const std::string& cls, int* checks = nullptr);

// A reproducer to print: the outcome and the history.
std::string reproducer(const History& h, const Outcome& o);

}  // namespace oracle
