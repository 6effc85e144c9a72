// Harness 4 (docs/testing.md): every Prisma project of the shared corpus applied as `prisma migrate deploy` does
// (each migration.sql, in folder order, as one simple-protocol request: one implicit transaction), then four views
// of it:
//   prisma   `prisma-engine diff-db schema.prisma URL`: Prisma's drift script (empty = no drift for Prisma)
//   live     `driftguard drift --prisma schema.prisma --database-url URL`
//   static   `driftguard drift --prisma schema.prisma --migrations DIR`
//   history  `driftguard drift --migrations DIR --database-url URL` (must be empty: the replay is the database)
//   dump     `driftguard schema --from migrations:DIR` applied to a fresh database: `pg_dump --schema-only` of it
//            against that of the real one
// The numbers (and each item) of every project are pinned in fixtures/oracle/realworld-four-views.txt and compared
// exactly, so that any change shows; UPDATE_GOLDEN=1 rewrites it (review the diff). The same views on projects you
// collect: scripts/realworld-prisma.sh DIR (no pinning: it fails where a view disagrees).
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>

#include "tests/paths.hpp"
#include "git_repo.hpp"
#include "helpers.hpp"
#include "tests/pg_server.hpp"

namespace fs = std::filesystem;

namespace {

using Cmd = dgtest::Run;

// Runs a shell command line with no input.
Cmd sh(const std::string& cmd) { return dgtest::run_shell("(" + cmd + ") < /dev/null"); }

using dgtest::shell_quote;

// The value of `key` in a key=value conninfo (values as tests/pg_server.hpp writes them: plain or single-quoted).
std::string conninfo_value(const std::string& info, const std::string& key) {
  std::smatch m;
  if (std::regex_search(info, m, std::regex("(^| )" + key + "='((?:[^'\\\\]|\\\\.)*)'")) ||
      std::regex_search(info, m, std::regex("(^| )" + key + "=([^ ]*)")))
    return m[2];
  return "";
}

// The test server's database as a postgresql:// URL, for Prisma's engine (node-postgres).
std::string url_of(const std::string& info) {
  std::string host = conninfo_value(info, "host"), port = conninfo_value(info, "port");
  std::string user = conninfo_value(info, "user"), db = conninfo_value(info, "dbname");
  std::string url = "postgresql://" + (user.empty() ? "postgres" : user) + "@localhost/" + db;
  std::string q;
  if (!host.empty()) q += "host=" + host;
  if (!port.empty()) q += std::string(q.empty() ? "" : "&") + "port=" + port;
  return q.empty() ? url : url + "?" + q;
}

// The first line of a message that says something (Prisma's engine starts some with a blank line or a '|').
std::string first_line(const std::string& s) {
  std::istringstream in(s);
  std::string line;
  while (std::getline(in, line)) {
    if (line.find_first_not_of(" |\t") != std::string::npos) return line;
  }
  return "";
}

// "N items (E errors, U unmanaged)" and one line per item, from `drift --format json`.
std::string drift_view(const std::string& name, const Cmd& c) {
  if (c.code == 2) return "  " + name + ": error: " + first_line(c.err) + "\n";
  nlohmann::json doc = nlohmann::json::parse(c.out, nullptr, false);
  if (doc.is_discarded() || !doc.contains("items")) return "  " + name + ": no JSON (exit " + std::to_string(c.code) + ")\n";
  int errors = 0, unmanaged = 0;
  std::string lines;
  for (const auto& i : doc["items"]) {
    if (i.value("severity", "") == "error") ++errors;
    if (i.value("unmanaged", false)) ++unmanaged;
    lines += "    " + i.value("kind", "") + " " + i.value("path", "") + " [" + i.value("severity", "") +
             (i.value("unmanaged", false) ? ", unmanaged" : "") + "]\n";
  }
  return "  " + name + ": " + std::to_string(doc["items"].size()) + " items (" + std::to_string(errors) +
         " errors, " + std::to_string(unmanaged) + " unmanaged), exit " + std::to_string(c.code) + "\n" + lines;
}

// Prisma's drift script: the steps it would run ("-- CreateIndex" headers), counted by kind.
std::string prisma_view(const Cmd& c) {
  if (c.code != 0 && c.code != 2) return "  prisma: error: " + first_line(c.err) + "\n";
  std::map<std::string, int> steps;
  int n = 0;
  std::istringstream in(c.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("-- ", 0) == 0 && line.find(' ', 3) == std::string::npos) {
      ++steps[line.substr(3)];
      ++n;
    }
  }
  std::string out = "  prisma: " + std::to_string(n) + " steps";
  for (const auto& [k, v] : steps) out += " " + k + "=" + std::to_string(v);
  return out + "\n";
}

