// The Prisma schema parser: every block, field and attribute form, comments, multi-file folders, positions, and
// the exact error messages with their line:col.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "introspect/prisma/parser.hpp"
#include "tests/prisma_engine.hpp"

namespace fs = std::filesystem;
using namespace driftguard;
using namespace driftguard::prisma;

namespace {

std::string errors_of(const std::string& text) {
  try {
    parse_prisma(text);
  } catch (const PrismaError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string pos(const SourceRef& r) { return std::to_string(r.line) + ":" + std::to_string(r.column); }

}  // namespace

TEST_CASE("prisma parser: datasource and generator blocks, Prisma 5/6/7 syntax") {
  auto s = parse_prisma(R"P(// leading comment
datasource db {
  provider          = "postgresql"
  url               = env("DATABASE_URL") // pooled
  directUrl         = env("DIRECT_URL")
  shadowDatabaseUrl = env("SHADOW_DATABASE_URL")
  extensions        = [pgcrypto, pg_trgm(schema: "public"), uuid_ossp(map: "uuid-ossp", version: "1.1")]
  schemas           = ["auth", "public"]
}

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["fullTextSearch", "multiSchema", "postgresqlExtensions"]
  binaryTargets   = ["native", "debian-openssl-3.0.x"]
  output          = "../generated"
}
)P");
  REQUIRE(s.datasources.size() == 1);
  const auto& ds = s.datasources[0];
  CHECK(ds.name == "db");
  CHECK(pos(ds.ref) == "2:1");
  CHECK(ds.get("provider")->text == "postgresql");
  const Expr* url = ds.get("url");
  REQUIRE(url);
  CHECK(url->is_call("env"));
  CHECK(url->positional(0)->text == "DATABASE_URL");
  CHECK(ds.get("directUrl")->positional(0)->text == "DIRECT_URL");
  CHECK(ds.get("shadowDatabaseUrl")->positional(0)->text == "SHADOW_DATABASE_URL");
  const Expr* ext = ds.get("extensions");
  REQUIRE(ext->kind == Expr::Kind::Array);
  REQUIRE(ext->items.size() == 3);
  CHECK(ext->items[0].is_path("pgcrypto"));
  CHECK(ext->items[1].is_call("pg_trgm"));
  CHECK(ext->items[1].arg("schema")->text == "public");
  CHECK(ext->items[2].arg("map")->text == "uuid-ossp");
  CHECK(pos(ext->items[2].ref) == "7:61");
  CHECK(ds.get("schemas")->items.size() == 2);
  REQUIRE(s.generators.size() == 1);
  CHECK(s.generators[0].get("previewFeatures")->items[1].text == "multiSchema");
  CHECK(s.generators[0].get("binaryTargets")->items[1].text == "debian-openssl-3.0.x");
  CHECK(s.generators[0].get("nope") == nullptr);
}

TEST_CASE("prisma parser: models, fields, arities and every field attribute") {
  auto s = parse_prisma(R"P(/// A user.
/// Second line.
model User {
  id        String    @id @default(uuid(7)) @db.Uuid
  /// the login
  email     String    @unique(sort: Desc, length: 10, map: "user_email") @map("email_address")
  nick      String?
  tags      String[]  @default([])
  geo       Unsupported("geometry(Point, 4326)")?
  shape     Unsupported("circle")[]
  createdAt DateTime  @default(now()) @db.Timestamptz(6)
  updatedAt DateTime  @updatedAt
  legacy    Int?      @ignore
  price     Decimal   @default(-12.50) @db.Decimal(10, 2)
  posts     Post[]    @relation("authored")
  team      Team?     @relation(name: "members", fields: [teamId], references: [id], onDelete: Cascade, onUpdate: NoAction, map: "user_team_fk")
  teamId    Int?
  json      Json      @default("{\"a\": \"\u00e9\"}")
  seq       Int       @default(dbgenerated("nextval('s'::regclass)"))
}
model Post {
  id       Int    @id
  author   User   @relation("authored", fields: [authorId], references: [id])
  authorId String
}
model Team {
  id      Int    @id
  members User[] @relation("members")
}
)P");
  REQUIRE(s.models.size() == 3);
  const Model& m = s.models[0];
  CHECK(m.name == "User");
  CHECK(m.doc == "A user.\nSecond line.");
  CHECK(pos(m.ref) == "3:1");
  REQUIRE(m.fields.size() == 15);

  const Field& id = m.fields[0];
  CHECK(id.type == "String");
  CHECK(id.arity == Arity::Required);
  REQUIRE(id.attributes.size() == 3);
  CHECK(id.attributes[0].name == "id");
  CHECK(id.attributes[1].name == "default");
  CHECK(id.attributes[1].positional()->is_call("uuid"));
  CHECK(id.attributes[1].positional()->positional(0)->text == "7");
  CHECK(id.attributes[2].name == "db.Uuid");
  CHECK(pos(id.attributes[2].ref) == "4:45");

  const Field& email = *m.field("email");
  CHECK(email.doc == "the login");
  CHECK(pos(email.ref) == "6:3");
  const Attribute* u = email.attr("unique");
  REQUIRE(u);
  CHECK(u->arg("sort")->is_path("Desc"));
  CHECK(u->arg("length")->text == "10");
  CHECK(u->arg("map")->text == "user_email");
  CHECK(email.attr("map")->positional()->text == "email_address");

  CHECK(m.field("nick")->arity == Arity::Optional);
  CHECK(m.field("tags")->arity == Arity::List);
  CHECK(m.field("tags")->attr("default")->positional()->kind == Expr::Kind::Array);
  CHECK(m.field("geo")->type == "Unsupported");
  CHECK(m.field("geo")->unsupported == "geometry(Point, 4326)");
  CHECK(m.field("geo")->arity == Arity::Optional);
  CHECK(m.field("shape")->arity == Arity::List);
  CHECK(m.field("createdAt")->attr("db.Timestamptz")->positional()->text == "6");
  CHECK(m.field("updatedAt")->attr("updatedAt"));
  CHECK(m.field("legacy")->attr("ignore"));
  CHECK(m.field("price")->attr("default")->positional()->text == "-12.50");
  CHECK(m.field("price")->attr("db.Decimal")->positional(1)->text == "2");
  CHECK(m.field("posts")->attr("relation")->positional()->text == "authored");
  const Attribute* rel = m.field("team")->attr("relation");
  CHECK(rel->arg("name")->text == "members");
  CHECK(rel->arg("fields")->items[0].is_path("teamId"));
  CHECK(rel->arg("references")->items[0].is_path("id"));
  CHECK(rel->arg("onDelete")->is_path("Cascade"));
  CHECK(rel->arg("onUpdate")->is_path("NoAction"));
  CHECK(rel->arg("map")->text == "user_team_fk");
  CHECK(m.field("json")->attr("default")->positional()->text == "{\"a\": \"\xC3\xA9\"}");
  CHECK(m.field("seq")->attr("default")->positional()->positional(0)->text == "nextval('s'::regclass)");
}

TEST_CASE("prisma parser: block attributes with all their arguments") {
  auto s = parse_prisma(R"P(model Doc {
  a String
  b Int
  c Json

  @@id([a, b], name: "pk", map: "doc_pk")
  @@unique([a(sort: Desc), b], name: "ab", map: "doc_ab")
  @@index([c(ops: JsonbPathOps)], type: Gin)
  @@index([a(ops: raw("text_pattern_ops"), length: 5)], where: raw("b > 0"), map: "doc_a", name: "ignored")
  @@index(b)
  @@fulltext([a])
  @@map("docs")
  @@schema("app")
  @@ignore
}
)P");
  const Model& m = s.models.at(0);
  REQUIRE(m.attributes.size() == 9);
  CHECK(m.attributes[0].name == "id");
  CHECK(m.attributes[0].arg("map")->text == "doc_pk");
  CHECK(m.attributes[1].positional()->items[0].is_call("a"));
  CHECK(m.attributes[1].positional()->items[0].arg("sort")->is_path("Desc"));
  CHECK(m.attributes[2].arg("type")->is_path("Gin"));
  CHECK(m.attributes[2].positional()->items[0].arg("ops")->is_path("JsonbPathOps"));
  const Expr& a = m.attributes[3].positional()->items[0];
  CHECK(a.arg("ops")->is_call("raw"));
  CHECK(a.arg("ops")->positional(0)->text == "text_pattern_ops");
  CHECK(a.arg("length")->text == "5");
  CHECK(m.attributes[3].arg("where")->positional(0)->text == "b > 0");
  CHECK(m.attributes[4].positional()->is_path("b"));
  CHECK(m.attributes[5].name == "fulltext");
  CHECK(m.attr("map")->positional()->text == "docs");
  CHECK(m.attr("schema")->positional()->text == "app");
  CHECK(pos(m.attr("ignore")->ref) == "14:3");
}

