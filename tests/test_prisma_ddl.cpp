// The Prisma → PostgreSQL oracle: for every case in fixtures/prisma/ (copied from ../shared/prisma-fixtures, the
// output of Prisma 7's own schema engine), the DDL generated from schema.prisma equals expected.sql statement by
// statement, in Prisma's order; plus unit tests of the mapping rules and the errors.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "analyzer/parse.hpp"
#include "analyzer/text_util.hpp"
#include "helpers.hpp"
#include "shell.hpp"
#include "introspect/prisma/ddl.hpp"
#include "tests/prisma_engine.hpp"

namespace fs = std::filesystem;
using namespace driftguard;
using namespace driftguard::prisma;

namespace {

using dgtest::read_file;

fs::path schema_path(const fs::path& dir) { return fs::exists(dir / "schema") ? dir / "schema" : dir / "schema.prisma"; }

std::vector<fs::path> fixture_cases() {
  std::vector<fs::path> cases;
  for (const auto& e : fs::recursive_directory_iterator(fs::path(dgtest::source_dir()) / "fixtures/prisma")) {
    if (e.path().filename() == "expected.sql") cases.push_back(e.path().parent_path());
  }
  std::sort(cases.begin(), cases.end());
  return cases;
}

std::vector<std::string> ddl_sql(const std::string& text) {
  std::vector<std::string> out;
  for (const auto& d : generate_ddl(parse_prisma(text))) out.push_back(d.sql);
  return out;
}

std::string one_error(const std::string& text) {
  try {
    auto ddl = generate_ddl(parse_prisma(text));
  } catch (const PrismaError& e) {
    return e.what();
  }
  return "(no error)";
}

const std::string kDs = "datasource db {\n  provider = \"postgresql\"\n}\n";

}  // namespace

TEST_CASE("prisma oracle: generated DDL equals Prisma's expected.sql for every fixture") {
  auto cases = fixture_cases();
  REQUIRE(cases.size() == 24);  // 7 written cases + 17 real products
  for (const auto& dir : cases) {
    DYNAMIC_SECTION(dir.lexically_relative(fs::path(dgtest::source_dir()) / "fixtures/prisma").string()) {
      const std::string expected_text = read_file(dir / "expected.sql");
      auto parsed = parse_sql(expected_text);
      REQUIRE(parsed.errors.empty());
      auto ddl = generate_ddl(load_prisma(schema_path(dir)));
      REQUIRE(ddl.size() == parsed.statements.size());
      for (std::size_t i = 0; i < ddl.size(); ++i) {
        const auto& span = parsed.statements[i].span;
        INFO("statement " << i + 1);
        CHECK(collapse_whitespace(ddl[i].sql) == collapse_whitespace(std::string_view(expected_text).substr(span.begin, span.end - span.begin)));
        CHECK(ddl[i].origin.known());
        CHECK(ddl[i].origin.line > 0);
      }
      // The whole script, comments and layout included, is byte for byte what Prisma prints.
      CHECK(render_script(ddl) == expected_text);
    }
  }
}

TEST_CASE("prisma oracle: every corpus schema parses and generates as it is (Prisma 5/6 syntax included)") {
  fs::path corpus = fs::path(dgtest::source_dir()) / "../shared/corpus/prisma";
  if (!fs::exists(corpus)) return;  // the shared corpus sits beside the checkout in CI only
  int n = 0;
  for (const auto& project : fs::directory_iterator(corpus)) {
    if (!project.is_directory()) continue;
    fs::path p = schema_path(project.path());
    if (!fs::exists(p)) continue;
    INFO(p.string());
    CHECK_NOTHROW(generate_ddl(load_prisma(p)));
    ++n;
  }
  CHECK(n >= 17);
}

