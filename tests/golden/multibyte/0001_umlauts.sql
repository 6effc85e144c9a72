-- Ünïcödé: naïve café ☕
ALTER TABLE "Bestellungen" RENAME COLUMN "größe" TO "grösse"; DROP TABLE "Zähler";
