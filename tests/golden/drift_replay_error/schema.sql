CREATE TABLE accounts (id bigint PRIMARY KEY);
CREATE INDEX accounts_id_idx ON accounts (id);
