// The lock oracle: every statement kind and ALTER TABLE sub-command the lock model (rules/locking/lock_model.cpp)
// knows is run on PostgreSQL, and the locks PostgreSQL took (pg_locks) must be the locks the model names.
//
// Statements that can run in a transaction: BEGIN; statement; read pg_locks of the backend; ROLLBACK. Compared per
// relation that existed before the statement (the strongest mode on each), ignoring what cannot block a schema
// change or a write: ACCESS SHARE / ROW SHARE on relations the model does not name (the rows a statement reads) and
// locks on indexes the model does not name (an ALTER TABLE locks its table's indexes with it).
// Statements that cannot run in a transaction (CONCURRENTLY, VACUUM): for each relation the model names, another
// session holds a lock on it that conflicts with everything but ACCESS SHARE (EXCLUSIVE on a table; SHARE UPDATE
// EXCLUSIVE on an index, through ALTER INDEX ... SET), and the lock the statement waits for there is read from
// pg_locks; the statement is then cancelled, and the schema is created afresh for the next one. (VACUUM looks its
// table up under ACCESS SHARE first: a holder of ACCESS EXCLUSIVE would only ever show that.)
#include <catch2/catch.hpp>

#include <libpq-fe.h>

#include <chrono>
#include <map>
#include <thread>

#include "analyzer/parse.hpp"
#include "pg_server.hpp"
#include "rules/locking/lock_model.hpp"

using namespace driftguard;

namespace {

const char* kSchema = R"sql(
CREATE TABLE u (id int PRIMARY KEY, n int);
CREATE TABLE t (id int PRIMARY KEY, a int, b text, c int, u_id int);
CREATE INDEX i ON t (a);
CREATE UNIQUE INDEX ui ON t (c);
CREATE UNIQUE INDEX ub ON t (b);
ALTER TABLE t ADD CONSTRAINT ck CHECK (a > 0) NOT VALID;
CREATE TABLE p (id int, k int) PARTITION BY RANGE (k);
CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);
CREATE TABLE p2 (id int, k int);
CREATE MATERIALIZED VIEW mv AS SELECT id FROM t;
CREATE UNIQUE INDEX mvi ON mv (id);
CREATE VIEW v AS SELECT id FROM t;
CREATE SEQUENCE s;
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;
CREATE TRIGGER tr BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f();
CREATE POLICY pol ON t USING (true);
CREATE RULE r AS ON UPDATE TO u DO ALSO NOTHING;
CREATE TABLE nn (id int, a int);
CREATE UNIQUE INDEX nn_id ON nn (id);
)sql";

LockMode mode_of(const std::string& pg) {
  static const std::map<std::string, LockMode> m{
      {"AccessShareLock", LockMode::access_share},
      {"RowShareLock", LockMode::row_share},
      {"RowExclusiveLock", LockMode::row_exclusive},
      {"ShareUpdateExclusiveLock", LockMode::share_update_exclusive},
      {"ShareLock", LockMode::share},
      {"ShareRowExclusiveLock", LockMode::share_row_exclusive},
      {"ExclusiveLock", LockMode::exclusive},
      {"AccessExclusiveLock", LockMode::access_exclusive}};
  auto it = m.find(pg);
  REQUIRE(it != m.end());
  return it->second;
}

struct Relation {
  std::string name;
  bool index = false;
  std::string table;  // of an index
};

// The relations of schema public before the statement, by oid.
std::map<long, Relation> relations(pqxx::connection& c) {
  pqxx::nontransaction tx(c);
  std::map<long, Relation> out;
  for (const auto& r : tx.exec(
           "SELECT c.oid::bigint, c.relname, c.relkind IN ('i', 'I'), coalesce(h.relname, '') FROM pg_class c "
           "LEFT JOIN pg_index x ON x.indexrelid = c.oid LEFT JOIN pg_class h ON h.oid = x.indrelid "
           "WHERE c.relnamespace = 'public'::regnamespace")) {
    out[r[0].as<long>()] = Relation{r[1].as<std::string>(), r[2].as<bool>(), r[3].as<std::string>()};
  }
  return out;
}

using Locks = std::map<std::string, LockMode>;

void strongest(Locks& locks, const std::string& rel, LockMode m) {
  auto& cur = locks[rel];
  if (m > cur) cur = m;
}

std::string text(const Locks& locks) {
  std::string out;
  for (const auto& [rel, m] : locks) {
    if (m == LockMode::none) continue;
    if (!out.empty()) out += "; ";
    out += rel + "=" + std::string(lock_name(m));
  }
  return out;
}