TEST_CASE("prisma parser: enums, views, composite types, comments") {
  auto s = parse_prisma(R"P(enum Role {
  USER      // plain
  ADMIN     @map("admin")
  /// documented
  OWNER

  @@map("role")
  @@schema("auth")
}

view Stats {
  id    Int    @unique
  total BigInt
}

type Address {
  street String
  zip    String?
}

model A { id Int @id }

generator client {
  provider        = "prisma-client-js"
  previewFeatures = ["views"]
}
)P");
  REQUIRE(s.enums.size() == 1);
  const Enum& e = s.enums[0];
  REQUIRE(e.values.size() == 3);
  CHECK(e.values[1].attributes.at(0).positional()->text == "admin");
  CHECK(e.values[2].doc == "documented");
  CHECK(pos(e.values[2].ref) == "5:3");
  CHECK(e.attr("map")->positional()->text == "role");
  CHECK(e.attr("schema")->positional()->text == "auth");
  REQUIRE(s.views.size() == 1);
  CHECK(s.views[0].kind == Model::Kind::View);
  CHECK(s.views[0].fields.size() == 2);
  REQUIRE(s.types.size() == 1);
  CHECK(s.types[0].kind == Model::Kind::Type);
  CHECK(s.types[0].fields[1].arity == Arity::Optional);
  REQUIRE(s.models.size() == 1);
  CHECK(s.models[0].fields.at(0).attr("id"));
}

