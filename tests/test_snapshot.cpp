// The model snapshot (analyzer/model/snapshot.hpp) and the Supabase baseline built from it at build time
// (analyzer/platform/make_snapshot.cpp): the snapshot in the binary is the replay of baseline.sql, a model rich in
// every kind of object round-trips field by field, bad bytes are refused, and the corpus's Supabase histories give
// byte-identical lint, schema and drift whichever way the baseline was built.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "analyzer/model/replay.hpp"
#include "analyzer/model/snapshot.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/platform/platform.hpp"
#include "analyzer/source.hpp"
#include "tests/git_repo.hpp"
#include "tests/helpers.hpp"
#include "tests/shell.hpp"

namespace fs = std::filesystem;
using namespace driftguard;
namespace snapshot = driftguard::model::snapshot;

namespace {

std::string fixture(const std::string& rel) { return dgtest::read_file(dgtest::source_dir() + "/fixtures/" + rel); }

model::SchemaModel replay(const std::string& path, const std::string& sql, const model::SchemaModel* start,
                          std::vector<Finding>& findings) {
  model::Replayer r;
  if (start != nullptr) r.model() = *start;
  r.model().role = "postgres";
  SourceFile f = make_source(path, sql);
  r.apply_file(f, parse_sql(f.text), findings);
  return r.take();
}

std::string json_of(const model::SchemaModel& m) { return model::to_json(m, true).dump(1); }

// Encodes, decodes, and compares what the model prints (JSON with every source position, SQL) and its bytes
// encoded again; returns the decoded model.
model::SchemaModel round_trip(const model::SchemaModel& m, const std::vector<Finding>& findings) {
  std::string bytes = snapshot::encode(m, findings);
  model::SchemaModel back;
  std::vector<Finding> back_findings;
  snapshot::decode(bytes, back, back_findings);
  CHECK(json_of(back) == json_of(m));
  CHECK(model::to_sql(back) == model::to_sql(m));
  CHECK(snapshot::encode(back, back_findings) == bytes);
  REQUIRE(back_findings.size() == findings.size());
  for (std::size_t i = 0; i < findings.size(); ++i) {
    CHECK(snapshot::field_bytes(back_findings[i]) == snapshot::field_bytes(findings[i]));
  }
  return back;
}

// Which fields of each struct some object of the models sets (differs from a default-constructed one's).
class Coverage {
 public:
  template <class T>
  void add(const std::string& type, const T& x) {
    static const std::vector<std::string> defaults = snapshot::field_bytes(T{});
    std::vector<std::string> fields = snapshot::field_bytes(x);
    auto& seen = seen_[type];
    seen.resize(fields.size());
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (fields[i] != defaults[i]) seen[i] = true;
    }
  }
  // "Column field 13" for each field no object sets.
  std::vector<std::string> unset() const {
    std::vector<std::string> out;
    for (const auto& [type, seen] : seen_) {
      for (std::size_t i = 0; i < seen.size(); ++i) {
        if (!seen[i]) out.push_back(type + " field " + std::to_string(i));
      }
    }
    return out;
  }
  std::vector<std::string> types() const {
    std::vector<std::string> out;
    for (const auto& [type, seen] : seen_) out.push_back(type);
    return out;
  }

  void walk(const model::SchemaModel& m) {
    add("SchemaModel", m);
    for (const auto& [key, g] : m.default_grants) add("DefaultGrantsKey", key);
    for (const auto& [name, e] : m.extensions) add("Extension", e);
    for (const auto& [sname, s] : m.schemas) {
      add("Schema", s);
      add("Comment", s.comment);
      add("SourceRef", s.src);
      for (const auto& [name, t] : s.tables) {
        add("Table", t);
        add("Comment", t.comment);
        for (const auto& c : t.columns) add("Column", c), add("Column::Rare", c.rare_part().get());
        for (const auto& c : t.constraints) add("Constraint", c);
        for (const auto& i : t.indexes) index(i);
        for (const auto& g : t.triggers) add("Trigger", g);
        for (const auto& p : t.policies) add("Policy", p);
      }
      for (const auto& [name, t] : s.types) add("Type", t), add("Type::DomainParts", t.domain);
      for (const auto& [name, q] : s.sequences) add("Sequence", q);
      for (const auto& [name, v] : s.views) {
        add("View", v);
        if (v.query) add("View::Query", *v.query);
        for (const auto& i : v.indexes) index(i);
      }
      for (const auto& [name, f] : s.functions) add("Function", f);
    }
  }

 private:
  std::map<std::string, std::vector<bool>> seen_;
  void index(const model::Index& i) {
    add("Index", i);
    add("Index::Rare", i.rare_part().get());
    for (const auto& k : i.keys) add("IndexKey", k);
  }
};

