DROP TABLE "Invoice";
