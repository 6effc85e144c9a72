// Prisma's equivalence rules (docs/drift.md, "Equivalence rules: Prisma"), one fixture per rule in
// fixtures/prisma-equivalence/<rule>/: database.sql is applied to a fresh database; Prisma's engine must see no
// drift between it and schema.prisma (`prisma-engine diff-db`: checked when ../shared is there), and neither must
// `driftguard drift --prisma schema.prisma --database-url`. Without the rules (the same two models compared as
// two plain sides) the differences are there: `without-rules.txt` pins them, so each rule is shown to matter.
#include <catch2/catch.hpp>

#include <algorithm>

#include "cli/model_source.hpp"
#include "introspect/catalog.hpp"
#include "introspect/diff.hpp"
#include "tests/prisma_engine.hpp"

namespace fs = std::filesystem;
namespace engine = dgtest::prisma_engine;
using namespace driftguard;

namespace {

std::vector<fs::path> cases() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(dgtest::source_dir()) / "fixtures" / "prisma-equivalence")) {
    if (e.is_directory()) out.push_back(e.path());
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string lines(const std::vector<diff::DriftItem>& items, bool failing_only) {
  std::string out;
  for (const auto& i : items) {
    if (failing_only && (i.unmanaged || i.severity < Severity::warning)) continue;
    out += i.kind + " " + i.path + "\n";
  }
  return out;
}

}  // namespace

TEST_CASE("prisma equivalence: each rule's database shows no drift for Prisma's engine nor for driftguard",
          "[prisma][drift][pg]") {
  auto all = cases();
  REQUIRE(all.size() == 9);
  bool oracle = engine::available();
  for (const auto& c : all) {
    std::string name = c.filename().string();
    INFO(name);
    std::string conninfo = dgtest::pg::fresh_database("prisma_eq");
    dgtest::pg::exec(conninfo, dgtest::read_file(c / "database.sql"));
    if (oracle) {
      auto r = engine::run({"diff-db", (c / "schema.prisma").string(), engine::url(conninfo)});
      INFO(r.out << r.err);
      CHECK(r.code == 0);
      CHECK(r.out.find("-- This is an empty migration.") != std::string::npos);
    }
    ModelSource prisma = load_model("prisma", (c / "schema.prisma").string());
    REQUIRE(prisma.errors.empty());
    REQUIRE(prisma.findings.empty());
    db::ConnectOptions conn;
    conn.url = conninfo;
    catalog::Options read_opts;
    model::SchemaModel live = catalog::read(conn, read_opts);

    diff::Options opts;
    opts.prisma = diff::Side::expected;
    opts.prisma_any_default = prisma.prisma_any_default;
    CHECK(lines(diff::diff(prisma.model, live, opts), true) == "");

    diff::Options plain;
    CHECK(lines(diff::diff(prisma.model, live, plain), false) == dgtest::read_file(c / "without-rules.txt"));
  }
}

TEST_CASE("prisma equivalence: the rules do not hide real differences", "[prisma][drift]") {
  auto column = [](std::string type, bool not_null, std::string def) {
    model::Column c;
    c.name = "c";
    c.type = std::move(type);
    c.not_null = not_null;
    c.default_expr = std::move(def);
    return c;
  };
  auto items = [&](const model::Column& prisma_col, const model::Column& db_col) {
    model::SchemaModel p;
    model::SchemaModel d;
    for (auto* m : {&p, &d}) {
      m->schemas["public"].name = "public";
      model::Table t;
      t.schema = "public";
      t.name = "t";
      m->schemas["public"].tables["t"] = t;
    }
    p.schemas["public"].tables["t"].columns.push_back(prisma_col);
    d.schemas["public"].tables["t"].columns.push_back(db_col);
    diff::Options opts;
    opts.prisma = diff::Side::expected;
    return lines(diff::diff(p, d, opts), false);
  };
  // equal for Prisma
  CHECK(items(column("timestamp(6) with time zone", false, ""), column("timestamp with time zone", false, "")) == "");
  CHECK(items(column("text[]", false, ""), column("text[]", true, "")) == "");
  CHECK(items(column("jsonb", false, "'{\"a\":1,\"b\":2}'"), column("jsonb", false, "'{\"b\": 2, \"a\": 1}'")) == "");
  CHECK(items(column("text[]", false, "ARRAY['a', 'b c']"), column("text[]", false, "'{a,\"b c\"}'")) == "");
  CHECK(items(column("boolean[]", false, "ARRAY[true, false]"), column("boolean[]", false, "'{t,f}'")) == "");
  CHECK(items(column("timestamp with time zone", false, ""), column("timestamp(3) with time zone", false, "")) == "");
  CHECK(items(column("time without time zone", false, ""), column("time(0) without time zone", false, "")) == "");
  // different for Prisma too
  CHECK(items(column("timestamp(3) with time zone", false, ""), column("timestamp with time zone", false, "")) ==
        "column-type public.t.c\n");
  CHECK(items(column("timestamp(6) with time zone", false, ""), column("timestamp(3) with time zone", false, "")) ==
        "column-type public.t.c\n");
  CHECK(items(column("timestamp with time zone", false, ""), column("timestamp(3) without time zone", false, "")) ==
        "column-type public.t.c\n");
  CHECK(items(column("text", false, ""), column("text", true, "")) == "nullability public.t.c\n");
  CHECK(items(column("text[]", true, ""), column("text[]", false, "")) == "nullability public.t.c\n");
  CHECK(items(column("jsonb", false, "'{\"a\":1}'"), column("jsonb", false, "'{\"a\": 2}'")) == "default public.t.c\n");
  CHECK(items(column("json", false, "'{\"a\":1,\"b\":2}'"), column("json", false, "'{\"b\": 2, \"a\": 1}'")) ==
        "default public.t.c\n");
  CHECK(items(column("text[]", false, "ARRAY['a', 'b']"), column("text[]", false, "'{b,a}'")) == "default public.t.c\n");
  CHECK(items(column("integer", true, "nextval('t_c_seq'::regclass)"), column("integer", true, "")) ==
        "default public.t.c\n");
}
