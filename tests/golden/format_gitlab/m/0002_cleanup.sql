-- 50% of the rows are obsolete
ALTER TABLE "orders|archive" DROP COLUMN IF EXISTS note;
DROP TABLE IF EXISTS "100%,done:yes";
