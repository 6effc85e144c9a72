#include "tests/oracle/harness.hpp"

#include <pqxx/pqxx>

#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "introspect/catalog.hpp"
#include "introspect/diff.hpp"
#include "tests/pg_server.hpp"

namespace oracle {

namespace {

std::string file_name(std::size_t f) { return "f" + std::to_string(f + 1) + ".sql"; }

std::string where(const Position& p) {
  return "file " + std::to_string(p.file + 1) + " line " + std::to_string(p.line);
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// The history up to and including the statement at `p` (what a runner that stops there has run).
History prefix(const History& h, const Position& p) {
  History out;
  for (int f = 0; f <= p.file; ++f) out.files.push_back(h.files[static_cast<std::size_t>(f)]);
  out.files.back().resize(static_cast<std::size_t>(p.line));
  return out;
}

}  // namespace

std::set<std::string> Outcome::classes() const {
  std::set<std::string> out;
  if (refused.file >= 0 && replay_error.file < 0) out.insert("refused-by-postgresql-only");
  if (replay_error.file >= 0 && refused.file < 0) out.insert("refused-by-replay-only");
  if (replay_error.file >= 0 && refused.file >= 0 && !(replay_error == refused)) out.insert("refused-elsewhere");
  for (const auto& d : drift) out.insert("drift:" + d.substr(0, d.find(' ')));
  return out;
}

std::string Outcome::describe() const {
  std::string out = "postgresql: ";
  out += refused.file >= 0 ? "refused " + where(refused) + ": " + pg_error : "applied every statement";
  out += "\ndriftguard: ";
  out += replay_error.file >= 0 ? "replay-error " + where(replay_error) + ": " + replay_message : "no replay error";
  out += "\n";
  for (const auto& d : drift) out += "drift (replayed | catalog): " + d + "\n";
  return out;
}

Outcome run(const History& h, const std::string& server) {
  (void)server;  // dgtest::pg::fresh_database creates it on this server (DRIFTGUARD_TEST_PG or its own)
  Outcome out;
  std::string db = dgtest::pg::fresh_database("oracle");
  std::string dbname;
  // Each file in a session of its own, statement by statement, autocommit; the first refusal stops the run.
  for (std::size_t f = 0; f < h.files.size() && out.refused.file < 0; ++f) {
    pqxx::connection c(db + " options='-c client_min_messages=warning'");
    if (dbname.empty()) dbname = c.dbname();
    for (std::size_t i = 0; i < h.files[f].size(); ++i) {
      try {
        pqxx::nontransaction tx(c);
        tx.exec(h.files[f][i]);
        ++out.statements_applied;
      } catch (const pqxx::sql_error& e) {
        out.refused = {static_cast<int>(f), static_cast<int>(i) + 1};
        out.pg_error = first_line(e.what());
        if (out.pg_error.rfind("ERROR:  ", 0) == 0) out.pg_error = out.pg_error.substr(8);
        break;
      }
    }
  }
  driftguard::db::ConnectOptions co;
  co.url = db;
  driftguard::model::SchemaModel live = driftguard::catalog::read(co);
  dgtest::pg::exec(dgtest::pg::conninfo("postgres"), "DROP DATABASE \"" + dbname + "\" WITH (FORCE)");

  // The same statements (up to the refused one) replayed by driftguard, file by file.
  const History replayed = out.refused.file >= 0 ? prefix(h, out.refused) : h;
  driftguard::model::Replayer r;
  std::vector<driftguard::Finding> findings;
  for (std::size_t f = 0; f < replayed.files.size(); ++f) {
    auto src = driftguard::make_source(file_name(f), replayed.file_text(f));
    std::size_t before = findings.size();
    r.apply_file(src, driftguard::parse_sql(src.text), findings);
    for (std::size_t k = before; k < findings.size() && out.replay_error.file < 0; ++k) {
      out.replay_error = {static_cast<int>(f), static_cast<int>(findings[k].start.line)};
      out.replay_message = findings[k].rule + ": " + findings[k].message;
    }
  }
  for (const auto& i : driftguard::diff::diff(r.model(), live)) {
    out.drift.push_back(i.kind + " " + i.path + ": " + i.expected.value + " | " + i.actual.value);
  }
  return out;
}

namespace {

History without_file(const History& h, std::size_t f) {
  History out = h;
  out.files.erase(out.files.begin() + static_cast<long>(f));
  return out;
}

// Removes statements [from, from + n) counted across files; files left empty go.
History without_statements(const History& h, std::size_t from, std::size_t n) {
  History out;
  std::size_t k = 0;
  for (const auto& f : h.files) {
    std::vector<std::string> kept;
    for (const auto& s : f) {
      if (k < from || k >= from + n) kept.push_back(s);
      ++k;
    }
    if (!kept.empty()) out.files.push_back(kept);
  }
  return out;
}

// Smaller variants of one statement: each item of a parenthesized, comma-separated list removed; each optional
// clause removed (a fixed phrase, or a keyword up to the next comma or closing parenthesis at its depth).
std::vector<std::string> simplifications(const std::string& s) {
  // depth of each character outside quotes; -1 inside a quoted string, identifier or dollar quote
  std::vector<int> depth(s.size(), -1);
  int d = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\'' || c == '"') {
      std::size_t j = i + 1;
      while (j < s.size() && s[j] != c) ++j;
      i = j;
      continue;
    }
    if (c == '$' && i + 1 < s.size() && s[i + 1] == '$') {
      std::size_t j = s.find("$$", i + 2);
      i = j == std::string::npos ? s.size() : j + 1;
      continue;
    }
    if (c == ')') --d;
    depth[i] = d;
    if (c == '(') ++d;
  }
  std::vector<std::string> out;
  // list items
  for (std::size_t open = 0; open < s.size(); ++open) {
    if (s[open] != '(' || depth[open] < 0) continue;
    int at = depth[open] + 1;
    std::vector<std::size_t> commas;
    std::size_t close = open + 1;
    for (; close < s.size(); ++close) {
      if (depth[close] == at && s[close] == ',') commas.push_back(close);
      if (depth[close] == at - 1 && s[close] == ')') break;
    }
    if (commas.empty() || close >= s.size()) continue;
    std::vector<std::size_t> bounds{open};
    bounds.insert(bounds.end(), commas.begin(), commas.end());
    bounds.push_back(close);
    for (std::size_t k = 0; k + 1 < bounds.size(); ++k) {
      // item k spans (bounds[k], bounds[k+1]); remove it with the comma before it (or after it, for the first)
      std::size_t b = k == 0 ? bounds[0] + 1 : bounds[k];
      std::size_t e = k == 0 ? bounds[1] + 1 : bounds[k + 1];
      std::string v = s.substr(0, b) + s.substr(e);
      if (k == 0 && v.size() > b && v[b] == ' ') v.erase(b, 1);
      out.push_back(v);
    }
  }
  // optional clauses
  const char* phrases[] = {" NOT VALID", " DEFERRABLE INITIALLY DEFERRED", " DEFERRABLE", " NOT DEFERRABLE",
                           " INITIALLY IMMEDIATE", " NULLS NOT DISTINCT", " IF NOT EXISTS", " IF EXISTS", " CASCADE",
                           " UNLOGGED", " WITH NO DATA", " NOT NULL", " MATCH FULL", " OR REPLACE", " PRIMARY KEY",
                           " DESC", " NULLS FIRST", " NULLS LAST", " STORED", " STRICT", " IMMUTABLE", " STABLE",
                           " ON DELETE CASCADE", " ON DELETE SET NULL", " ON DELETE SET DEFAULT", " ON DELETE RESTRICT",
                           " ON DELETE NO ACTION", " ON UPDATE CASCADE", " WITH (fillfactor=70)", " AS RESTRICTIVE",
                           " AS PERMISSIVE", " TO PUBLIC", " FOR EACH ROW", " CONSTRAINT"};
  for (const char* p : phrases) {
    for (std::size_t at = s.find(p); at != std::string::npos; at = s.find(p, at + 1)) {
      if (depth[at] >= 0) out.push_back(s.substr(0, at) + s.substr(at + std::string(p).size()));
    }
  }
  const char* keywords[] = {" DEFAULT ", " WHERE ", " CHECK ", " COLLATE ", " REFERENCES ", " INCLUDE ", " WITH (",
                            " USING ", " WITH CHECK ", " WHEN ", " GENERATED "};
  for (const char* k : keywords) {
    for (std::size_t at = s.find(k); at != std::string::npos; at = s.find(k, at + 1)) {
      if (depth[at] < 0) continue;
      std::size_t e = at + std::string(k).size();
      int lvl = depth[at];
      while (e < s.size() && !(depth[e] == lvl && s[e] == ',') && !(depth[e] == lvl - 1 && s[e] == ')')) ++e;
      out.push_back(s.substr(0, at) + s.substr(e));
    }
  }
  return out;
}

}  // namespace