// The model's locks, by relation name (a lock on "the table of index i" resolved through the catalog).
Locks model_locks(const std::string& sql, const std::map<long, Relation>& rels) {
  auto pf = parse_sql(sql);
  REQUIRE(pf.errors.empty());
  REQUIRE(pf.statements.size() == 1);
  Locks out;
  for (const auto& l : locks_of(pf.statements[0].node)) {
    REQUIRE(!l.relation.empty());
    std::string name = l.relation.back();
    if (l.table_of_index) {
      std::string table;
      for (const auto& [oid, r] : rels) {
        if (r.name == name) table = r.table;
      }
      REQUIRE(!table.empty());
      name = table;
    }
    strongest(out, name, l.mode);
  }
  return out;
}

Locks locks_in_transaction(pqxx::connection& c, const std::string& sql, const std::map<long, Relation>& rels,
                           const Locks& model) {
  pqxx::work tx(c);
  tx.exec(sql);
  Locks out;
  for (const auto& r : tx.exec("SELECT relation::bigint, mode FROM pg_locks WHERE pid = pg_backend_pid() AND "
                               "locktype = 'relation' AND granted")) {
    auto it = rels.find(r[0].as<long>());
    if (it == rels.end()) continue;  // created by the statement, or a catalog
    const Relation& rel = it->second;
    LockMode m = mode_of(r[1].as<std::string>());
    bool named = model.count(rel.name) > 0;
    if (!named && (rel.index || m <= LockMode::row_share)) continue;
    strongest(out, rel.name, m);
  }
  tx.abort();
  return out;
}

// The lock the statement waits for on `relation` while another session holds ACCESS EXCLUSIVE on it (none when the
// statement ends without waiting there).
LockMode lock_waited_for(const std::string& conninfo, const std::string& sql, const std::string& relation,
                         bool index) {
  pqxx::connection holder(conninfo);
  pqxx::work hold(holder);
  hold.exec(index ? "ALTER INDEX " + relation + " SET (fillfactor = 90)"
                  : "LOCK TABLE " + relation + " IN EXCLUSIVE MODE");
  PGconn* s = PQconnectdb(conninfo.c_str());
  REQUIRE(PQstatus(s) == CONNECTION_OK);
  int pid = PQbackendPID(s);
  REQUIRE(PQsendQuery(s, sql.c_str()) == 1);
  pqxx::connection monitor(conninfo);
  LockMode waited = LockMode::none;
  auto until = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < until) {
    pqxx::nontransaction q(monitor);
    auto rows = q.exec("SELECT mode FROM pg_locks WHERE pid = " + std::to_string(pid) +
                       " AND NOT granted AND locktype = 'relation' AND relation = '" + relation + "'::regclass");
    if (!rows.empty()) {
      waited = mode_of(rows[0][0].as<std::string>());
      q.exec("SELECT pg_cancel_backend(" + std::to_string(pid) + ")");
      break;
    }
    if (PQconsumeInput(s) == 1 && PQisBusy(s) == 0) break;  // ended without waiting on it
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (waited == LockMode::none && PQisBusy(s) == 1) {
    pqxx::nontransaction q(monitor);
    q.exec("SELECT pg_cancel_backend(" + std::to_string(pid) + ")");
  }
  hold.abort();
  while (PGresult* r = PQgetResult(s)) PQclear(r);
  PQfinish(s);
  return waited;
}

void check_in_transaction(pqxx::connection& c, const std::string& sql) {
  auto rels = relations(c);
  Locks model = model_locks(sql, rels);
  INFO(sql);
  CHECK(text(locks_in_transaction(c, sql, rels, model)) == text(model));
}

void create_schema(const std::string& conninfo) {
  dgtest::pg::exec(conninfo, std::string("DROP SCHEMA public CASCADE; CREATE SCHEMA public;") + kSchema);
}

void check_outside_transaction(pqxx::connection& c, const std::string& conninfo, const std::string& sql) {
  auto rels = relations(c);
  Locks model = model_locks(sql, rels);
  INFO(sql);
  REQUIRE(!model.empty());
  Locks pg;
  for (const auto& [rel, m] : model) {
    bool index = false;
    for (const auto& [oid, r] : rels) index = index || (r.name == rel && r.index);
    strongest(pg, rel, lock_waited_for(conninfo, sql, rel, index));
    create_schema(conninfo);
  }
  CHECK(text(pg) == text(model));
}

}  // namespace