TEST_CASE("prisma ddl: statements are attributed to their schema.prisma positions") {
  fs::path dir = fs::path(dgtest::source_dir()) / "fixtures/prisma/names";
  auto ddl = generate_ddl(load_prisma(dir / "schema.prisma"));
  auto find = [&](std::string_view needle) -> const GeneratedDdl& {
    for (const auto& d : ddl) {
      if (d.sql.find(needle) != std::string::npos) return d;
    }
    FAIL("no statement with " << needle);
    return ddl.front();
  };
  auto where = [&](std::string_view needle) {
    const SourceRef& r = find(needle).origin;
    return std::to_string(r.line) + ":" + std::to_string(r.column);
  };
  CHECK(find("CREATE TABLE \"owners\"").origin.file == (dir / "schema.prisma").string());
  CHECK(where("CREATE SCHEMA") == "2:1");                  // the datasource
  CHECK(where("CREATE TABLE \"owners\"") == "18:1");       // model Owner
  CHECK(where("CREATE TABLE \"LegacyThing\"") == "27:1");  // @@ignore'd, still created
  CHECK(where("\"AccountWithQuiteALongModelName_someExtraordinarilyLongColum_key\"") == "8:54");  // @unique
  CHECK(where("\"acct_pair_key\"") == "14:3");                                                     // @@unique
  CHECK(where("\"owner_email_unique\"") == "21:45");
  CHECK(where("\"order_lines_order_fk\"") == "46:17");  // @relation
  CHECK(where("\"orders_customer_recent\"") == "41:3");

  auto multi = generate_ddl(load_prisma(fs::path(dgtest::source_dir()) / "fixtures/prisma/real/lukevella__rallly/schema"));
  CHECK(multi.front().sql == "CREATE SCHEMA IF NOT EXISTS \"public\"");
  for (const auto& d : multi) {
    if (d.sql.rfind("CREATE TABLE \"polls\"", 0) == 0) {
      REQUIRE(d.origin.file.size() > 18);
      CHECK(d.origin.file.str().substr(d.origin.file.size() - 18) == "models/poll.prisma");
    }
  }
}

TEST_CASE("prisma ddl: default names are shortened to 63 bytes as Prisma does") {
  CHECK(default_constraint_name("User", {"email"}, "_key") == "User_email_key");
  CHECK(default_constraint_name("Membership", {"orgSlug", "orgRegion"}, "_fkey") == "Membership_orgSlug_orgRegion_fkey");
  const std::string t = "AccountWithQuiteALongModelName";
  CHECK(default_constraint_name(t, {"someExtraordinarilyLongColumnNameForTesting"}, "_key") ==
        "AccountWithQuiteALongModelName_someExtraordinarilyLongColum_key");
  CHECK(default_constraint_name(t, {"createdByUserIdentifierWithAVeryLongName"}, "_fkey") ==
        "AccountWithQuiteALongModelName_createdByUserIdentifierWith_fkey");
  // exactly at the limit: nothing cut
  std::string fits(59, 'a');
  CHECK(default_constraint_name(fits.substr(0, 50), {fits.substr(0, 8)}, "_idx") == fits.substr(0, 50) + "_" + fits.substr(0, 8) + "_idx");
  CHECK(default_constraint_name(fits.substr(0, 50), {fits.substr(0, 9)}, "_idx").size() == 63);
  // a multi-byte character is never split: "é" is 2 bytes, bytes 58-59 here, and the cut is at 59
  std::string accented = std::string(58, 'x') + "é" + "tail";
  CHECK(default_constraint_name(accented, {"c"}, "_key") == std::string(58, 'x') + "_key");
  CHECK(default_constraint_name(std::string(57, 'x') + "é" + "tail", {"c"}, "_key") == std::string(57, 'x') + "é_key");
  CHECK(default_primary_key_name("Short") == "Short_pkey");
  CHECK(default_primary_key_name(std::string(70, 'T')) == std::string(58, 'T') + "_pkey");
}

