-- driftguard-ignore-file require-if-not-exists
-- driftguard-ignore ban-drop-table, require-if-exists legacy table archived in release 42
DROP TABLE legacy;

DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'mood') THEN
    CREATE TYPE mood AS ENUM ('happy', 'sad');
  END IF;
  -- driftguard-ignore ban-drop-column
  ALTER TABLE people DROP COLUMN IF EXISTS nickname;
  ALTER TABLE people DROP COLUMN IF EXISTS age;
END $$;

CREATE TABLE people_archive (id bigint);
-- driftguard-ignore ban-drop-table
SELECT 1;
