DROP TABLE profiles;
ALTER TABLE users DROP COLUMN nickname;
INSERT INTO roles (name) VALUES ('admin');