TEST_CASE("prisma ddl: defaults") {
  auto sql = ddl_sql(kDs + R"P(
model D {
  id    Int      @id
  at    DateTime @default("2021-03-04T05:06:07.120+02:00")
  at2   DateTime @default("2021-03-04T05:06:07.000123Z")
  f     Float    @default(1.50)
  big   BigInt   @default(-9007199254740993)
  bytes Bytes    @default("aGVsbG8=")
  none  String?  @default(dbgenerated())
  nano  String   @default(nanoid(16))
  ul    String   @default(ulid())
  roles Role[]   @default([ADMIN, USER])
  flags Boolean[] @default([true, false])
  dates DateTime[] @default(["2020-01-01T00:00:00Z"])
  geo   Unsupported("geography(Point, 4326)")? @default(dbgenerated("'POINT(0 0)'::geography"))
  ts    DateTime @db.Timestamp
  upd   DateTime @updatedAt @db.Timestamptz(3)
}

enum Role {
  ADMIN
  USER  @map("user")
}
)P");
  REQUIRE(sql.size() == 3);
  CHECK(sql[2] == "CREATE TABLE \"D\" (\n"
                  "    \"id\" INTEGER NOT NULL,\n"
                  "    \"at\" TIMESTAMP(3) NOT NULL DEFAULT '2021-03-04 05:06:07.120 +02:00',\n"
                  "    \"at2\" TIMESTAMP(3) NOT NULL DEFAULT '2021-03-04 05:06:07.000123 +00:00',\n"
                  "    \"f\" DOUBLE PRECISION NOT NULL DEFAULT 1.5,\n"
                  "    \"big\" BIGINT NOT NULL DEFAULT -9007199254740993,\n"
                  "    \"bytes\" BYTEA NOT NULL DEFAULT '\\x68656c6c6f',\n"
                  "    \"none\" TEXT,\n"
                  "    \"nano\" TEXT NOT NULL,\n"
                  "    \"ul\" TEXT NOT NULL,\n"
                  "    \"roles\" \"Role\"[] DEFAULT ARRAY['ADMIN', 'user']::\"Role\"[],\n"
                  "    \"flags\" BOOLEAN[] DEFAULT ARRAY[true, false]::BOOLEAN[],\n"
                  "    \"dates\" TIMESTAMP(3)[] DEFAULT ARRAY['2020-01-01 00:00:00 +00:00']::TIMESTAMP(3)[],\n"
                  "    \"geo\" geography(Point, 4326) DEFAULT 'POINT(0 0)'::geography,\n"
                  "    \"ts\" TIMESTAMP NOT NULL,\n"
                  "    \"upd\" TIMESTAMPTZ(3) NOT NULL,\n\n"
                  "    CONSTRAINT \"D_pkey\" PRIMARY KEY (\"id\")\n"
                  ")");
  CHECK(sql[1] == "CREATE TYPE \"Role\" AS ENUM ('ADMIN', 'user')");
}

TEST_CASE("prisma ddl: relations, many-to-many, relationMode and views") {
  const std::string schema = R"P(
model Tag {
  id    String @id @db.Uuid
  posts Post[] @relation("tagging")
}
model Post {
  id     BigInt @id @default(autoincrement())
  tags   Tag[]  @relation("tagging")
  author User?  @relation(fields: [authorId], references: [id], onDelete: SetDefault, onUpdate: Restrict)
  authorId Int?
  stats  PostStats?
}
model User {
  id    Int    @id
  posts Post[]
}
view PostStats {
  postId BigInt @unique
  post   Post   @relation(fields: [postId], references: [id])
  @@map("post_stats")
}
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views"]
}
)P";
  auto sql = ddl_sql(kDs + schema);
  REQUIRE(sql.size() == 9);
  CHECK(sql[4] == "CREATE TABLE \"_tagging\" (\n    \"A\" BIGINT NOT NULL,\n    \"B\" UUID NOT NULL,\n\n"
                  "    CONSTRAINT \"_tagging_AB_pkey\" PRIMARY KEY (\"A\",\"B\")\n)");
  CHECK(sql[5] == "CREATE INDEX \"_tagging_B_index\" ON \"_tagging\"(\"B\")");
  CHECK(sql[6] == "ALTER TABLE \"Post\" ADD CONSTRAINT \"Post_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES "
                  "\"User\"(\"id\") ON DELETE SET DEFAULT ON UPDATE RESTRICT");
  CHECK(sql[7] == "ALTER TABLE \"_tagging\" ADD CONSTRAINT \"_tagging_A_fkey\" FOREIGN KEY (\"A\") REFERENCES "
                  "\"Post\"(\"id\") ON DELETE CASCADE ON UPDATE CASCADE");
  CHECK(sql[8] == "ALTER TABLE \"_tagging\" ADD CONSTRAINT \"_tagging_B_fkey\" FOREIGN KEY (\"B\") REFERENCES "
                  "\"Tag\"(\"id\") ON DELETE CASCADE ON UPDATE CASCADE");

  // relationMode = "prisma": no foreign keys at all, the join table still exists
  auto emulated = ddl_sql("datasource db {\n  provider = \"postgresql\"\n  relationMode = \"prisma\"\n}\n" + schema);
  REQUIRE(emulated.size() == 6);
  for (const auto& s : emulated) CHECK(s.find("FOREIGN KEY") == std::string::npos);

  auto views = expected_views(parse_prisma(kDs + schema));
  REQUIRE(views.size() == 1);
  CHECK(views[0].schema == "public");
  CHECK(views[0].name == "post_stats");
  CHECK(views[0].origin.line == 20);
}

