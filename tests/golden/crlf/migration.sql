CREATE TABLE a (id int);
ALTER TABLE orders
  DROP COLUMN note;
DROP TABLE orders;
