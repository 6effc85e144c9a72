-- CreateTable
CREATE TABLE "Plan" (
    "id" SERIAL NOT NULL,
    "code" TEXT NOT NULL,

    CONSTRAINT "Plan_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "Plan_code_key" ON "Plan"("code");

-- AlterTable
ALTER TABLE "User" ADD COLUMN "planId" INTEGER;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_planId_fkey" FOREIGN KEY ("planId") REFERENCES "Plan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- Seed the plans (hand-written): runs again, and fails on "Plan_code_key", if the migration is re-applied.
INSERT INTO "Plan" ("code") VALUES ('free'), ('pro');

UPDATE "User" SET "planId" = (SELECT "id" FROM "Plan" WHERE "code" = 'free');