// pg_dump --schema-only, without what differs between any two databases (the \restrict key, the dump's own
// comments) and without Prisma's bookkeeping table.
std::vector<std::string> dump(const std::string& info) {
  Cmd c = sh("pg_dump --schema-only --no-owner --no-privileges --exclude-table=public._prisma_migrations -d " +
             shell_quote(info));
  REQUIRE(c.code == 0);
  std::vector<std::string> lines;
  std::istringstream in(c.out);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line.rfind("--", 0) == 0 || line.rfind("\\restrict", 0) == 0 ||
        line.rfind("\\unrestrict", 0) == 0)
      continue;
    lines.push_back(line);
  }
  return lines;
}

std::string dump_view(const std::string& real, const std::string& schema_sql) {
  std::string fresh = dgtest::pg::fresh_database("rw4d");
  try {
    dgtest::pg::exec(fresh, schema_sql);
  } catch (const std::exception& e) {
    return "  dump: schema --from migrations does not apply: " + first_line(std::string(e.what()).substr(0, std::string(e.what()).find('\n'))) + "\n";
  }
  std::vector<std::string> a = dump(real), b = dump(fresh);
  std::multiset<std::string> sa(a.begin(), a.end()), sb(b.begin(), b.end());
  std::vector<std::string> only_real, only_replayed;
  std::set_difference(sa.begin(), sa.end(), sb.begin(), sb.end(), std::back_inserter(only_real));
  std::set_difference(sb.begin(), sb.end(), sa.begin(), sa.end(), std::back_inserter(only_replayed));
  if (only_real.empty() && only_replayed.empty() && a == b) return "  dump: equal (" + std::to_string(a.size()) + " lines)\n";
  std::string out = "  dump: " + std::to_string(only_real.size()) + " lines only in the real database, " +
                    std::to_string(only_replayed.size()) + " only in schema --from migrations" +
                    (only_real.empty() && only_replayed.empty() ? ", same lines in another order" : "") + "\n";
  for (const auto& l : only_real) out += "    - " + l + "\n";
  for (const auto& l : only_replayed) out += "    + " + l + "\n";
  return out;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// The preview feature Prisma's engine refuses as unknown ("metrics", "tracing": removed in Prisma 7, they never
// changed the schema); "" when it refuses none.
std::string unknown_preview_feature(const std::string& err) {
  std::smatch m;
  return std::regex_search(err, m, std::regex("The preview feature \"([A-Za-z]+)\" is not known")) ? m[1].str() : "";
}

// A copy of a schema (file or folder) in `to`, without the preview feature `name` in previewFeatures: what a project
// upgrading to Prisma 7 does. Returns the copy's path.
fs::path without_preview_feature(const fs::path& schema, const std::string& name, const fs::path& to) {
  fs::create_directories(to);
  fs::path out = to / schema.filename();
  if (out != schema) {
    fs::remove_all(out);
    fs::copy(schema, out, fs::copy_options::recursive);
  }
  std::vector<fs::path> files;
  if (fs::is_directory(out)) {
    for (const auto& e : fs::recursive_directory_iterator(out)) {
      if (e.path().extension() == ".prisma") files.push_back(e.path());
    }
  } else {
    files.push_back(out);
  }
  const std::regex list("previewFeatures\\s*=\\s*\\[([^\\]]*)\\]");
  for (const auto& f : files) {
    std::string text = read_text(f), rebuilt;
    std::smatch m;
    std::string rest = text;
    while (std::regex_search(rest, m, list)) {
      std::string kept;
      std::istringstream items(m[1].str());
      for (std::string item; std::getline(items, item, ',');) {
        item = std::regex_replace(item, std::regex("^\\s+|\\s+$"), "");
        if (item.empty() || item == "\"" + name + "\"") continue;
        kept += (kept.empty() ? "" : ", ") + item;
      }
      rebuilt += m.prefix().str() + "previewFeatures = [" + kept + "]";
      rest = m.suffix().str();
    }
    std::ofstream(f, std::ios::binary) << rebuilt + rest;
  }
  return out;
}

// The four views of one project (a folder holding migrations/ and schema.prisma or schema/), as pinned.
std::string four_views(const fs::path& p, const fs::path& engine) {
  std::string bin = DRIFTGUARD_BINARY;
  std::string got;
  fs::path dir = p / "migrations";
  fs::path schema = fs::exists(p / "schema.prisma") ? p / "schema.prisma" : p / "schema";
  std::string db = dgtest::pg::fresh_database("rw4");
  std::string url = url_of(db);
  got += p.filename().string() + ":\n";
  // Not `prisma-engine deploy`: its driver adapter splits a script at every ';' and fails on a ';' inside a
  // comment (OpenPipe's Apache header), which `prisma migrate deploy` sends whole.
  std::vector<fs::path> migrations;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (fs::exists(e.path() / "migration.sql")) migrations.push_back(e.path());
  }
  std::sort(migrations.begin(), migrations.end());
  std::string failed;
  for (const auto& m : migrations) {
    try {
      dgtest::pg::exec(db, read_text(m / "migration.sql"));
    } catch (const std::exception& e) {
      std::string msg = e.what();
      failed = m.filename().string() + ": " + msg.substr(0, msg.find('\n'));
      break;
    }
  }
  if (!failed.empty()) return got + "  deploy: failed at " + failed + "\n";
  got += "  deploy: " + std::to_string(migrations.size()) + " migrations\n";
  // Prisma 7's engine refuses preview features it removed: it is given the schema without them (named).
  fs::path for_engine = schema;
  std::vector<std::string> dropped;
  Cmd diff_db = sh(shell_quote(engine.string()) + " diff-db " + shell_quote(schema.string()) + " " + shell_quote(url));
  for (std::string f; dropped.size() < 5 && !(f = unknown_preview_feature(diff_db.err)).empty();) {
    dropped.push_back(f);
    for_engine = without_preview_feature(for_engine, f, fs::temp_directory_path() / ("driftguard-rw4-" + std::to_string(::getpid())));
    diff_db = sh(shell_quote(engine.string()) + " diff-db " + shell_quote(for_engine.string()) + " " + shell_quote(url));
  }
  std::string view = prisma_view(diff_db);
  if (!dropped.empty()) {
    std::string names;
    for (const auto& f : dropped) names += (names.empty() ? "" : ", ") + f;
    view.insert(view.size() - 1, " (without previewFeatures " + names + ": unknown to Prisma 7)");
    fs::remove_all(for_engine.parent_path());
  }
  got += view;
  std::string drift = shell_quote(bin) + " drift --format json ";
  got += drift_view("live", sh(drift + "--prisma " + shell_quote(schema.string()) + " --database-url " + shell_quote(url)));
  got += drift_view("static", sh(drift + "--prisma " + shell_quote(schema.string()) + " --migrations " + shell_quote(dir.string())));
  got += drift_view("history", sh(drift + "--migrations " + shell_quote(dir.string()) + " --database-url " + shell_quote(url)));
  Cmd schema_sql = sh(shell_quote(bin) + " schema --from " + shell_quote("migrations:" + dir.string()));
  got += schema_sql.code == 0 ? dump_view(db, schema_sql.out) : "  dump: schema failed: " + first_line(schema_sql.err) + "\n";
  return got;
}

