#include "introspect/shadow.hpp"

#include <libpq-fe.h>

#include <memory>

#include "analyzer/parse.hpp"
#include "analyzer/text.hpp"
#include "introspect/db/cluster.hpp"

namespace driftguard::shadow {

namespace {

struct PgConnDeleter {
  void operator()(PGconn* c) const { PQfinish(c); }
};
struct PgResultDeleter {
  void operator()(PGresult* r) const { PQclear(r); }
};

std::string first_line(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

}  // namespace

Result replay(const std::vector<File>& files, const catalog::Options& opts, std::ostream* log) {
  Result out;
  auto cluster = db::TempCluster::start();
  if (log != nullptr) *log << "shadow: cluster in " << cluster->dir() << ", port " << cluster->port() << std::endl;
  std::string info = cluster->create_database("shadow");
  std::unique_ptr<PGconn, PgConnDeleter> conn(PQconnectdb(info.c_str()));
  if (PQstatus(conn.get()) != CONNECTION_OK) {
    throw db::ClusterError("cannot connect to the shadow database: " + first_line(PQerrorMessage(conn.get())));
  }
  out.server_version = std::to_string(PQserverVersion(conn.get()) / 10000) + "." +
                       std::to_string(PQserverVersion(conn.get()) % 10000);
  // Notices (CREATE ... IF NOT EXISTS skipping) are not ours to print.
  PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  // Runs `sql`; on failure records a shadow-error at `base` + PostgreSQL's error position within `sql`.
  auto run = [&](const SourceFile& file, const LineMap& lines, const std::string& sql, std::size_t base) {
    std::unique_ptr<PGresult, PgResultDeleter> res(PQexec(conn.get(), sql.c_str()));
    ExecStatusType status = PQresultStatus(res.get());
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK || status == PGRES_EMPTY_QUERY ||
        status == PGRES_COPY_IN || status == PGRES_COPY_OUT) {
      if (status == PGRES_COPY_IN) PQputCopyEnd(conn.get(), nullptr);  // COPY data is not schema
      while (PGresult* r = PQgetResult(conn.get())) PQclear(r);
      return true;
    }
    const char* primary = PQresultErrorField(res.get(), PG_DIAG_MESSAGE_PRIMARY);
    const char* pos = PQresultErrorField(res.get(), PG_DIAG_STATEMENT_POSITION);
    std::size_t at = base;
    if (pos != nullptr) at += char_index_to_offset(sql, std::atoi(pos));  // a 1-based character index
    Finding f;
    f.rule = kShadowError;
    f.severity = Severity::error;
    f.file = file.path;
    f.span = Span{at, at};
    f.start = lines.position(at);
    f.end = f.start;
    f.message = "PostgreSQL " + out.server_version + " refused this statement: " +
                (primary != nullptr ? std::string(primary) : first_line(PQerrorMessage(conn.get())));
    out.findings.push_back(f);
    return false;
  };
  bool failed = false;
  for (const auto& [file, mode] : files) {
    if (file.info.direction == Direction::down) continue;
    if (failed) {
      ++out.not_applied;
      continue;
    }
    if (log != nullptr) *log << "shadow: applying " << file.path << std::endl;
    ParsedFile parsed = parse_sql(file.text);
    LineMap lines(file.text);
    // transaction: BEGIN ... COMMIT around the file. request: the same, and a COMMIT in the file starts a new
    // implicit block for what follows (as PostgreSQL does in a multi-statement request) — run statement by
    // statement so that an error names its statement exactly.
    bool wrap = mode != FileMode::statements;
    if (wrap) run(file, lines, "BEGIN", 0);
    for (const auto& st : parsed.statements) {
      if (st.do_depth > 0) continue;  // runs as part of its DO block
      if (mode == FileMode::request && PQtransactionStatus(conn.get()) == PQTRANS_IDLE) run(file, lines, "BEGIN", 0);
      ++out.statements;
      if (!run(file, lines, file.text.substr(st.span.begin, st.span.end - st.span.begin), st.span.begin)) {
        failed = true;
        break;
      }
    }
    if (wrap && !failed && PQtransactionStatus(conn.get()) == PQTRANS_INTRANS) failed = !run(file, lines, "COMMIT", 0);
    // Each file runs in a session of its own, as in the static replay: a transaction left open (or failed) is
    // rolled back, settings (search_path) and temporary objects end with the file.
    if (PQtransactionStatus(conn.get()) != PQTRANS_IDLE) {
      std::unique_ptr<PGresult, PgResultDeleter> r(PQexec(conn.get(), "ROLLBACK"));
    }
    std::unique_ptr<PGresult, PgResultDeleter> reset(PQexec(conn.get(), "DISCARD ALL"));
    if (!failed) ++out.files;
  }
  conn.reset();
  db::ConnectOptions co;
  co.url = info;
  out.model = catalog::read(co, opts);
  cluster->stop();
  if (log != nullptr) *log << "shadow: cluster stopped and removed" << std::endl;
  return out;
}

}  // namespace driftguard::shadow
