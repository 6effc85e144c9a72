-- AlterTable
ALTER TABLE "User" DROP COLUMN "name",
ADD COLUMN     "nickname" VARCHAR(40) NOT NULL;

-- DropTable
DROP TABLE "LegacyAudit";

INSERT INTO "User" ("email", "nickname") VALUES ('admin@example.com', 'admin');