TEST_CASE("prisma ddl: extensions, schemas and @ignore") {
  const std::string schema = R"P(datasource db {
  provider   = "postgres"
  url        = env("DATABASE_URL")
  directUrl  = env("DIRECT_URL")
  schemas    = ["public", "app"]
  extensions = [vector(version: "0.7.0", schema: "app"), uuid_ossp(map: "uuid-ossp"), citext]
}
model Thing {
  id   String @id @default(dbgenerated("uuid_generate_v4()")) @db.Uuid
  old  Int?
  kind Kind
  @@schema("app")
  @@ignore
}
enum Kind {
  A
  @@schema("app")
  @@map("thing_kind")
}
view Report {
  id Int @unique
  @@schema("app")
}
generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["multiSchema", "views"]
}
)P";
  // (a field of an @@ignore'd model takes no @ignore: Prisma's engine refuses it, test_prisma_parser.cpp)
  auto sql = ddl_sql(schema);
  auto views = expected_views(parse_prisma(schema));
  REQUIRE(views.size() == 1);
  CHECK(views[0].schema == "app");
  CHECK(views[0].name == "Report");
  // Only the listed schemas something lives in are created ("public" holds nothing here), as Prisma's engine does.
  REQUIRE(sql.size() == 6);
  CHECK(sql[0] == "CREATE SCHEMA IF NOT EXISTS \"app\"");
  CHECK(sql[1] == "CREATE EXTENSION IF NOT EXISTS \"citext\"");
  CHECK(sql[2] == "CREATE EXTENSION IF NOT EXISTS \"uuid-ossp\"");
  CHECK(sql[3] == "CREATE EXTENSION IF NOT EXISTS \"vector\" WITH SCHEMA \"app\" VERSION \"0.7.0\"");
  CHECK(sql[4] == "CREATE TYPE \"app\".\"thing_kind\" AS ENUM ('A')");
  CHECK(sql[5] == "CREATE TABLE \"app\".\"Thing\" (\n    \"id\" UUID NOT NULL DEFAULT uuid_generate_v4(),\n"
                  "    \"old\" INTEGER,\n    \"kind\" \"app\".\"thing_kind\" NOT NULL,\n\n"
                  "    CONSTRAINT \"Thing_pkey\" PRIMARY KEY (\"id\")\n)");
}

TEST_CASE("prisma ddl: index options") {
  auto sql = ddl_sql(kDs + R"P(
model I {
  id   Int    @id(map: "i_pk")
  a    String @unique(sort: Desc, map: "i_a_desc")
  b    Int
  ip   String @db.Inet
  @@index([ip(ops: InetOps)], type: Gist)
  @@index([b(sort: Asc), a(sort: Desc)], type: BTree)
  @@unique(fields: [a, b], name: "clientName")
  @@index([a], type: SpGist, where: raw("a <> ''"))
}
)P");
  REQUIRE(sql.size() == 7);
  CHECK(sql[1].find("CONSTRAINT \"i_pk\" PRIMARY KEY (\"id\")") != std::string::npos);
  CHECK(sql[2] == "CREATE UNIQUE INDEX \"i_a_desc\" ON \"I\"(\"a\" DESC)");
  CHECK(sql[3] == "CREATE INDEX \"I_ip_idx\" ON \"I\" USING GIST (\"ip\" inet_ops)");
  CHECK(sql[4] == "CREATE INDEX \"I_b_a_idx\" ON \"I\"(\"b\" ASC, \"a\" DESC)");  // measured: a written Asc is printed
  // SpGist over a String: Prisma's engine refuses it over an Int (no default operator class)
  CHECK(sql[5] == "CREATE INDEX \"I_a_idx\" ON \"I\" USING SPGIST (\"a\") WHERE (a <> '')");
  CHECK(sql[6] == "CREATE UNIQUE INDEX \"I_a_b_key\" ON \"I\"(\"a\", \"b\")");  // name: is the client's name
}

