-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'OWNER';

-- AlterTable
ALTER TABLE "Post" ADD COLUMN "published" BOOLEAN NOT NULL DEFAULT false;

-- CreateIndex
CREATE INDEX "Post_authorId_idx" ON "Post"("authorId");

-- Raw SQL written by hand
ALTER TABLE "Post" ENABLE ROW LEVEL SECURITY;
CREATE POLICY "authors" ON "Post" USING ("authorId" = current_setting('app.user')::int);
INSERT INTO "User" ("email") VALUES ('admin@example.com');
