// The oracle of the catalog and normalization tests: SQL applied to a real database and read back with the
// catalog reader must give the model the replay of the same SQL gives, both ways.
#pragma once

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "analyzer/model/replay.hpp"
#include "introspect/catalog.hpp"
#include "introspect/diff.hpp"
#include "tests/pg_server.hpp"

namespace dgtest {

// The model a SQL text replays to; every replay finding fails the test.
inline driftguard::model::SchemaModel replayed(const std::string& sql) {
  driftguard::model::Replayer r;
  std::vector<driftguard::Finding> findings;
  r.apply_sql(sql, driftguard::SourceRef{"test.sql", 1, 1}, findings);
  for (const auto& f : findings) FAIL_CHECK("replay: " << f.message);
  return r.take();
}

inline driftguard::model::SchemaModel live(const std::string& conn, const driftguard::catalog::Options& o = {}) {
  driftguard::db::ConnectOptions c;
  c.url = conn;
  return driftguard::catalog::read(c, o);
}

// "kind path: expected | actual" per drift item.
inline std::string items(const std::vector<driftguard::diff::DriftItem>& v) {
  std::string out;
  for (const auto& i : v) out += i.kind + " " + i.path + ": " + i.expected.value + " | " + i.actual.value + "\n";
  return out;
}

// Applies the SQL to a fresh database, reads it back, and checks that replaying the same SQL gives the same model.
inline driftguard::model::SchemaModel round_trip(const std::string& sql, const std::string& tag) {
  std::string db = pg::fresh_database(tag);
  pg::exec(db, sql);
  driftguard::model::SchemaModel got = live(db);
  driftguard::model::SchemaModel want = replayed(sql);
  INFO("replayed vs catalog");
  CHECK(items(driftguard::diff::diff(want, got)) == "");
  CHECK(items(driftguard::diff::diff(got, want)) == "");
  return got;
}

}  // namespace dgtest