TEST_CASE("prisma parser: line breaks inside brackets, CRLF, BOM and character columns") {
  auto s = parse_prisma("\xEF\xBB\xBFmodel A {\r\n  id Int @id\r\n  n  String @default(\"h\xC3\xA9\") @map(\"n\")\r\n"
                        "  @@index([\r\n    id,\r\n    n,\r\n  ])\r\n}\r\n");
  const Model& m = s.models.at(0);
  CHECK(pos(m.ref) == "1:1");
  CHECK(pos(m.fields[1].attributes[1].ref) == "3:28");  // "é" is one column
  CHECK(m.attributes.at(0).positional()->items.size() == 2);
}

TEST_CASE("prisma parser: a folder of .prisma files loads in path order") {
  fs::path dir = fs::temp_directory_path() / ("dg_prisma_" + std::to_string(::getpid()));
  fs::create_directories(dir / "models");
  auto write = [](const fs::path& p, const std::string& text) { std::ofstream(p, std::ios::binary) << text; };
  write(dir / "schema.prisma", "datasource db {\n  provider = \"postgresql\"\n}\n");
  write(dir / "models" / "post.prisma", "model Post {\n  id Int @id\n  author User @relation(fields: [authorId], references: [id])\n  authorId Int\n}\n");
  write(dir / "models" / "post-tag.prisma", "enum Tag {\n  A\n}\n");
  write(dir / "models" / "user.prisma", "model User {\n  id Int @id\n  posts Post[]\n}\n");
  write(dir / "notes.txt", "not a schema {");
  auto s = load_prisma(dir);
  REQUIRE(s.files.size() == 4);
  CHECK(s.files[0] == (dir / "models" / "post-tag.prisma").string());
  CHECK(s.files[3] == (dir / "schema.prisma").string());
  REQUIRE(s.models.size() == 2);
  CHECK(s.models[0].name == "Post");
  CHECK(s.models[0].ref.file == (dir / "models" / "post.prisma").string());
  CHECK(s.datasources.size() == 1);
  write(dir / "models" / "bad.prisma", "model Bad {\n  x Nope @id\n}\n");
  try {
    load_prisma(dir);
    FAIL("no error");
  } catch (const PrismaError& e) {
    CHECK(std::string(e.what()) == (dir / "models" / "bad.prisma").string() +
                                       ":2:5: type 'Nope' of field 'x' is neither a built-in type nor a model, view, "
                                       "composite type or enum");
  }
  fs::remove_all(dir);
  try {
    load_prisma(dir);
    FAIL("no error");
  } catch (const PrismaError& e) {
    CHECK(std::string(e.what()) == dir.string() + ": no such file or folder");
  }
}

