// The schema.prisma fields a Prisma migration folder's type findings are reported at (lint): found where Prisma looks
// for the schema, parsed, and mapped to the columns they generate. The map of a one-file schema is kept in the
// context cache's folder (cli/context_cache.hpp) under a SHA-256 of the schema's path and bytes: a pre-commit lint
// of one Prisma migration parsed and validated the whole schema for it (a third of the run).
#pragma once

#include <map>
#include <optional>
#include <string>

#include "rules/state.hpp"  // SchemaField

namespace driftguard {

// The schema a Prisma migration folder is generated from: the project's configured schema (prisma.config.ts,
// package.json), else schema.prisma or the schema/ folder beside the migrations folder.
std::optional<std::string> prisma_schema_of(const std::string& set);

// How prisma_fields may use the cache.
struct FieldsCacheUse {
  bool off = false;        // --no-cache
  std::string repository;  // the repository's root (--changed-since); "" = the nearest folder above the schema with .git
  std::string* notes = nullptr;  // --verbose: what the cache did, one line each
};

// schema.prisma's fields by the column they generate ("schema.table.column"), for the type findings of a Prisma
// migration folder; none when the schema is not found or does not parse (the findings then stay on the SQL; an
// invalid schema is prisma-check's to report, and is never cached). `texts` receives each .prisma file's text, for
// the reports' excerpts.
std::map<std::string, SchemaField> prisma_fields(const std::string& set, std::map<std::string, std::string>& texts,
                                                 const FieldsCacheUse& cache);

// The cache entry's payload for `fields`, and back (nullopt: malformed).
std::string encode_fields(const std::map<std::string, SchemaField>& fields);
std::optional<std::map<std::string, SchemaField>> decode_fields(std::string_view bytes);

}  // namespace driftguard