// A finding with every field set, as a baseline's replay errors would be kept.
Finding full_finding() {
  Finding f;
  f.rule = "replay-error";
  f.category = "replay";
  f.severity = Severity::warning;
  f.file = platform::kSupabaseFile;
  f.span = {3, 9};
  f.start = {2, 4};
  f.end = {2, 10};
  f.message = "relation \"x\" does not exist";
  f.help = "create it first";
  f.notes.push_back({"the statement", Span{1, 2}, {1, 2}, {1, 3}});
  f.fix = Fix{"quote it", {Edit{{3, 9}, "\"x\""}}};
  return f;
}

}  // namespace

TEST_CASE("the Supabase baseline's snapshot in the binary is the replay of platform/supabase/baseline.sql",
          "[snapshot][supabase]") {
  auto replayed = platform::supabase_from_sql();
  auto loaded = platform::supabase_from_snapshot(platform::supabase_snapshot());
  // The bytes in the binary are what encoding the replay gives now: the snapshot is up to date with the SQL and
  // the replay, and holds every field they set.
  CHECK(snapshot::encode(replayed->model, replayed->findings) == platform::supabase_snapshot());
  CHECK(json_of(loaded->model) == json_of(replayed->model));
  CHECK(model::to_sql(loaded->model) == model::to_sql(replayed->model));
  CHECK(loaded->findings.empty());
  CHECK(replayed->findings.empty());
  CHECK(loaded->name == replayed->name);
  CHECK(loaded->describe() == "platform/supabase/baseline.sql");
  REQUIRE(loaded->files.size() == 1);
  CHECK(loaded->files[0].text == platform::supabase_baseline_sql());
  CHECK(loaded->default_extensions == replayed->default_extensions);
  CHECK(loaded->model.role == "postgres");
  // Positions point into baseline.sql through the one interned copy of its path.
  const model::Table* users = loaded->model.table("auth", "users");
  REQUIRE(users != nullptr);
  CHECK(users->src.file == InternedPath(platform::kSupabaseFile));
  CHECK(users->src.str() == replayed->model.table("auth", "users")->src.str());
  CHECK(users->src.line > 1);
  // A run's baseline is the snapshot's (the tests do not set DRIFTGUARD_BASELINE_FROM_SQL).
  CHECK(json_of(platform::supabase()->model) == json_of(loaded->model));
}

TEST_CASE("a model snapshot round-trips every field of every model struct", "[snapshot]") {
  std::vector<Finding> findings;
  model::SchemaModel rich = replay("fixtures/snapshot/rich.sql", fixture("snapshot/rich.sql"), nullptr, findings);
  REQUIRE(findings.empty());
  // A platform table shell (platform::strip): a project's policy on auth.users, the baseline taken out.
  auto base = platform::supabase();
  model::SchemaModel shell = replay("shell.sql",
                                    "create policy own on auth.users for select using (id = auth.uid());\n"
                                    "alter default privileges grant select on tables to anon;\n",
                                    &base->model, findings);
  REQUIRE(findings.empty());
  platform::strip(shell, *base);
  REQUIRE(shell.table("auth", "users") != nullptr);
  REQUIRE(shell.table("auth", "users")->platform_shell);
  std::vector<Finding> kept = {full_finding()};

  Coverage coverage;
  coverage.walk(rich);
  coverage.walk(shell);
  for (const auto& f : kept) {
    coverage.add("Finding", f);
    coverage.add("Span", f.span);
    coverage.add("Position", f.start);
    for (const auto& n : f.notes) coverage.add("Note", n);
    if (f.fix) {
      coverage.add("Fix", *f.fix);
      for (const auto& e : f.fix->edits) coverage.add("Edit", e);
    }
  }
  CHECK(coverage.types() == std::vector<std::string>{"Column", "Column::Rare", "Comment", "Constraint",
                                                      "DefaultGrantsKey", "Edit", "Extension", "Finding", "Fix",
                                                      "Function", "Index", "Index::Rare", "IndexKey",
                                                      "Note", "Policy", "Position", "Schema", "SchemaModel",
                                                      "Sequence", "SourceRef", "Span", "Table", "Trigger", "Type",
                                                      "Type::DomainParts", "View", "View::Query"});
  CHECK(coverage.unset() == std::vector<std::string>{});

  model::SchemaModel back = round_trip(rich, kept);
  round_trip(shell, {});

  // The replay-only fields (a view's stored query and what it reads, a column's inheritance) read back as they
  // were written: the same statements replayed on the original and on the decoded model build the same schema.
  const std::string more =
      "alter table app.accounts rename column email to login;\n"  // the view is printed again from its query
      "alter table app.parent drop column note;\n"                 // the child's inherited column goes with it
      "drop table app.orders cascade;\n";                           // and the views that read the table
  std::vector<Finding> after_original;
  std::vector<Finding> after_back;
  model::SchemaModel a = replay("more.sql", more, &rich, after_original);
  model::SchemaModel b = replay("more.sql", more, &back, after_back);
  CHECK(after_original.empty());
  CHECK(after_back.empty());
  CHECK(json_of(a) == json_of(b));
  CHECK(model::to_sql(a) == model::to_sql(b));
  CHECK(a.schema("app")->views.count("order_view") == 0);
  CHECK(a.table("app", "child")->column("note") == nullptr);
}

