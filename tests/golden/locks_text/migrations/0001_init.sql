CREATE TABLE items (id bigint PRIMARY KEY, sku text);
CREATE INDEX items_sku_idx ON items (sku);