TEST_CASE("prisma ddl: what Prisma rejects on PostgreSQL is an error at its position") {
  CHECK(one_error(kDs + "model A {\n  id Int @id @db.VarChar(3)\n}\n") ==
        "schema.prisma:5:14: @db.VarChar does not apply to a field of type Int");
  CHECK(one_error(kDs + "model A {\n  id String @id @db.Nope\n}\n") ==
        "schema.prisma:5:17: unknown native type @db.Nope for PostgreSQL");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  t String\n  @@fulltext([t])\n}\n") ==
        "schema.prisma:7:3: @@fulltext is only supported on MySQL and MongoDB");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  @@index([nope])\n}\n") == "schema.prisma:6:12: model A has no field 'nope'");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  b B @relation(fields: [bId], references: [id])\n  bId Int\n}\n"
                        "model B {\n  id Int @id\n  a A[]\n}\n") == "(no error)");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  b B @relation(fields: [bId], references: [idx])\n  bId Int\n}\n"
                        "model B {\n  id Int @id\n  a A[]\n}\n") == "schema.prisma:6:45: model B has no field 'idx'");
  CHECK(one_error(kDs + "model A {\n  id Int @id @default(\"x\")\n  n Int @default(1.5)\n  d DateTime @default(\"yesterday\")\n}\n") ==
        "schema.prisma:5:23: default value of field 'id' must be an integer\n"
        "schema.prisma:6:18: default value of field 'n' must be an integer\n"
        "schema.prisma:7:23: default value of field 'd' must be an RFC 3339 date-time such as \"2020-01-01T00:00:00Z\"");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  r A? @relation(fields: [rid], references: [id], onDelete: Explode)\n"
                        "  rid Int?\n  back A[]\n}\n") ==
        "schema.prisma:6:61: unknown referential action 'Explode': expected Cascade, Restrict, NoAction, SetNull or SetDefault");
  CHECK(one_error("datasource db {\n  provider = \"mysql\"\n}\n") ==
        "schema.prisma:2:14: only the PostgreSQL provider (\"postgresql\") is supported");
  CHECK(one_error(kDs + "type Address {\n  street String\n}\nmodel A {\n  id Int @id\n  addr Address\n}\n") ==
        "schema.prisma:9:8: composite types are only supported on MongoDB");
  CHECK(one_error("datasource db {\n  provider = \"postgresql\"\n  schemas = [\"a\"]\n}\nmodel M {\n  id Int @id\n}\n"
                  "enum E {\n  X\n  @@schema(\"b\")\n}\n") ==
        "schema.prisma:5:1: model M has no @@schema attribute (the datasource lists schemas)\n"
        "schema.prisma:10:3: schema \"b\" is not in the datasource's schemas list");
  CHECK(one_error(kDs + "model M {\n  id Int @id\n  @@schema(\"x\")\n}\n") ==
        "schema.prisma:6:3: @@schema needs the datasource to list its schemas (schemas = [...])");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  t String\n  @@index([t(length: 10)])\n}\n") ==
        "schema.prisma:7:14: length is only supported on MySQL");
}

// Found by the Prisma DDL oracle (tests/test_oracle_prisma_ddl.cpp): Prisma rejects an explicit constraint name
// over 63 bytes ("... is too long for your chosen provider. The maximum allowed length is 63 bytes.") instead of
// letting PostgreSQL cut it; default names are shortened (above), explicit ones are not.
TEST_CASE("prisma ddl: an explicit constraint name over 63 bytes is an error, as in Prisma's engine") {
  const std::string n64(64, 'x');
  const std::string n63(63, 'x');
  CHECK(one_error(kDs + "model A {\n  id Int @id(map: \"" + n64 + "\")\n}\n") ==
        "schema.prisma:5:19: the constraint name '" + n64 + "' in map: is longer than PostgreSQL's limit of 63 bytes");
  const std::string other64(64, 'y');
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  b Int @unique(map: \"" + n64 + "\")\n  c Int\n  @@index([c], map: \"" +
                  other64 + "\")\n}\n") ==
        "schema.prisma:6:22: the constraint name '" + n64 + "' in map: is longer than PostgreSQL's limit of 63 bytes\n"
        "schema.prisma:8:21: the constraint name '" + other64 + "' in map: is longer than PostgreSQL's limit of 63 bytes");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  b B @relation(fields: [bId], references: [id], map: \"" + n64 +
                  "\")\n  bId Int\n}\nmodel B {\n  id Int @id\n  a A[]\n}\n") ==
        "schema.prisma:6:55: the constraint name '" + n64 + "' in map: is longer than PostgreSQL's limit of 63 bytes");
  CHECK(one_error(kDs + "model A {\n  id Int @id(map: \"" + n63 + "\")\n}\n") == "(no error)");
}

