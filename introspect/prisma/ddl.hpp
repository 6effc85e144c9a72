// The PostgreSQL DDL that Prisma's schema engine generates for a schema, from an empty database — what
// `prisma migrate diff --from-empty --to-schema PATH --script` prints — statement by statement, each attributed to
// the schema.prisma position it comes from.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "analyzer/source_ref.hpp"
#include "introspect/prisma/parser.hpp"

namespace driftguard::prisma {

struct GeneratedDdl {
  std::string step;  // Prisma's step name, printed as a "-- Step" comment: CreateSchema, CreateExtension,
                     // CreateEnum, CreateTable, CreateIndex, AddForeignKey
  std::string sql;   // one statement, without the trailing ';'
  SourceRef origin;  // the model, field, attribute, enum or datasource entry it comes from
};

// A `view` block: Prisma never creates it, but expects it to exist.
struct ExpectedView {
  std::string schema;  // "public" unless @@schema
  std::string name;    // @@map or the view's name
  const PrismaView* view = nullptr;
  SourceRef origin;
};

// In Prisma's order: CREATE SCHEMA, CREATE EXTENSION, CREATE TYPE (enums), CREATE TABLE, CREATE [UNIQUE] INDEX,
// ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY. Throws PrismaError (file:line:col) for what Prisma rejects on
// PostgreSQL (unknown native type, a relation to a missing field, @@fulltext, ...).
std::vector<GeneratedDdl> generate_ddl(const PrismaSchema& schema);

std::vector<ExpectedView> expected_views(const PrismaSchema& schema);

// Where each column of a model's table is declared: the field (its @map'ed name, the model's @@map/@@schema).
// The DDL's CREATE TABLE points at the model; drift items about one column point here instead.
struct ColumnOrigin {
  std::string schema;
  std::string table;
  std::string column;
  SourceRef origin;
  bool any_default = false;  // @default(dbgenerated()) without an expression: Prisma accepts any default there
};
std::vector<ColumnOrigin> column_origins(const PrismaSchema& schema);

// The statements as Prisma prints them: "-- Step\nSQL;\n" separated by blank lines.
std::string render_script(const std::vector<GeneratedDdl>& ddl);

// Prisma's default constraint names, shortened to PostgreSQL's 63-byte limit the way Prisma does: the
// "{table}_{col1}_{col2}" part is cut (on a UTF-8 character boundary) so that it plus the suffix fits in 63 bytes.
std::string default_constraint_name(std::string_view table, const std::vector<std::string>& columns,
                                    std::string_view suffix);  // suffix: "_key", "_idx", "_fkey"
std::string default_primary_key_name(std::string_view table);     // "{table}_pkey", table cut to 58 bytes

}  // namespace driftguard::prisma
