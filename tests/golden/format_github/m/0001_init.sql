CREATE TABLE IF NOT EXISTS "orders|archive" (id int, note text);
