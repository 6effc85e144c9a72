// Trees of migration files written for a lint run: a temporary directory, files in it, and a small Prisma project.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

namespace dgtest {

// A new empty directory under the system's temporary directory; the caller removes it.
inline std::filesystem::path lint_temp_dir(const std::string& tag) {
  std::string tmpl = (std::filesystem::temp_directory_path() / ("driftguard_" + tag + "_XXXXXX")).string();
  REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

inline void write_tree_file(const std::filesystem::path& p, const std::string& text) {
  std::filesystem::create_directories(p.parent_path());
  std::ofstream(p, std::ios::binary) << text;
}

// `prisma_dir`/schema.prisma (model User, whose createdAt generates timestamp(3): a prefer-timestamptz finding at
// schema.prisma:8:3) and its migrations folder: the table's creation, then a DROP TABLE "Old".
inline void write_prisma_user_project(const std::filesystem::path& prisma_dir) {
  write_tree_file(prisma_dir / "schema.prisma",
                  "datasource db {\n  provider = \"postgresql\"\n  url      = env(\"DATABASE_URL\")\n}\n\n"
                  "model User {\n  id        Int      @id @default(autoincrement())\n  createdAt DateTime "
                  "@default(now())\n}\n");
  write_tree_file(prisma_dir / "migrations/20240101000000_init/migration.sql",
                  "-- CreateTable\nCREATE TABLE \"User\" (\n    \"id\" SERIAL NOT NULL,\n"
                  "    \"createdAt\" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,\n\n"
                  "    CONSTRAINT \"User_pkey\" PRIMARY KEY (\"id\")\n);\n");
  write_tree_file(prisma_dir / "migrations/20240102000000_drop/migration.sql", "DROP TABLE \"Old\";\n");
  write_tree_file(prisma_dir / "migrations/migration_lock.toml", "provider = \"postgresql\"\n");
}

}  // namespace dgtest
