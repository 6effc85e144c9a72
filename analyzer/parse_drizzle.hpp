// Parsing a file drizzle's migrator runs (analyzer/parse.cpp).
#pragma once

#include <string_view>

#include "analyzer/parse.hpp"

namespace driftguard {

// drizzle-orm's readMigrationFiles cuts the text at every "--> statement-breakpoint" (a plain query.split), inside
// a string or dollar quote too, and sends each piece as a query of its own: where a marker is inside a token, each
// piece is parsed alone, at its place in the file; elsewhere the same as parse_sql.
ParsedFile parse_drizzle_sql(std::string_view text, const ParseOptions& opts = {});

}  // namespace driftguard