TEST_CASE("lock oracle: every statement of the lock model takes on PostgreSQL the locks the model names",
          "[locks][oracle][pg]") {
  std::string db = dgtest::pg::fresh_database("locks");
  create_schema(db);
  pqxx::connection c(db);

  SECTION("ALTER TABLE sub-commands") {
    for (const char* sql : {
             "ALTER TABLE t ALTER COLUMN a SET STATISTICS 100",
             "ALTER TABLE t ALTER COLUMN a SET (n_distinct = 1)",
             "ALTER TABLE t ALTER COLUMN a RESET (n_distinct)",
             "ALTER TABLE t CLUSTER ON i",
             "ALTER TABLE t SET WITHOUT CLUSTER",
             "ALTER TABLE t SET (fillfactor = 70)",
             "ALTER TABLE t RESET (fillfactor)",
             "ALTER TABLE t SET (autovacuum_enabled = false)",
             "ALTER TABLE t SET (user_catalog_table = true)",
             "ALTER TABLE t RESET (user_catalog_table)",
             "ALTER TABLE t SET (fillfactor = 70, user_catalog_table = true)",
             "ALTER VIEW v SET (security_barrier = true)",
             "ALTER VIEW v RESET (security_barrier)",
             "ALTER MATERIALIZED VIEW mv SET (fillfactor = 70)",
             "ALTER INDEX i SET (fillfactor = 70)",
             "ALTER TABLE t VALIDATE CONSTRAINT ck",
             "ALTER TABLE p ATTACH PARTITION p2 FOR VALUES FROM (10) TO (20)",
             "ALTER TABLE p DETACH PARTITION p1",
             "ALTER TABLE t DISABLE TRIGGER tr",
             "ALTER TABLE t ENABLE TRIGGER ALL",
             "ALTER TABLE t DISABLE TRIGGER USER",
             "ALTER TABLE t ENABLE ALWAYS TRIGGER tr",
             "ALTER TABLE t ENABLE REPLICA TRIGGER tr",
             "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id)",
             "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID",
             "ALTER TABLE t ADD CONSTRAINT fk FOREIGN KEY (u_id) REFERENCES u (id), ADD COLUMN z int",
             "ALTER TABLE t ADD CONSTRAINT c2 CHECK (a > 1)",
             "ALTER TABLE t ADD CONSTRAINT uq UNIQUE (b)",
             "ALTER TABLE t ADD CONSTRAINT uq UNIQUE USING INDEX ub",
             "ALTER TABLE nn ADD PRIMARY KEY USING INDEX nn_id",
             "ALTER TABLE t ADD CONSTRAINT ex EXCLUDE USING btree (id WITH =)",
             "ALTER TABLE t ADD COLUMN z int",
             "ALTER TABLE t ADD COLUMN z int REFERENCES u (id)",
             "ALTER TABLE t DROP COLUMN b",
             "ALTER TABLE t ALTER COLUMN a SET NOT NULL",
             "ALTER TABLE t ALTER COLUMN a DROP NOT NULL",
             "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1",
             "ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
             "ALTER TABLE t ALTER COLUMN a TYPE bigint",
             "ALTER TABLE t ALTER COLUMN b SET STORAGE EXTERNAL",
             "ALTER TABLE t ALTER COLUMN b SET COMPRESSION pglz",
             "ALTER TABLE t DROP CONSTRAINT ck",
             "ALTER TABLE t ENABLE ROW LEVEL SECURITY",
             "ALTER TABLE t NO FORCE ROW LEVEL SECURITY",
             "ALTER TABLE t OWNER TO postgres",
             "ALTER TABLE t SET LOGGED",
             "ALTER TABLE t REPLICA IDENTITY FULL",
             "ALTER TABLE t SET ACCESS METHOD heap",
             "ALTER TABLE t SET TABLESPACE pg_default",
             "ALTER TABLE t RENAME TO t2",
             "ALTER TABLE t RENAME COLUMN a TO a2",
             "ALTER TABLE t RENAME CONSTRAINT ck TO ck2",
             "ALTER INDEX i RENAME TO j",
             "ALTER VIEW v RENAME TO v2",
             "ALTER SEQUENCE s RENAME TO s2",
             "ALTER MATERIALIZED VIEW mv RENAME TO mv2",
         }) {
      check_in_transaction(c, sql);
    }
  }

  SECTION("other statements") {
    for (const char* sql : {
             "CREATE INDEX j ON t (b)",
             "CREATE TABLE x (id int REFERENCES u (id))",
             "CREATE TABLE x () INHERITS (p2)",
             "CREATE TABLE x PARTITION OF p FOR VALUES FROM (20) TO (30)",
             "DROP TABLE u CASCADE",
             "DROP INDEX i",
             "DROP VIEW v",
             "DROP MATERIALIZED VIEW mv",
             "DROP SEQUENCE s",
             "DROP TRIGGER tr ON t",
             "DROP POLICY pol ON t",
             "DROP RULE r ON u",
             "TRUNCATE u CASCADE",
             "REINDEX TABLE t",
             "REINDEX INDEX i",
             "REINDEX (CONCURRENTLY false) INDEX i",
             "CLUSTER t USING i",
             "REFRESH MATERIALIZED VIEW mv",
             "REFRESH MATERIALIZED VIEW CONCURRENTLY mv",
             "LOCK TABLE t IN SHARE MODE",
             "LOCK TABLE t IN ROW EXCLUSIVE MODE",
             "LOCK TABLE t",
             "CREATE TRIGGER tr2 BEFORE INSERT ON t FOR EACH ROW EXECUTE FUNCTION f()",
             "CREATE POLICY pol2 ON t USING (true)",
             "ALTER POLICY pol ON t USING (false)",
             "CREATE RULE r2 AS ON DELETE TO u DO ALSO NOTHING",
             "INSERT INTO t (id) VALUES (1)",
             "UPDATE t SET a = 1",
             "DELETE FROM t",
             "CREATE STATISTICS st ON a, b FROM t",
             "COMMENT ON TABLE t IS 'x'",
             "COMMENT ON COLUMN t.a IS 'x'",
             "COMMENT ON INDEX i IS 'x'",
             "COMMENT ON VIEW v IS 'x'",
             "COMMENT ON CONSTRAINT ck ON t IS 'x'",
             "GRANT SELECT ON t TO public",
         }) {
      check_in_transaction(c, sql);
    }
  }

  SECTION("statements that cannot run in a transaction") {
    for (const char* sql : {
             "CREATE INDEX CONCURRENTLY j ON t (b)",
             "DROP INDEX CONCURRENTLY i",
             "REINDEX INDEX CONCURRENTLY i",
             "REINDEX (CONCURRENTLY) TABLE t",
             "REINDEX (CONCURRENTLY true) TABLE t",
             "VACUUM t",
             "VACUUM (FULL off) t",
             "VACUUM (FULL) t",
             "VACUUM FULL t",
             "VACUUM (FULL false, ANALYZE) t",
             "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY",
         }) {
      check_outside_transaction(c, db, sql);
    }
  }

  SECTION("REINDEX SCHEMA: SHARE on each table, ACCESS EXCLUSIVE on each index (require-concurrent-reindex)") {
    // (REINDEX DATABASE: the same per table, measured by hand; in a test it first reindexes every system catalog.)
    for (const std::string& sql : {std::string("REINDEX SCHEMA public")}) {
      INFO(sql);
      CHECK(lock_waited_for(db, sql, "t", false) == LockMode::share);
      create_schema(db);
      CHECK(lock_waited_for(db, sql, "i", true) == LockMode::access_exclusive);
      create_schema(db);
    }
  }
}