TEST_CASE("prisma parser: syntax errors with their line:col, several per file") {
  CHECK(errors_of("model A {\n  id Int @id\n") == "schema.prisma:3:1: missing '}' to close the model A opened at line 1");
  CHECK(errors_of("model A {\n  id\n}\n") == "schema.prisma:2:5: field 'id' has no type");
  CHECK(errors_of("modle A {\n  id Int\n}\n") ==
        "schema.prisma:1:1: unknown block type 'modle': expected model, enum, view, type, datasource or generator");
  CHECK(errors_of("model A {\n  id Int @default(now()\n  name String\n}\n") ==
        "schema.prisma:2:18: unclosed '(': missing ')'");
  CHECK(errors_of("model A {\n  id String @default(\"abc)\n}\n") ==
        "schema.prisma:2:22: unterminated string: missing closing '\"'");
  CHECK(errors_of("model A {\n  id Int?[]\n}\n") ==
        "schema.prisma:2:10: optional lists are not supported: write 'Int[]'");
  CHECK(errors_of("model A {\n  id Int[]?\n}\n") ==
        "schema.prisma:2:11: optional lists are not supported: a list field cannot be optional");
  CHECK(errors_of("model A {\n  id: Int\n}\n") ==
        "schema.prisma:2:5: field declarations do not take a ':' (write 'id Int')");
  CHECK(errors_of("model A {\n  id Int $\n}\n") == "schema.prisma:2:10: unexpected character '$'");
  CHECK(errors_of("model A {\n  id Int @id @@map(\"a\")\n}\n") ==
        "schema.prisma:2:14: block attributes (@@...) go on their own line");
  CHECK(errors_of("model A {\n  id Int @default(1,)\n  b Int @default(, 2)\n}\n") ==
        "schema.prisma:3:18: expected a value (a string, a number, a list, a name or a function call), found ','");
  CHECK(errors_of("model A {\n  id Int @relation(fields: )\n}\n") ==
        "schema.prisma:2:28: missing value for argument 'fields'");
  CHECK(errors_of("datasource db {\n  provider\n  url = \n}\n") ==
        "schema.prisma:2:11: expected '=' after 'provider', found the end of the line\n"
        "schema.prisma:3:9: missing value for 'url'");
  CHECK(errors_of("enum E {\n  A B\n}\n") == "schema.prisma:2:5: enum values go one per line: unexpected 'B'");
  CHECK(errors_of("model A {\n  id Int @id\n} extra\n") ==
        "schema.prisma:3:3: unknown block type 'extra': expected model, enum, view, type, datasource or generator");

  // Several errors in one file are all reported; parsing resumes on the next line or block.
  CHECK(errors_of("model A {\n  id Int @default(\n  ok String\n  bad Int @map(\"x\" \"y\")\n}\n\nmodle B {\n}\n\n"
                  "enum E {\n  X @map(\n}\n") ==
        "schema.prisma:2:18: unclosed '(': missing ')'\n"
        "schema.prisma:4:20: expected ',' or ')', found a string\n"
        "schema.prisma:7:1: unknown block type 'modle': expected model, enum, view, type, datasource or generator\n"
        "schema.prisma:11:9: unclosed '(': missing ')'");
}

