-- renamed in production, but the rename was never committed
ALTER TABLE users ADD COLUMN email text;
CREATE INDEX accounts_id_idx ON accounts (id);