History shrink(const History& h, const std::string& server, const std::string& cls, int* checks) {
  int local = 0;
  if (checks == nullptr) checks = &local;
  // The same class, and PostgreSQL refusing a statement (with the same message) or not as in the original: a
  // disagreement on what PostgreSQL builds must not shrink into one on what it refuses, nor one refusal into another.
  const Outcome original = run(h, server);
  const bool refuses = original.refused.file >= 0;
  auto still = [&](const History& c) {
    if (c.statement_count() == 0) return false;
    ++*checks;
    try {
      Outcome o = run(c, server);
      return o.classes().count(cls) > 0 && (o.refused.file >= 0) == refuses && o.pg_error == original.pg_error;
    } catch (const std::exception&) {
      return false;  // a variant the harness cannot run (the catalog reader refused it) shows another problem
    }
  };
  History cur = h;
  // What follows PostgreSQL's refusal never ran: cut it first.
  ++*checks;
  if (refuses) cur = prefix(cur, original.refused);
  for (bool progress = true; progress;) {
    progress = false;
    for (std::size_t f = cur.files.size(); f-- > 0 && cur.files.size() > 1;) {
      History c = without_file(cur, f);
      if (still(c)) {
        cur = c;
        progress = true;
      }
    }
    for (std::size_t chunk = std::max<std::size_t>(1, cur.statement_count() / 2); chunk >= 1; chunk /= 2) {
      for (std::size_t from = cur.statement_count(); from-- > 0;) {
        if (from + chunk > cur.statement_count()) continue;
        History c = without_statements(cur, from, chunk);
        if (still(c)) {
          cur = c;
          progress = true;
        }
      }
      if (chunk == 1) break;
    }
    // merge all files into one, when the class does not need the file boundaries
    if (cur.files.size() > 1) {
      History c;
      c.files.emplace_back();
      for (const auto& f : cur.files) c.files[0].insert(c.files[0].end(), f.begin(), f.end());
      if (still(c)) {
        cur = c;
        progress = true;
      }
    }
    for (std::size_t f = 0; f < cur.files.size(); ++f) {
      for (std::size_t i = 0; i < cur.files[f].size(); ++i) {
        for (bool again = true; again;) {
          again = false;
          for (const auto& v : simplifications(cur.files[f][i])) {
            History c = cur;
            c.files[f][i] = v;
            if (still(c)) {
              cur = c;
              again = progress = true;
              break;
            }
          }
        }
      }
    }
  }
  return cur;
}

std::string reproducer(const History& h, const Outcome& o) {
  std::string out;
  std::string d = o.describe();
  for (std::size_t at = 0; at < d.size();) {
    std::size_t nl = d.find('\n', at);
    out += "-- " + d.substr(at, nl - at) + "\n";
    at = nl + 1;
  }
  return out + h.text();
}

}  // namespace oracle
