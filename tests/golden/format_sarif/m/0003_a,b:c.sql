-- driftguard-ignore ban-drop-table
INSERT INTO "orders|archive" (id) VALUES (1);