TEST_CASE("a malformed model snapshot is refused with where and why", "[snapshot]") {
  std::vector<Finding> findings;
  model::SchemaModel rich = replay("fixtures/snapshot/rich.sql", fixture("snapshot/rich.sql"), nullptr, findings);
  std::string bytes = snapshot::encode(rich, findings);
  model::SchemaModel m;
  std::vector<Finding> f;
  CHECK_THROWS_WITH(snapshot::decode("not a snapshot", m, f), "not a driftguard model snapshot");
  std::string cut = bytes.substr(0, bytes.size() / 2);
  CHECK_THROWS_AS(snapshot::decode(cut, m, f), snapshot::Malformed);
  CHECK_THROWS_WITH(snapshot::decode(bytes + "x", m, f),
                    "malformed model snapshot at byte " + std::to_string(bytes.size()) + ": bytes after the end");
  // The format's version follows the magic (25 bytes): another version is named.
  std::string other = bytes;
  other[25] = 9;
  CHECK_THROWS_WITH(snapshot::decode(other, m, f),
                    "malformed model snapshot at byte 26: format 9, this driftguard reads 2");
  // Cut anywhere, it is refused; with any one byte changed, it is refused or read (a name or a number changed),
  // never read past its end or allocated beyond what is left.
  int refused = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    try {
      snapshot::decode(std::string_view(bytes).substr(0, n), m, f);
    } catch (const snapshot::Malformed&) {
      ++refused;
    }
  }
  CHECK(refused == static_cast<int>(bytes.size()));
  int changed_refused = 0;
  for (std::size_t i = 25; i < bytes.size(); ++i) {
    std::string b = bytes;
    b[i] = static_cast<char>(b[i] ^ 0xff);
    try {
      snapshot::decode(b, m, f);
    } catch (const snapshot::Malformed&) {
      ++changed_refused;
    }
  }
  CHECK(changed_refused > 0);
}

TEST_CASE("lint, schema and drift of the corpus's Supabase histories are byte-identical from the baseline's snapshot and from its SQL",
          "[snapshot][supabase][corpus]") {
  fs::path corpus = fs::path(dgtest::source_dir()) / ".." / "shared" / "corpus" / "supabase";
  if (!fs::exists(corpus)) {
    WARN("../shared/corpus/supabase is not there: skipped");
    return;
  }
  int projects = 0;
  for (const auto& project : fs::directory_iterator(corpus)) {
    if (!project.is_directory()) continue;
    ++projects;
    dgtest::Repo repo;
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(project.path())) {
      names.push_back(e.path().filename().string());
      repo.write("supabase/migrations/" + names.back(), dgtest::read_file(e.path()));
    }
    std::sort(names.begin(), names.end());
    std::string bin = dgtest::shell_quote(DRIFTGUARD_BINARY);
    std::string first = dgtest::shell_quote("supabase/migrations/" + names.front());
    const std::vector<std::string> commands = {
        "lint supabase/migrations --format json", "schema --from migrations:supabase/migrations --format json",
        "schema --from migrations:supabase/migrations --format sql",
        "drift --migrations supabase/migrations --sql " + first + " --format json",
        "drift --migrations supabase/migrations --sql " + first + " --format sql"};
    for (const auto& args : commands) {
      INFO(project.path().filename().string() << ": driftguard " << args);
      dgtest::Run snap = repo.run("unset DRIFTGUARD_BASELINE_FROM_SQL; " + bin + " " + args);
      dgtest::Run sql = repo.run("DRIFTGUARD_BASELINE_FROM_SQL=1 " + bin + " " + args);
      CHECK(snap.code == sql.code);
      CHECK(snap.out == sql.out);
      CHECK(snap.err == sql.err);
      CHECK(snap.code != 2);  // not a usage or input error: the run did its work
      CHECK(!snap.out.empty());
    }
  }
  CHECK(projects >= 10);
}
