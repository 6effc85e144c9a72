// driftguard prisma-ddl PATH: the PostgreSQL DDL Prisma generates for a schema (as
// `prisma migrate diff --from-empty --to-schema PATH --script` prints it).
#include <iostream>
#include <memory>

#include "cli/command.hpp"
#include "introspect/prisma/ddl.hpp"

namespace driftguard {

void add_prisma_ddl_command(CLI::App& app, std::vector<CommandSpec>& out) {
  auto path = std::make_shared<std::string>();
  auto* sub = app.add_subcommand("prisma-ddl", "Print the PostgreSQL DDL Prisma generates for a schema");
  sub->add_option("path", *path, "schema.prisma, or a folder of .prisma files")->required();
  out.push_back({sub, [path] {
                   try {
                     auto schema = prisma::load_prisma(*path);
                     std::cout << prisma::render_script(prisma::generate_ddl(schema));
                     return 0;
                   } catch (const prisma::PrismaError& e) {
                     for (const auto& d : e.diagnostics) {
                       if (d.where.line > 0) std::cerr << d.where.str() << ": error: " << d.message << "\n";
                       else std::cerr << "driftguard: " << d.where.str() << ": " << d.message << "\n";  // a path error
                     }
                     return 2;
                   }
                 }});
}

}  // namespace driftguard