// Found by the Prisma DDL oracle (tests/test_oracle_prisma_ddl.cpp) and measured with Prisma's engine: a written
// `sort: Asc` is printed (ASC), and with a `schemas` list only the schemas in use are created, in byte order.
TEST_CASE("prisma ddl: sort: Asc is printed, schemas in use are created in name order") {
  auto sql = ddl_sql("datasource db {\n  provider = \"postgresql\"\n  schemas  = [\"zeta\", \"Alpha\", \"public\", \"unused\", \"c\"]\n}\n"
                     "enum E {\n  X\n  @@schema(\"c\")\n}\n"
                     "model A {\n  id Int @id\n  b  Int @unique(sort: Asc)\n  c  Int\n  d  Int\n  e  E\n"
                     "  @@unique([c(sort: Asc), d(sort: Desc)])\n  @@index([d(sort: Asc)])\n  @@index([c(sort: Asc)], type: Brin)\n"
                     "  @@schema(\"zeta\")\n}\n"
                     "model B {\n  id Int @id\n  @@schema(\"Alpha\")\n}\n");
  REQUIRE(sql.size() == 10);
  CHECK(sql[0] == "CREATE SCHEMA IF NOT EXISTS \"Alpha\"");
  CHECK(sql[1] == "CREATE SCHEMA IF NOT EXISTS \"c\"");
  CHECK(sql[2] == "CREATE SCHEMA IF NOT EXISTS \"zeta\"");
  CHECK(sql[6] == "CREATE UNIQUE INDEX \"A_b_key\" ON \"zeta\".\"A\"(\"b\" ASC)");
  CHECK(sql[7] == "CREATE INDEX \"A_d_idx\" ON \"zeta\".\"A\"(\"d\" ASC)");
  CHECK(sql[8] == "CREATE INDEX \"A_c_idx\" ON \"zeta\".\"A\" USING BRIN (\"c\" ASC)");
  CHECK(sql[9] == "CREATE UNIQUE INDEX \"A_c_d_key\" ON \"zeta\".\"A\"(\"c\" ASC, \"d\" DESC)");
}

TEST_CASE("prisma ddl: a Hash index with a sort order is an error, as in Prisma's engine") {
  // Engine: 'Error parsing attribute "@@index": Hash type does not support sort option.'
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  d Int\n  @@index([d(sort: Asc)], type: Hash)\n}\n") ==
        "schema.prisma:7:3: a Hash index takes no sort order");
  CHECK(one_error(kDs + "model A {\n  id Int @id\n  d Int\n  @@index([d], type: Hash)\n}\n") == "(no error)");
}

// Found by the Prisma DDL oracle (scripts/fuzz-prisma.sh, seed 424242, three fragments): two default names cut to
// 63 bytes become the same; Prisma's engine rejects both ("The given constraint name `...` has to be unique in the
// following namespace: global for primary key, indexes and unique constraints").
TEST_CASE("prisma ddl: two constraints with one name are an error, as in Prisma's engine") {
  const std::string field = "f0_aVeryLongFieldNameThatMakesIndexNamesLongerThanSixtyThree";
  CHECK(one_error(kDs + "model M {\n  id Int @id\n  " + field + " Float? @unique\n  other Int\n  @@unique([" + field +
                  ", other])\n}\n") ==
        "schema.prisma:8:3: the constraint name 'M_f0_aVeryLongFieldNameThatMakesIndexNamesLongerThanSixtyTh_key' is "
        "already used at schema.prisma:6:" + std::to_string(3 + field.size() + 8) +
        ": primary keys, indexes and unique constraints need distinct names (give one a map: name)");
  CHECK(one_error(kDs + "model M {\n  id Int @id\n  a Int\n  @@index([a], map: \"M_pkey\")\n}\n") ==
        "schema.prisma:7:3: the constraint name 'M_pkey' is already used at schema.prisma:4:1: primary keys, indexes "
        "and unique constraints need distinct names (give one a map: name)");
}

