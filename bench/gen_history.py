#!/usr/bin/env python3
"""A Prisma-layout migration history of about SIZE_MB megabytes, deterministic for a seed.

usage: bench/gen_history.py SIZE_MB OUT_DIR [SEED]

OUT_DIR/migrations/<timestamp>_m<N>/migration.sql, one migration per ~5 KB, in the shape Prisma generates: a
CREATE TABLE with a primary key, its unique and plain indexes, a foreign key to an earlier table, an enum now and
then, and ALTER TABLE ... ADD COLUMN / CREATE INDEX on earlier tables (so that the model keeps growing and every
statement looks names up in it). Used for the scaling and memory measurements in bench/RESULTS.md.
"""
import os
import random
import sys


def migration(rng, n, tables):
    name = f"Table{n}"
    out = []
    if n % 10 == 0:
        out.append(f'-- CreateEnum\nCREATE TYPE "Status{n}" AS ENUM (\'ACTIVE\', \'INACTIVE\', \'PENDING\');\n')
    cols = ['    "id" SERIAL NOT NULL', '    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP',
            '    "updatedAt" TIMESTAMP(3) NOT NULL']
    for c in range(rng.randint(6, 14)):
        t = rng.choice(["TEXT", "INTEGER", "BOOLEAN NOT NULL DEFAULT false", "VARCHAR(255)", "DOUBLE PRECISION",
                        "JSONB", "TEXT[]", "DECIMAL(65,30)"])
        cols.append(f'    "field{c}" {t}')
    if n % 10 == 0:
        cols.append(f'    "status" "Status{n}" NOT NULL DEFAULT \'ACTIVE\'')
    if tables:
        cols.append('    "parentId" INTEGER')
    body = ",\n".join(cols)
    out.append(f'-- CreateTable\nCREATE TABLE "{name}" (\n{body},\n\n    CONSTRAINT "{name}_pkey" PRIMARY KEY ("id")\n);\n')
    out.append(f'-- CreateIndex\nCREATE UNIQUE INDEX "{name}_field0_key" ON "{name}"("field0");\n')
    out.append(f'-- CreateIndex\nCREATE INDEX "{name}_createdAt_idx" ON "{name}"("createdAt");\n')
    if tables:
        parent = rng.choice(tables)
        out.append(f'-- AddForeignKey\nALTER TABLE "{name}" ADD CONSTRAINT "{name}_parentId_fkey" FOREIGN KEY '
                   f'("parentId") REFERENCES "{parent}"("id") ON DELETE SET NULL ON UPDATE CASCADE;\n')
        for _ in range(3):
            other = rng.choice(tables)
            col = f"extra{n}_{rng.randint(0, 10**6)}"
            out.append(f'-- AlterTable\nALTER TABLE "{other}" ADD COLUMN "{col}" TEXT;\n')
            out.append(f'-- CreateIndex\nCREATE INDEX "{other}_{col}_idx" ON "{other}"("{col}");\n')
    tables.append(name)
    return "\n".join(out)


def main():
    size = float(sys.argv[1]) * 1024 * 1024
    root = os.path.join(sys.argv[2], "migrations")
    rng = random.Random(int(sys.argv[3]) if len(sys.argv) > 3 else 1)
    os.makedirs(root, exist_ok=True)
    with open(os.path.join(root, "migration_lock.toml"), "w") as f:
        f.write('provider = "postgresql"\n')
    tables, total, n = [], 0, 0
    while total < size:
        text = migration(rng, n, tables)
        d = os.path.join(root, f"{20200101000000 + n * 100:014d}_m{n}")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "migration.sql"), "w") as f:
            f.write(text)
        total += len(text)
        n += 1
    print(f"{n} migrations, {total} bytes in {root}")


if __name__ == "__main__":
    main()
