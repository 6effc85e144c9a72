-- +goose Up
ALTER TABLE orders ADD COLUMN item_id bigint;
ALTER TABLE orders ADD CONSTRAINT orders_item_fkey FOREIGN KEY (item_id) REFERENCES items (id) NOT VALID;
DO $$
BEGIN
  UPDATE orders SET item_id = 0 WHERE item_id IS NULL;
END
$$;
SELEC 1;
