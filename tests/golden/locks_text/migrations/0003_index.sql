CREATE INDEX CONCURRENTLY orders_item_idx ON orders (item_id);
BEGIN;
DROP INDEX items_sku_idx;
REINDEX TABLE items;
COMMIT;