// lock-held-across-statements leaves out a relation the transaction dropped and does not create again: a query that
// waits for its lock fails once the drop commits, whether the lock was held for a moment or for the whole
// migration; a query on a relation dropped and re-created under its name reads the new one after the commit, so
// holding that lock does block work that would succeed.
TEST_CASE("lock oracle: a query waiting on a relation the holder drops fails after the commit, unless re-created",
          "[locks][oracle][pg]") {
  std::string db = dgtest::pg::fresh_database("dropwait");
  dgtest::pg::exec(db, "CREATE TABLE gone (id int); CREATE VIEW back AS SELECT 1 AS v;");
  // Runs `holder_sql` in a transaction, starts `query` in another session, waits until it waits for a lock, commits
  // the transaction and returns the query's value or error message.
  auto after_commit = [&](const std::string& holder_sql, const std::string& query) {
    pqxx::connection holder(db);
    pqxx::work w(holder);
    w.exec(holder_sql);
    PGconn* s = PQconnectdb(db.c_str());
    REQUIRE(PQstatus(s) == CONNECTION_OK);
    const int pid = PQbackendPID(s);
    REQUIRE(PQsendQuery(s, query.c_str()) == 1);
    pqxx::connection monitor(db);
    bool waiting = false;
    for (int i = 0; i < 1000 && !waiting; ++i) {
      pqxx::nontransaction q(monitor);
      waiting = !q.exec("SELECT 1 FROM pg_locks WHERE pid = " + std::to_string(pid) + " AND NOT granted").empty();
      if (!waiting) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    CHECK(waiting);
    w.commit();
    std::string out;
    while (PGresult* r = PQgetResult(s)) {
      if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
      if (PQresultStatus(r) == PGRES_FATAL_ERROR) out = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
      PQclear(r);
    }
    PQfinish(s);
    return out;
  };
  CHECK(after_commit("DROP TABLE gone", "SELECT count(*) FROM gone") == "relation \"gone\" does not exist");
  CHECK(after_commit("DROP VIEW back; CREATE VIEW back AS SELECT 2 AS v", "SELECT v FROM back") == "2");
}