// Where a project's views disagree with PostgreSQL or Prisma ("" = nowhere): the replay is not the database
// (history has items, the dump differs, schema fails), driftguard calls an error what Prisma calls no drift, or it
// sees nothing where Prisma plans steps.
std::string disagreements(const std::string& views) {
  std::istringstream in(views);
  std::string line, out;
  bool prisma_clean = false, prisma_steps = false;
  while (std::getline(in, line)) {
    if (line.rfind("  deploy: failed", 0) == 0) return "";  // PostgreSQL refused the history: nothing to compare
    if (line.rfind("  prisma: 0 steps", 0) == 0) prisma_clean = true;
    else if (line.rfind("  prisma: ", 0) == 0 && line.find(" steps") != std::string::npos) prisma_steps = true;
    bool live_or_static = line.rfind("  live: ", 0) == 0 || line.rfind("  static: ", 0) == 0;
    if ((live_or_static && prisma_clean && line.find(" (0 errors") == std::string::npos) ||
        (live_or_static && prisma_steps && line.find(": 0 items") != std::string::npos) ||
        (line.rfind("  history: ", 0) == 0 && line.rfind("  history: 0 items", 0) != 0) ||
        (line.rfind("  dump: ", 0) == 0 && line.rfind("  dump: equal", 0) != 0)) {
      out += line + "\n";
    }
  }
  return out;
}