TEST_CASE("prisma parser: name resolution and attribute errors") {
  CHECK(errors_of("model A {\n  id Int @id\n  b Strin\n}\n") ==
        "schema.prisma:3:5: type 'Strin' of field 'b' is neither a built-in type nor a model, view, composite type or "
        "enum");
  CHECK(errors_of("model A {\n  id Int @id @primary\n  @@unknown\n}\n") ==
        "schema.prisma:2:14: unknown attribute @primary on field 'id'\n"
        "schema.prisma:3:3: unknown attribute @@unknown on model A");
  CHECK(errors_of("model A {\n  id Int @id\n  id String\n}\nenum A {\n  X\n  X\n}\n") ==
        "schema.prisma:5:1: the enum 'A' is already defined at schema.prisma:1:1\n"
        "schema.prisma:3:3: field 'id' is already defined in model A at schema.prisma:2:3\n"
        "schema.prisma:7:3: value 'X' is already defined in enum A at schema.prisma:6:3");
  CHECK(errors_of("enum E {\n  X @db.Text\n  @@index([X])\n}\n") ==
        "schema.prisma:2:5: unknown attribute @db.Text on enum value 'X'\n"
        "schema.prisma:3:3: unknown attribute @@index on enum E");
  CHECK(errors_of("datasource a {\n  provider = \"postgresql\"\n}\ndatasource b {\n  provider = \"postgresql\"\n}\n") ==
        "schema.prisma:4:1: only one datasource is allowed (the first is at schema.prisma:1:1)");
  CHECK(errors_of("model String {\n  id Int @id\n}\n") == "schema.prisma:1:1: 'String' is a reserved type name");
}

// What Prisma 7's engine accepts and rejects, checked with `prisma-engine sql` (Prisma's schema-engine-wasm 7.10):
// a block comment is a line of its own (or starts one) or the trailing comment of a line; between the items of a
// line the engine rejects the line.
TEST_CASE("prisma parser: /* */ and /** */ comments where Prisma accepts them") {
  auto s = parse_prisma(R"P(/* a block comment
   over two lines */
/** a doc block */
model A { /* after the brace */
  /* a line of its own */
  id Int @id /* trailing, continued
  on the next line */
  /* before */ b String @default("/* a string, not a comment */")
  @@index([b]) /* after a block attribute */
} /* after the block */
enum E {
  X /* trailing */
  /** */
  Y
}
)P");
  REQUIRE(s.models.size() == 1);
  const Model& m = s.models[0];
  REQUIRE(m.fields.size() == 2);
  CHECK(pos(m.fields[0].ref) == "6:3");
  CHECK(pos(m.fields[1].ref) == "8:16");
  CHECK(m.fields[1].attr("default")->positional()->text == "/* a string, not a comment */");
  CHECK(pos(m.attributes.at(0).ref) == "9:3");
  REQUIRE(s.enums.size() == 1);
  CHECK(s.enums[0].values.size() == 2);
  CHECK(pos(s.enums[0].values[1].ref) == "14:3");
}

TEST_CASE("prisma parser: /* */ comments Prisma rejects are errors at their position") {
  CHECK(errors_of("model A {\n  id /* mid */ Int @id\n}\n") ==
        "schema.prisma:2:6: a /* */ comment must start its line or end it: Prisma rejects one between the items of a "
        "line");
  CHECK(errors_of("model A {\n  id Int @id /* a */ @unique\n}\n") ==
        "schema.prisma:2:14: a /* */ comment must start its line or end it: Prisma rejects one between the items of a "
        "line");
  // Two trailing comments: the engine rejects `/* x */ // y` and `/* x */ /* y */` after a field.
  CHECK(errors_of("model A {\n  id Int @id /* x */ // y\n}\n") ==
        "schema.prisma:2:14: a /* */ comment must start its line or end it: Prisma rejects one between the items of a "
        "line");
  CHECK(errors_of("model A {\n  id Int @id\n  /* never closed\n}\n") ==
        "schema.prisma:3:3: unterminated comment: '/*' without '*/'\n"
        "schema.prisma:5:1: missing '}' to close the model A opened at line 1");
}

TEST_CASE("prisma parser: Prisma 7's rules for views") {
  const std::string views = "generator client {\n  provider        = \"prisma-client-js\"\n"
                            "  previewFeatures = [\"views\"]\n}\n";
  // Engine: "View definitions are only available with the `views` preview feature." at the view.
  CHECK(errors_of("view V {\n  id Int @unique\n}\n") ==
        "schema.prisma:1:1: view definitions are only available with the \"views\" preview feature (previewFeatures "
        "of the generator)");
  // Engine: "Views cannot have primary keys." at the attribute.
  CHECK(errors_of(views + "view V {\n  id Int @id\n  name String\n}\n") ==
        "schema.prisma:6:10: views cannot have primary keys: @id on view V");
  CHECK(errors_of(views + "view V {\n  a Int\n  b Int\n  @@id([a, b])\n}\n") ==
        "schema.prisma:8:3: views cannot have primary keys: @@id on view V");
  CHECK(errors_of(views + "view V {\n  id Int @unique\n}\n") == "(no error)");
}

