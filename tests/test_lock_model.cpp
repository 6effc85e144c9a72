#include <catch2/catch.hpp>

#include "analyzer/parse.hpp"
#include "rules/locking/lock_model.hpp"

using namespace driftguard;

namespace {
std::string locks(const std::string& sql) {
  auto pf = parse_sql(sql);
  REQUIRE(pf.errors.empty());
  REQUIRE(!pf.statements.empty());
  std::string out;
  for (const auto& l : locks_of(pf.statements[0].node)) {
    if (!out.empty()) out += "; ";
    out += std::string(lock_name(l.mode)) + " " + (l.table_of_index ? "table of " : "") +
           (l.relation.empty() ? "?" : l.relation.back());
  }
  return out;
}
}  // namespace

// What each statement takes on PostgreSQL is measured by tests/test_lock_oracle.cpp; these pin the model's output
// shape (which relation, in which order).
TEST_CASE("lock levels of the lock model", "[locks]") {
  CHECK(locks("CREATE INDEX i ON t (a)") == "SHARE t");
  CHECK(locks("CREATE INDEX CONCURRENTLY i ON t (a)") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("ALTER TABLE t ADD COLUMN c int") == "ACCESS EXCLUSIVE t");
  CHECK(locks("ALTER TABLE t VALIDATE CONSTRAINT c") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id)") ==
        "SHARE ROW EXCLUSIVE t; SHARE ROW EXCLUSIVE u");
  CHECK(locks("ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (a) REFERENCES u (id), ADD COLUMN b int") ==
        "ACCESS EXCLUSIVE t; SHARE ROW EXCLUSIVE u");
  CHECK(locks("ALTER TABLE t DISABLE TRIGGER ALL") == "SHARE ROW EXCLUSIVE t");
  CHECK(locks("ALTER TABLE p DETACH PARTITION c CONCURRENTLY") ==
        "SHARE UPDATE EXCLUSIVE p; SHARE UPDATE EXCLUSIVE c");
  CHECK(locks("CREATE TABLE a (id int REFERENCES b (id))") == "SHARE ROW EXCLUSIVE b");
  CHECK(locks("CREATE TABLE a (id int)") == "");
  CHECK(locks("CREATE TABLE a (id int PRIMARY KEY, parent int REFERENCES a (id))") == "");
  CHECK(locks("DROP INDEX CONCURRENTLY i") == "SHARE UPDATE EXCLUSIVE i; SHARE UPDATE EXCLUSIVE table of i");
  CHECK(locks("DROP INDEX i") == "ACCESS EXCLUSIVE i; ACCESS EXCLUSIVE table of i");
  CHECK(locks("DROP TABLE a, b") == "ACCESS EXCLUSIVE a; ACCESS EXCLUSIVE b");
  CHECK(locks("DROP TRIGGER tr ON s.t") == "ACCESS EXCLUSIVE t");
  CHECK(locks("TRUNCATE a") == "ACCESS EXCLUSIVE a");
  CHECK(locks("REINDEX TABLE t") == "SHARE t");
  CHECK(locks("REINDEX INDEX CONCURRENTLY i") == "SHARE UPDATE EXCLUSIVE i; SHARE UPDATE EXCLUSIVE table of i");
  CHECK(locks("REINDEX INDEX i") == "ACCESS EXCLUSIVE i; SHARE table of i");
  CHECK(locks("REINDEX (CONCURRENTLY false) TABLE t") == "SHARE t");
  CHECK(locks("REINDEX (CONCURRENTLY on) TABLE t") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("VACUUM FULL t") == "ACCESS EXCLUSIVE t");
  CHECK(locks("VACUUM t") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("VACUUM (FULL off) t") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("VACUUM (FULL 0) t") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("VACUUM (FULL true) t") == "ACCESS EXCLUSIVE t");
  CHECK(locks("COMMENT ON TABLE s.t IS 'x'") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("COMMENT ON COLUMN s.t.a IS 'x'") == "SHARE UPDATE EXCLUSIVE t");
  CHECK(locks("ALTER TABLE p ATTACH PARTITION c FOR VALUES IN (1)") ==
        "SHARE UPDATE EXCLUSIVE p; ACCESS EXCLUSIVE c");
  CHECK(locks("CLUSTER t USING i") == "ACCESS EXCLUSIVE t; ACCESS EXCLUSIVE i");
  CHECK(locks("LOCK TABLE t IN SHARE MODE") == "SHARE t");
  CHECK(locks("LOCK TABLE t") == "ACCESS EXCLUSIVE t");
  CHECK(locks("REFRESH MATERIALIZED VIEW CONCURRENTLY mv") == "EXCLUSIVE mv");
  CHECK(locks("CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()") == "SHARE ROW EXCLUSIVE t");
  CHECK(locks("UPDATE t SET a = 1 WHERE id = 2") == "ROW EXCLUSIVE t");
  CHECK(locks("ALTER INDEX i RENAME TO j") == "SHARE UPDATE EXCLUSIVE i");
}

TEST_CASE("lock sentences name the mode, the relation and what is blocked", "[locks]") {
  LockTaken l{{"public", "orders"}, LockMode::access_exclusive, "ALTER TABLE"};
  CHECK(lock_sentence(l) ==
        "takes ACCESS EXCLUSIVE on public.orders: blocks reads and writes until the transaction ends");
  CHECK(blocks_text(LockMode::share) == "blocks writes (reads continue)");
  CHECK_FALSE(blocks_writes(LockMode::share_update_exclusive));
  CHECK(blocks_writes(LockMode::share_row_exclusive));
}