// An @@index of each type over a field of each scalar type, list and @db type, without ops: which ones Prisma's
// engine refuses ("The Gin index type does not support the type of the field", "... has no default operator
// class", and any index on @db.Xml at the field) is measured by running the engine on the whole matrix, and
// driftguard must refuse exactly the same lines.
TEST_CASE("prisma validation: index types without ops, accepted and refused on the lines Prisma's engine refuses",
          "[prisma][pg]") {
  const std::vector<std::pair<std::string, std::vector<std::string>>> natives = {
      {"String", {"", "Text", "Char(3)", "VarChar(20)", "Bit(3)", "VarBit(3)", "Uuid", "Xml", "Inet", "Citext"}},
      {"Int", {"", "Integer", "SmallInt", "Oid"}},
      {"BigInt", {"", "BigInt"}},
      {"Float", {"", "DoublePrecision", "Real"}},
      {"Decimal", {"", "Decimal(10,2)", "Money"}},
      {"DateTime", {"", "Timestamp(3)", "Timestamptz(6)", "Date", "Time(6)", "Timetz(6)"}},
      {"Json", {"", "Json", "JsonB"}},
      {"Bytes", {"", "ByteA"}},
      {"Boolean", {"", "Boolean"}},
      {"E", {""}}};
  std::string text = kDs + "enum E {\n  A\n}\nmodel M {\n  id Int @id\n";
  std::vector<std::string> fields;
  for (const auto& [type, ns] : natives) {
    for (const auto& n : ns) {
      for (const char* list : {"", "[]"}) {
        std::string name = "f";  // appended: GCC 12 -O3 warns falsely (-Wrestrict) on `"f" + std::string&&`
        name += std::to_string(fields.size() + 1);
        fields.push_back(name);
        text += "  " + name + " " + type + list;  // appends: GCC 12 -O3 warns falsely (-Wrestrict) on `" @db." + n`
        if (!n.empty()) {
          text += " @db.";
          text += n;
        }
        text += '\n';
      }
    }
  }
  int k = 0;
  for (const char* type : {"Gin", "Gist", "SpGist", "Brin", "Hash", "BTree"}) {
    for (const auto& f : fields) {
      text += "  @@index([" + f + "], type: " + type + ", map: \"x" + std::to_string(++k) + "\")\n";
    }
  }
  text += "}\n";
  // driftguard's refusals: the line of each error (one per refused index; an Xml field once per index)
  std::multiset<int> ours;
  std::string errors = one_error(text);
  std::istringstream in(errors);
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("schema.prisma:", 0) == 0) ours.insert(std::stoi(line.substr(14)));
  }
  CHECK(errors.find("schema.prisma:23:3: field 'f15' has native type Xml, which Prisma cannot index (remove it "
                    "from the index)\n") != std::string::npos);
  CHECK(errors.find("schema.prisma:81:12: the Gin index type has no default operator class for field 'f1' "
                    "(String): give it one with ops:, or use another index type\n") != std::string::npos);
  REQUIRE(!ours.empty());
  if (!dgtest::prisma_engine::available()) {
    WARN("../shared/tools/prisma-engine is not there: Prisma's own refusals not compared");
    return;
  }
  fs::path dir = fs::temp_directory_path() / ("dg-index-types-" + std::to_string(::getpid()));
  dgtest::prisma_engine::write_file(dir / "schema.prisma", text);
  auto run = dgtest::prisma_engine::run({"sql", (dir / "schema.prisma").string()});
  fs::remove_all(dir);
  CHECK(run.code != 0);
  std::multiset<int> prisma;
  const std::string arrow = "-->  ";
  for (std::size_t at = run.err.find(arrow); at != std::string::npos; at = run.err.find(arrow, at + 1)) {
    std::size_t colon = run.err.find(':', at);
    std::size_t end = run.err.find('\n', at);
    if (colon != std::string::npos && colon < end) prisma.insert(std::stoi(run.err.substr(colon + 1, end - colon - 1)));
  }
  INFO(run.err.substr(0, 2000));
  INFO(errors.substr(0, 2000));
  CHECK(prisma.size() == 196);
  CHECK(ours == prisma);
}
