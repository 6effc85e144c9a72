// drift between schema.prisma and the migration history, end to end: the Prisma parser and DDL generator build the
// expected model, the migrations are replayed, the differ compares. For every real project of the shared corpus
// the items must be exactly the ones pinned (and checked by hand) in fixtures/drift-realworld/<project>.txt, which
// the model tests also reach from Prisma's own DDL — so the two ways of building the Prisma side agree.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "cli/model_source.hpp"
#include "helpers.hpp"
#include "introspect/diff.hpp"

namespace fs = std::filesystem;
using namespace driftguard;

TEST_CASE("real projects: schema.prisma against their migrations gives the pinned drift", "[drift][corpus]") {
  fs::path corpus = fs::path(dgtest::source_dir()) / ".." / "shared" / "corpus" / "prisma";
  if (!fs::is_directory(corpus)) {
    WARN("shared corpus not found; skipped");
    return;
  }
  fs::path fixtures = fs::path(dgtest::source_dir()) / "fixtures";
  std::vector<fs::path> projects;
  for (const auto& e : fs::directory_iterator(fixtures / "prisma" / "real")) projects.push_back(e.path());
  std::sort(projects.begin(), projects.end());
  REQUIRE(projects.size() == 17);
  for (const auto& p : projects) {
    std::string name = p.filename().string();
    INFO(name);
    fs::path schema = fs::exists(p / "schema.prisma") ? p / "schema.prisma" : p / "schema";
    ModelSource prisma = load_model("prisma", schema.string());
    ModelSource history = load_model("migrations", (corpus / name / "migrations").string());
    CHECK(prisma.errors.empty());
    CHECK(prisma.findings.empty());
    CHECK(history.findings.empty());
    diff::Options opts;
    opts.prisma = diff::Side::expected;
    std::string got;
    for (const auto& i : diff::diff(prisma.model, history.model, opts)) {
      got += std::string(to_string(i.severity)) + " " + i.kind + " " + i.path + (i.unmanaged ? " (unmanaged)" : "") + "\n";
      // Items whose expected side comes from schema.prisma point into it.
      if (i.expected.src.known()) CHECK(i.expected.src.file.str().find(".prisma") != std::string::npos);
    }
    std::ifstream in(fixtures / "drift-realworld" / (name + ".txt"), std::ios::binary);
    std::string want((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    CHECK(got == want);
  }
}

TEST_CASE("drift reports schema.prisma errors with their position", "[drift]") {
  fs::path dir = fs::temp_directory_path() / "driftguard_drift_prisma";
  fs::create_directories(dir);
  std::ofstream(dir / "schema.prisma") << "model User {\n  id Int @id\n  name Strin\n}\n";
  ModelSource prisma = load_model("prisma", (dir / "schema.prisma").string());
  REQUIRE(prisma.errors.size() == 1);
  CHECK(prisma.errors[0].path == (dir / "schema.prisma").string() + ":3:8");
  fs::remove_all(dir);
}

TEST_CASE("every Prisma fixture: the model from schema.prisma equals the model from Prisma's expected.sql",
          "[drift]") {
  fs::path root = fs::path(dgtest::source_dir()) / "fixtures" / "prisma";
  std::vector<fs::path> cases;
  for (const auto& e : fs::directory_iterator(root)) {
    if (e.is_directory() && fs::exists(e.path() / "expected.sql")) cases.push_back(e.path());
  }
  for (const auto& e : fs::directory_iterator(root / "real")) cases.push_back(e.path());
  std::sort(cases.begin(), cases.end());
  REQUIRE(cases.size() == 24);
  for (const auto& c : cases) {
    INFO(c.string());
    fs::path schema = fs::exists(c / "schema.prisma") ? c / "schema.prisma" : c / "schema";
    ModelSource prisma = load_model("prisma", schema.string());
    ModelSource sql = load_model("sql", (c / "expected.sql").string());
    CHECK(prisma.errors.empty());
    CHECK(prisma.findings.empty());
    CHECK(sql.findings.empty());
    diff::Options opts;
    opts.prisma = diff::Side::expected;
    std::string items;
    for (const auto& i : diff::diff(prisma.model, sql.model, opts)) items += i.kind + " " + i.path + "\n";
    // Views are expected by schema.prisma but never created by Prisma's DDL.
    std::string views;
    for (const auto& i : diff::diff(prisma.model, sql.model, opts)) {
      if (i.kind == "missing-view") views += i.kind + " " + i.path + "\n";
    }
    CHECK(items == views);
    // And in the other direction (the SQL as the expected side), nothing either.
    diff::Options back;
    back.prisma = diff::Side::actual;
    std::string reverse;
    for (const auto& i : diff::diff(sql.model, prisma.model, back)) {
      if (i.kind != "extra-view") reverse += i.kind + " " + i.path + "\n";
    }
    CHECK(reverse.empty());
  }
}
