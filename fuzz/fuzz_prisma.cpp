// The Prisma schema parser and the DDL generator: a schema.prisma text is parsed and validated; when it is valid,
// the DDL Prisma would run for it is generated (or refused with a positioned error) and replayed into a model, as
// `drift --prisma` does.
#include "fuzz/fuzz_common.hpp"
#include "introspect/prisma/ddl.hpp"
#include "introspect/prisma/parser.hpp"

using namespace driftguard;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string text = fuzz::text_of(data, size);
  prisma::PrismaSchema schema;
  std::vector<prisma::Diagnostic> diags;
  prisma::parse_prisma_into(text, "schema.prisma", schema, diags);
  if (!diags.empty()) return 0;
  prisma::validate_prisma(schema, diags);
  if (!diags.empty()) return 0;
  std::vector<prisma::GeneratedDdl> ddl;
  try {
    ddl = prisma::generate_ddl(schema);
  } catch (const prisma::PrismaError& e) {
    // What Prisma rejects beyond the validator (ddl.hpp), e.g. an unknown @default function: every diagnostic
    // says where (the CLI prints it as schema.prisma:line:col).
    for (const auto& d : e.diagnostics)
      if (d.where.line <= 0 || d.message.empty()) __builtin_trap();
    return 0;
  }
  (void)prisma::render_script(ddl);
  (void)prisma::expected_views(schema);
  (void)prisma::column_origins(schema);
  model::Replayer r;
  std::vector<Finding> findings;
  for (const auto& g : ddl) r.apply_sql(g.sql, g.origin, findings);
  (void)model::to_sql(r.model());
  return 0;
}