// Found by the Prisma DDL oracle (tests/test_oracle_prisma_ddl.cpp): the engine rejects an exponent
// ("This line is not a valid field or attribute definition"); driftguard took 1e3 for 1000.
TEST_CASE("prisma parser: numbers have no exponent, as in Prisma's grammar") {
  CHECK(errors_of("model A {\n  id Int @id\n  f Float @default(1e3)\n}\n") ==
        "schema.prisma:3:21: expected ',' or ')', found 'e3'");
  CHECK(errors_of("model A {\n  id Int @id\n  f Float @default(-2.25)\n}\n") == "(no error)");
}

// Found by the Prisma DDL oracle (scripts/fuzz-prisma.sh, seed 424242) while shrinking: Prisma's engine rejects a
// model without unique criteria ("Each model must have at least one unique criteria that has only required
// fields") and an enum without values ("An enum must have at least one value."); driftguard generated DDL for both.
TEST_CASE("prisma parser: a model needs unique criteria over required fields, an enum a value") {
  CHECK(errors_of("model A {\n  n Int\n}\n") ==
        "schema.prisma:1:1: model A has no unique criteria over required fields: mark a field @id or @unique, or add "
        "@@id([...]) or @@unique([...])");
  CHECK(errors_of("model A {\n  n Int? @unique\n  m Int?\n  @@unique([n, m])\n}\n") ==
        "schema.prisma:1:1: model A has no unique criteria over required fields: mark a field @id or @unique, or add "
        "@@id([...]) or @@unique([...])");
  CHECK(errors_of("model A {\n  n Int @unique\n}\n") == "(no error)");
  CHECK(errors_of("model A {\n  n Int\n  m String\n  @@unique([n, m(sort: Desc)])\n}\n") == "(no error)");
  CHECK(errors_of("model A {\n  n Int\n  m String\n  @@id([n, m])\n}\n") == "(no error)");
  CHECK(errors_of("model A {\n  n Int\n  @@ignore\n}\n") == "(no error)");
  CHECK(errors_of("enum E {\n}\n") == "schema.prisma:1:1: enum E has no value: an enum needs at least one");
}

// Prisma's engine refuses @ignore on a field of an @@ignore'd model ("Fields on an already ignored Model do not need
// an `@ignore` annotation.", at the field's line); checked here against `prisma-engine sql`, which validates.
TEST_CASE("prisma parser: @ignore on a field of an @@ignore'd model, refused as Prisma's engine refuses it",
          "[prisma][pg]") {
  const std::string both = "datasource db {\n  provider = \"postgresql\"\n}\nmodel A {\n  id Int @id\n  x  Int @ignore\n"
                           "  @@ignore\n}\n";
  const std::string field_only = "datasource db {\n  provider = \"postgresql\"\n}\nmodel A {\n  id Int @id\n"
                                 "  x  Int @ignore\n}\n";
  CHECK(errors_of(both) == "schema.prisma:6:3: field 'x' of model A cannot take @ignore: the model is @@ignore'd "
                           "already (remove @ignore)");
  CHECK(errors_of(field_only) == "(no error)");
  if (!dgtest::prisma_engine::available()) {
    WARN("../shared/tools/prisma-engine is not there: Prisma's own answer not checked");
    return;
  }
  auto dir = fs::temp_directory_path() / ("dg-ignore-" + std::to_string(::getpid()));
  dgtest::prisma_engine::write_file(dir / "both.prisma", both);
  dgtest::prisma_engine::write_file(dir / "field.prisma", field_only);
  auto refused = dgtest::prisma_engine::run({"sql", (dir / "both.prisma").string()});
  CHECK(refused.code != 0);
  CHECK(refused.err.find("Fields on an already ignored Model do not need an `@ignore` annotation.") != std::string::npos);
  CHECK(refused.err.find("both.prisma:6") != std::string::npos);
  auto accepted = dgtest::prisma_engine::run({"sql", (dir / "field.prisma").string()});
  CHECK(accepted.code == 0);
  fs::remove_all(dir);
}
