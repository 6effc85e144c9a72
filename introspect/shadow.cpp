#include "introspect/shadow.hpp"

#include "analyzer/marker_lines.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <regex>

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

// The extension a CREATE EXTENSION failed for because the server does not have it, or "". PostgreSQL 15 says
// `could not open extension control file ".../vector.control": No such file or directory`; 16 and later say
// `extension "vector" is not available`.
std::string missing_extension(const std::string& message) {
  static const std::regex control(R"re(could not open extension control file "[^"]*/([^/"]+)\.control")re");
  static const std::regex available(R"re(extension "([^"]+)" is not available)re");
  std::smatch m;
  if (std::regex_search(message, m, control) || std::regex_search(message, m, available)) return m[1].str();
  return "";
}

// Where a missing extension comes from, for the message.
std::string extension_hint(const std::string& name) {
  static const std::map<std::string, std::string> debian = {
      {"vector", "pgvector: Debian package postgresql-15-pgvector (trixie, bookworm-backports)"},
      {"pg_cron", "Debian package postgresql-15-cron"},
      {"postgis", "Debian package postgresql-15-postgis-3"},
      {"hypopg", "Debian package postgresql-15-hypopg"},
      {"pgtap", "Debian package postgresql-15-pgtap"},
      {"pg_partman", "Debian package postgresql-15-partman"},
  };
  auto it = debian.find(name);
  if (it != debian.end()) return it->second;
  return "it ships with Supabase's Postgres image; Debian has no package for it";
}

// A platform schema whose objects come from an extension a plain PostgreSQL does not ship: the extension, when
// an error names an object of that schema ("relation \"vault.secrets\" does not exist").
std::string platform_extension_of(const std::string& message) {
  static const std::vector<std::pair<std::string, std::string>> schemas = {
      {"vault.", "extension \"supabase_vault\""}, {"pgmq.", "extension \"pgmq\""},
      {"net.", "extension \"pg_net\""},           {"graphql.", "extension \"pg_graphql\""},
      {"pgsodium.", "extension \"pgsodium\""},    {"cron.", "extension \"pg_cron\""}};
  for (const auto& [prefix, extension] : schemas) {
    for (std::size_t at = message.find(prefix); at != std::string::npos; at = message.find(prefix, at + 1)) {
      char before = at == 0 ? ' ' : message[at - 1];
      if (before == '"' || before == ' ' || before == '(') return extension;
    }
  }
  return "";
}

bool mentions(const std::string& text, const std::string& word) {
  auto it = std::search(text.begin(), text.end(), word.begin(), word.end(),
                        [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
  return it != text.end();
}

}  // namespace

std::vector<Span> statements_to_send(const SourceFile& file, const ParsedFile& parsed) {
  std::vector<Span> out;
  const auto down = down_sections(file.text);  // goose/dbmate: the down section does not run with the migration
  for (const auto& st : parsed.statements) {
    // a DO block's statements run as part of it
    if (st.do_depth == 0 && !in_sections(down, st.span.begin)) out.push_back(st.span);
  }
  if (parsed.errors.empty()) return out;
  // A statement libpg_query (PostgreSQL 15's grammar) cannot read may still be valid for the server: send the
  // piece of text it is in, unless that piece holds a parsed statement (an error inside a function body).
  for (const auto& piece : lex::split_statements(file.text)) {
    std::size_t begin = lex::skip_trivia(file.text, piece.begin);
    std::size_t end = lex::trim_end(file.text, begin, piece.end);
    if (begin >= end) continue;
    bool has_error = std::any_of(parsed.errors.begin(), parsed.errors.end(), [&](const SyntaxError& e) {
      return e.span.begin >= begin && e.span.begin < std::max(end, begin + 1);
    });
    bool parsed_here = std::any_of(out.begin(), out.end(), [&](const Span& sp) { return sp.begin < end && begin < sp.end; });
    if (has_error && !parsed_here && !in_sections(down, begin)) out.push_back(Span{begin, end});
  }
  std::sort(out.begin(), out.end(), [](const Span& a, const Span& b) { return a.begin < b.begin; });
  return out;
}

Result replay(const std::vector<File>& files, const catalog::Options& opts, std::ostream* log,
              const std::vector<SourceFile>& baseline) {
  Result out;
  // pg_cron refuses to be created unless the server preloads it (for the database it schedules in).
  bool cron = std::any_of(files.begin(), files.end(), [](const File& f) { return mentions(f.source.text, "pg_cron"); });
  std::unique_ptr<db::TempCluster> cluster;
  if (cron) {
    try {
      cluster = db::TempCluster::start({"shared_preload_libraries=pg_cron", "cron.database_name=shadow"});
    } catch (const db::ClusterError&) {
      cluster.reset();  // this server has no pg_cron: CREATE EXTENSION will say so
    }
  }
  if (!cluster) cluster = db::TempCluster::start();
  if (log != nullptr) *log << "shadow: cluster in " << cluster->dir() << ", port " << cluster->port() << std::endl;
  std::string info = cluster->create_database("shadow");
  std::unique_ptr<PGconn, PgConnDeleter> conn;
  auto connect = [&] {
    conn.reset(PQconnectdb(info.c_str()));
    if (PQstatus(conn.get()) != CONNECTION_OK) {
      throw db::ClusterError("cannot connect to the shadow database: " + first_line(PQerrorMessage(conn.get())));
    }
    // Notices (CREATE ... IF NOT EXISTS skipping) are not ours to print.
    PQsetNoticeProcessor(conn.get(), [](void*, const char*) {}, nullptr);
  };
  connect();
  out.server_version = std::to_string(PQserverVersion(conn.get()) / 10000) + "." +
                       std::to_string(PQserverVersion(conn.get()) % 10000);
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
    std::string message = primary != nullptr ? std::string(primary) : first_line(PQerrorMessage(conn.get()));
    std::string extension = missing_extension(message);
    if (!extension.empty()) {
      f.message = "extension \"" + extension + "\" is not available on this server (PostgreSQL " + out.server_version +
                  " of the throwaway cluster; " + extension_hint(extension) +
                  "): the history cannot be replayed here, which says nothing about drift";
    } else {
      f.message = "PostgreSQL " + out.server_version + " refused this statement: " + message;
      std::string from = platform_extension_of(message);
      if (!from.empty()) {
        f.message += " (" + from + " is not available on this server, so the platform's objects it would create are "
                     "missing: this says nothing about drift)";
      }
    }
    out.findings.push_back(f);
    return false;
  };
  bool failed = false;
  for (const auto& base : baseline) {
    if (log != nullptr) *log << "shadow: applying the platform baseline " << base.path << std::endl;
    LineMap lines(base.text);
    ParsedFile parsed = parse_sql(base.text);
    for (const auto& span : statements_to_send(base, parsed)) {
      if (!run(base, lines, base.text.substr(span.begin, span.end - span.begin), span.begin)) {
        failed = true;
        break;
      }
    }
  }
  // A new session: role settings the baseline made (Supabase: postgres's search_path has `extensions`) apply from
  // the next connection on, as for the migration tool that connects after the platform was set up.
  if (!baseline.empty()) connect();
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
    for (const auto& span : statements_to_send(file, parsed)) {
      if (mode == FileMode::request && PQtransactionStatus(conn.get()) == PQTRANS_IDLE) run(file, lines, "BEGIN", 0);
      ++out.statements;
      if (!run(file, lines, file.text.substr(span.begin, span.end - span.begin), span.begin)) {
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
