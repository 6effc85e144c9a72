// Connecting to PostgreSQL without ever writing to it and without ever printing a password.
//
// - redact(): removes the password from any text that may hold a connection string (URLs, key=value conninfo,
//   libpq's and libpqxx's error messages). Every message that can contain a URL goes through it.
// - ReadOnlySession: one connection (libpq reads --database-url, or the PG* variables and ~/.pgpass when the URL
//   is empty), application_name=driftguard unless the URL sets one, then one READ ONLY transaction with a
//   statement timeout. Nothing driftguard runs through it can change the database.
#pragma once

#include <pqxx/pqxx>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace driftguard::db {

// The text with every password replaced by "****": `postgres://user:secret@host/db` -> `postgres://user:****@host/db`,
// `password=secret` / `password='se cret'` -> `password=****`, `?password=secret` -> `?password=****`.
std::string redact(std::string_view text);

struct ConnectOptions {
  std::string url;                      // a URL or key=value conninfo; "" = libpq's defaults (PG*, .pgpass)
  std::string url_source = "";          // where the URL came from when not a flag ("DATABASE_URL"), for messages
  int statement_timeout_ms = 30000;     // per statement, inside the read-only transaction; 0 = none
  // libpq's connect_timeout in seconds (0 = wait forever): a server that accepts the TCP connection and never
  // answers would otherwise hang a CI job. It fills in a URL without connect_timeout; `connect_timeout_wins` (the
  // flag was given) replaces the URL's own.
  int connect_timeout_s = 10;
  bool connect_timeout_wins = false;
  std::string application_name = "driftguard";
};

// The conninfo given to libpq: the user's parameters (parsed and re-quoted by libpq's own parser) plus
// application_name when the user did not set one and connect_timeout (see ConnectOptions). Prisma's URL parameters are accepted: `schema` becomes the
// search path (`options=-c search_path=...`), pool and driver settings (connection_limit, pool_timeout,
// socket_timeout, pgbouncer, statement_cache_size, sslidentity, sslaccept, max_*_lifetime) are dropped. Throws
// ConnectionError when the URL does not parse.
std::string conninfo(const ConnectOptions& o);

// A value quoted for key=value conninfo: 'it\'s'.
std::string quote_conninfo(const std::string& value);

// "host:port/dbname as user" for messages (no password; libpq's defaults filled in).
std::string describe(const ConnectOptions& o);

// A connection failure or a URL that does not parse; the message is already redacted.
class ConnectionError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class ReadOnlySession {
 public:
  // Connects and opens the READ ONLY transaction (SET LOCAL statement_timeout inside it). Throws ConnectionError.
  explicit ReadOnlySession(const ConnectOptions& o);
  ~ReadOnlySession();
  ReadOnlySession(const ReadOnlySession&) = delete;
  ReadOnlySession& operator=(const ReadOnlySession&) = delete;

  pqxx::transaction_base& tx() { return *tx_; }
  int server_version() const { return server_version_; }  // 150004 for 15.4
  const std::string& target() const { return target_; }    // describe() of the connection

 private:
  std::unique_ptr<pqxx::connection> conn_;
  std::unique_ptr<pqxx::read_transaction> tx_;
  int server_version_ = 0;
  std::string target_;
};

}  // namespace driftguard::db
