// The catalog reader: a SchemaModel from a live PostgreSQL database, read from pg_catalog in one READ ONLY
// transaction (db::ReadOnlySession) with a small fixed number of set-based queries — never one query per table.
// Types come from format_type, defaults and expressions from pg_get_expr, indexes from pg_get_indexdef plus the
// structured columns of pg_index, constraints from pg_get_constraintdef plus pg_constraint's columns; every text
// goes through analyzer/model/normalize.hpp, so that a catalog model compares equal to a replayed one.
#pragma once

#include <pqxx/pqxx>

#include <string>
#include <vector>

#include "analyzer/model/model.hpp"
#include "introspect/db/connection.hpp"

namespace driftguard::catalog {

// Schemas that belong to a platform, not to the application: skipped unless asked for by --schema or
// include_platform. Supabase: auth, storage, realtime, extensions, graphql, graphql_public, vault, pgsodium,
// supabase_migrations, supabase_functions, net, cron. The table public._prisma_migrations is Prisma's.
const std::vector<std::string>& platform_schemas();

struct Options {
  std::vector<std::string> schemas;  // only these; empty = every user schema except the platform schemas
  bool include_platform = false;     // with `schemas` empty: also the platform schemas (and _prisma_migrations)
  // With `schemas` empty: platform schemas to read anyway, when they exist — those the other side of a comparison
  // manages (a schema.prisma whose datasource lists "auth").
  std::vector<std::string> also;
};

// Reads the model through an open (read-only) transaction. Objects that belong to extensions are skipped;
// pg_catalog, information_schema, pg_toast and temporary schemas are never read. SourceRefs stay empty (a live
// object has no file position); the caller labels the side. Sets search_path (public) and TimeZone (UTC) for the
// rest of the transaction, with SELECT set_config(..., true), so that PostgreSQL prints names and timestamps as
// the normalizer does. Throws std::runtime_error naming the object kind whose query failed (a statement timeout,
// a permission), or an object PostgreSQL printed in a form the replayer cannot apply (a driftguard bug).
model::SchemaModel read(pqxx::transaction_base& tx, const Options& o = {});

// Connects (read-only session), reads, disconnects. Throws db::ConnectionError, or std::runtime_error with the
// failing query's message (redacted).
model::SchemaModel read(const db::ConnectOptions& conn, const Options& o = {});

}  // namespace driftguard::catalog