fs::path prisma_engine() { return fs::path(dgtest::source_dir()) / ".." / "shared" / "tools" / "prisma-engine"; }

}  // namespace

TEST_CASE("real Prisma histories, four views each, as pinned", "[oracle][pg][corpus]") {
  fs::path corpus = fs::path(dgtest::source_dir()) / ".." / "shared" / "corpus" / "prisma";
  if (!fs::is_directory(corpus) || !fs::exists(prisma_engine()) || sh("command -v node").code != 0) {
    WARN("shared corpus, ../shared/tools/prisma-engine or node not found; skipped");
    return;
  }
  std::vector<fs::path> projects;
  for (const auto& e : fs::directory_iterator(corpus)) projects.push_back(e.path());
  std::sort(projects.begin(), projects.end());
  std::string got;
  for (const auto& p : projects) got += four_views(p, prisma_engine());
  fs::path pinned = fs::path(dgtest::source_dir()) / "fixtures" / "oracle" / "realworld-four-views.txt";
  if (const char* u = std::getenv("UPDATE_GOLDEN"); u && *u) std::ofstream(pinned, std::ios::binary) << got;
  CHECK(got == read_text(pinned));
}

// The same four views on projects you collect (scripts/realworld-prisma.sh): each one's replay must be its
// database and driftguard must not call an error what Prisma calls no drift.
TEST_CASE("real Prisma histories of a folder you name: four views each and none disagreeing", "[oracle][pg][realworld-dir]") {
  const char* dir = std::getenv("DRIFTGUARD_REALWORLD_PRISMA");
  if (!dir || !*dir) {
    WARN("DRIFTGUARD_REALWORLD_PRISMA not set (scripts/realworld-prisma.sh sets it); skipped");
    return;
  }
  REQUIRE(fs::exists(prisma_engine()));
  std::vector<fs::path> projects;
  for (const auto& e : fs::directory_iterator(dir)) {
    if (fs::is_directory(e.path() / "migrations")) projects.push_back(e.path());
  }
  std::sort(projects.begin(), projects.end());
  REQUIRE(!projects.empty());
  std::string report;
  for (const auto& p : projects) {
    std::string views = four_views(p, prisma_engine());
    report += views;
    std::string bad = disagreements(views);
    INFO(views);
    CHECK(bad == "");
  }
  if (const char* out = std::getenv("DRIFTGUARD_REALWORLD_OUT"); out && *out) std::ofstream(out, std::ios::binary) << report;
}

TEST_CASE("the real-history check names each view that disagrees and nothing else", "[oracle]") {
  std::string clean =
      "p:\n  deploy: 3 migrations\n  prisma: 0 steps\n  live: 1 items (0 errors, 0 unmanaged), exit 0\n"
      "    enum-order public.E [info]\n  static: 0 items (0 errors, 0 unmanaged), exit 0\n"
      "  history: 0 items (0 errors, 0 unmanaged), exit 0\n  dump: equal (10 lines)\n";
  CHECK(disagreements(clean) == "");
  std::string bad =
      "p:\n  deploy: 3 migrations\n  prisma: 0 steps\n  live: 1 items (1 errors, 0 unmanaged), exit 1\n"
      "    missing-column public.t.c [error]\n  static: 0 items (0 errors, 0 unmanaged), exit 0\n"
      "  history: 2 items (0 errors, 0 unmanaged), exit 0\n  dump: 1 lines only in the real database, 0 only in schema --from migrations\n";
  CHECK(disagreements(bad) ==
        "  live: 1 items (1 errors, 0 unmanaged), exit 1\n  history: 2 items (0 errors, 0 unmanaged), exit 0\n"
        "  dump: 1 lines only in the real database, 0 only in schema --from migrations\n");
  // Prisma sees drift too: driftguard's errors are not a disagreement; a history PostgreSQL refused compares nothing.
  std::string both = "p:\n  deploy: 3 migrations\n  prisma: 2 steps AlterTable=2\n  live: 2 items (2 errors, 0 unmanaged), exit 1\n";
  CHECK(disagreements(both) == "");
  std::string missed = "p:\n  deploy: 3 migrations\n  prisma: 1 steps CreateIndex=1\n  live: 0 items (0 errors, 0 unmanaged), exit 0\n";
  CHECK(disagreements(missed) == "  live: 0 items (0 errors, 0 unmanaged), exit 0\n");
  CHECK(disagreements("p:\n  deploy: failed at 2_x: ERROR: syntax error\n") == "");
}
