// Three-way drift: each difference is attributed to the one source that disagrees with the two others.
#include <catch2/catch.hpp>

#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "helpers.hpp"
#include "introspect/diff3.hpp"

using namespace driftguard;

namespace {

model::SchemaModel build3(const std::string& sql, const std::string& file) { return dgtest::replay_model(sql, file); }

// "family path odd=N [all] kinds=a,b" per item
std::vector<std::string> summary(const std::string& a, const std::string& b, const std::string& c,
                                 diff::Options3 opts = {}) {
  auto ma = build3(a, "a.sql");
  auto mb = build3(b, "b.sql");
  auto mc = build3(c, "c.sql");
  std::vector<std::string> out;
  for (const auto& i : diff::diff3({&ma, &mb, &mc}, opts)) {
    std::string kinds;
    for (const auto& k : i.kinds) kinds += (kinds.empty() ? "" : ",") + k;
    out.push_back(i.family + " " + i.path + " odd=" + std::to_string(i.odd) + (i.all_differ ? " all" : "") +
                  " kinds=" + kinds + (i.unmanaged ? " unmanaged" : ""));
  }
  return out;
}

const std::string kBase = "CREATE TABLE users (id integer PRIMARY KEY, email text NOT NULL);\n";

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("three equal sources have no drift", "[diff3]") {
  CHECK(summary(kBase, kBase, "create table USERS (ID int4 primary key, EMAIL TEXT not null);").empty());
}

TEST_CASE("a column only two sources have: the third is the odd one", "[diff3]") {
  std::string with = kBase + "ALTER TABLE users ADD COLUMN bio text;\n";
  // kinds as each pair's differ says them: (expected, actual) = (lower index, higher index)
  CHECK(summary(kBase, with, with) == V{"column public.users.bio odd=0 kinds=extra-column"});
  CHECK(summary(with, kBase, with) == V{"column public.users.bio odd=1 kinds=missing-column,extra-column"});
  CHECK(summary(with, with, kBase) == V{"column public.users.bio odd=2 kinds=missing-column"});
  // present in one source only: that one is the odd one
  CHECK(summary(kBase, kBase, with) == V{"column public.users.bio odd=2 kinds=extra-column"});
}

TEST_CASE("values: the odd source and every source's value", "[diff3]") {
  std::string big = "CREATE TABLE users (id bigint PRIMARY KEY, email text NOT NULL);\n";
  std::string small = "CREATE TABLE users (id smallint PRIMARY KEY, email text NOT NULL);\n";
  CHECK(summary(kBase, big, kBase) == V{"column-type public.users.id odd=1 kinds=column-type"});
  CHECK(summary(kBase, big, small) == V{"column-type public.users.id odd=-1 all kinds=column-type"});
  auto a = build3(kBase, "a.sql");
  auto b = build3(big, "b.sql");
  auto c = build3(kBase, "c.sql");
  auto items = diff::diff3({&a, &b, &c});
  REQUIRE(items.size() == 1);
  CHECK(items[0].values[0].value == "integer");
  CHECK(items[0].values[1].value == "bigint");
  CHECK(items[0].values[2].value == "integer");
  CHECK(items[0].values[1].src.str() == "b.sql:1:21");
  CHECK(items[0].known == std::array<bool, 3>{true, true, true});
  CHECK(items[0].severity == Severity::error);
}

TEST_CASE("unmanaged objects and ignore patterns in three-way drift", "[diff3]") {
  std::string trig = kBase + "CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$BEGIN RETURN NEW; END$$;\n";
  diff::Options3 o;
  o.prisma = 0;
  CHECK(summary(kBase, trig, trig, o) == V{"function public.f() odd=0 kinds=extra-function unmanaged"});
  o.ignore = {"f()"};
  std::string with = kBase + "ALTER TABLE users ADD COLUMN bio text;\n";
  o.ignore = {"users.bio"};
  CHECK(summary(kBase, with, with, o).empty());
}

TEST_CASE("an object only two sources hold, defined differently, names the third source", "[diff3]") {
  auto a = build3(kBase, "a.sql");
  auto b = build3(kBase + "CREATE VIEW v AS SELECT id FROM users;\n", "b.sql");
  auto c = build3(kBase + "CREATE VIEW v AS SELECT email FROM users;\n", "c.sql");
  auto items = diff::diff3({&a, &b, &c});
  REQUIRE(items.size() == 2);
  CHECK(items[0].family == "view");  // presence: a lacks it
  CHECK(items[0].odd == 0);
  CHECK(items[1].family == "view-definition");  // only b and c hold it, and they differ
  CHECK(items[1].odd == -1);
  CHECK(items[1].third == 0);
  CHECK(items[1].third_absent);
}
