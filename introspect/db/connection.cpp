#include "introspect/db/connection.hpp"

#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>

namespace driftguard::db {

namespace {

// Replaces [pos, end) by "****".
void mask(std::string& s, std::size_t pos, std::size_t end) { s.replace(pos, end - pos, "****"); }

// password=value in key=value conninfo: the value is a word, or quoted with '' and backslash escapes.
void redact_keyword(std::string& s) {
  std::size_t from = 0;
  while (true) {
    std::size_t k = s.find("password", from);
    if (k == std::string::npos) return;
    from = k + 8;
    bool word_start = k == 0 || !(std::isalnum(static_cast<unsigned char>(s[k - 1])) || s[k - 1] == '_');
    std::size_t p = from;
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
    if (!word_start || p >= s.size() || s[p] != '=') continue;
    ++p;
    while (p < s.size() && (s[p] == ' ' || s[p] == '\t')) ++p;
    std::size_t end = p;
    if (end < s.size() && s[end] == '\'') {
      ++end;
      while (end < s.size() && s[end] != '\'') end += s[end] == '\\' ? 2 : 1;
      end = std::min(end + 1, s.size());
    } else {
      // a URL query parameter (after ? or &) ends at & or #; a conninfo word only at white space (a password
      // may hold & # " and any other reserved character)
      bool in_url = k > 0 && (s[k - 1] == '?' || s[k - 1] == '&');
      while (end < s.size() && !std::isspace(static_cast<unsigned char>(s[end])) &&
             !(in_url && (s[end] == '&' || s[end] == '#' || s[end] == '"')))
        ++end;
    }
    if (end > p) mask(s, p, end);
    from = p + 4;
  }
}

// scheme://user:password@host. A password may hold any reserved character, percent-encoded or not (a common
// mistake: `postgresql://user:pa@ss@host/db`, where libpq would take `ss@host` for the host and print it), so
// everything from the first ':' after `://` to the LAST '@' of the line is the password. Stopping at '/', '?' or
// '#' would print what follows them; the last '@' of the line can mask more than the password, never less.
void redact_urls(std::string& s) {
  std::size_t from = 0;
  while (true) {
    std::size_t scheme = s.find("://", from);
    if (scheme == std::string::npos) return;
    std::size_t start = scheme + 3;
    std::size_t bound = std::min(s.find('\n', start), s.find("://", start));
    if (bound == std::string::npos) bound = s.size();
    std::size_t at = s.rfind('@', bound - 1);
    std::size_t colon = s.find(':', start);
    if (at != std::string::npos && at >= start && colon < at) {
      mask(s, colon + 1, at);
      from = colon + 5;
    } else {
      from = start;
    }
  }
}

struct Options {
  std::map<std::string, std::string> values;  // keyword -> value, only those set
};

// Query parameters of Prisma's (and Supabase's) connection URLs that libpq does not know and would reject
// ("invalid URI query parameter"): connection-pool and driver settings with no meaning for one read-only session.
// `schema` is kept as the search path, as Prisma uses it.
constexpr std::string_view kDriverParams[] = {"connection_limit",     "pool_timeout",       "socket_timeout",
                                              "pgbouncer",            "statement_cache_size", "sslidentity",
                                              "sslaccept",            "max_connection_lifetime",
                                              "max_idle_connection_lifetime"};

std::string percent_decode(std::string_view s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

// Removes the driver parameters from a URL's query; returns the `schema` parameter's value (decoded) or "".
std::string strip_driver_params(std::string& url) {
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) return "";
  std::size_t q = url.find('?');
  if (q == std::string::npos) return "";
  std::string schema;
  std::string kept;
  std::size_t pos = q + 1;
  while (pos <= url.size()) {
    std::size_t amp = url.find('&', pos);
    if (amp == std::string::npos) amp = url.size();
    std::string param = url.substr(pos, amp - pos);
    std::string key = param.substr(0, param.find('='));
    bool drop = false;
    for (auto d : kDriverParams) drop = drop || key == d;
    if (key == "schema") {
      schema = percent_decode(param.substr(std::min(param.size(), key.size() + 1)));
      drop = true;
    }
    if (!drop && !param.empty()) kept += (kept.empty() ? "" : "&") + param;
    pos = amp + 1;
  }
  url = url.substr(0, q) + (kept.empty() ? "" : "?" + kept);
  return schema;
}

// A '@' that libpq would not read as the end of the user name and password: libpq ends the password at the first
// '@' (so `user:pa@ss@host` connects as password `pa` to host `ss@host`, and its errors print `ss@host`) and sees no
// password at all when a '/' comes before the '@' (`user:pa/ss@host`: host `user`, port `pa`). Such a URL is refused
// before libpq reads it, with the advice to percent-encode.
void check_userinfo(const std::string& url) {
  if (url.rfind("postgresql://", 0) != 0 && url.rfind("postgres://", 0) != 0) return;
  std::size_t start = url.find("://") + 3;
  std::size_t query = url.find('?', start);
  std::size_t last_at = url.rfind('@', query == std::string::npos ? std::string::npos : query);
  if (last_at == std::string::npos || last_at < start) return;
  std::size_t first_at = url.find('@', start);
  std::size_t slash = url.find('/', start);
  if (first_at != last_at || slash < last_at) {
    throw ConnectionError("invalid database URL " + redact(url) +
                          ": the user name or password holds a '@' or '/' that is not percent-encoded (write @ as %40, "
                          "/ as %2F)");
  }
}

// libpq's messages about a URL quote the token they reject (`invalid percent-encoded token: "pa%ss"`), which may
// be the password: it is masked there too, as written and decoded.
std::string scrub_password(std::string msg, const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return msg;
  std::size_t start = scheme + 3;
  std::size_t at = url.rfind('@');
  std::size_t colon = url.find(':', start);
  if (at == std::string::npos || at < start || colon >= at) return msg;
  std::string written = url.substr(colon + 1, at - colon - 1);
  for (const std::string& secret : {written, percent_decode(written)}) {
    if (secret.empty()) continue;
    for (std::size_t k = msg.find(secret); k != std::string::npos; k = msg.find(secret, k + 4)) {
      mask(msg, k, k + secret.size());
    }
  }
  return msg;
}

Options parse(const std::string& given) {
  check_userinfo(given);
  std::string url = given;
  std::string schema = strip_driver_params(url);
  char* err = nullptr;
  PQconninfoOption* opts = PQconninfoParse(url.c_str(), &err);
  if (opts == nullptr) {
    std::string msg = err != nullptr ? err : "out of memory";
    if (err != nullptr) PQfreemem(err);
    while (!msg.empty() && std::isspace(static_cast<unsigned char>(msg.back()))) msg.pop_back();
    throw ConnectionError("invalid database URL " + redact(given) + ": " + scrub_password(redact(msg), given));
  }
  Options o;
  for (PQconninfoOption* p = opts; p->keyword != nullptr; ++p) {
    if (p->val != nullptr && *p->val != '\0') o.values[p->keyword] = p->val;
  }
  PQconninfoFree(opts);
  if (!schema.empty()) {
    // libpq's options value: spaces and backslashes inside a value are escaped with a backslash
    std::string escaped;
    for (char c : schema) {
      if (c == ' ' || c == '\\') escaped += '\\';
      escaped += c;
    }
    std::string& options = o.values["options"];
    options += (options.empty() ? "" : " ") + std::string("-c search_path=") + escaped;
  }
  return o;
}

std::string trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  return s;
}

}  // namespace

std::string redact(std::string_view text) {
  std::string s(text);
  redact_urls(s);
  redact_keyword(s);
  return s;
}

std::string quote_conninfo(const std::string& v) {
  std::string out = "'";
  for (char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string conninfo(const ConnectOptions& o) {
  Options parsed = parse(o.url);
  if (!o.application_name.empty() && !parsed.values.count("application_name")) {
    parsed.values["application_name"] = o.application_name;
  }
  if (o.connect_timeout_wins || !parsed.values.count("connect_timeout")) {
    parsed.values["connect_timeout"] = std::to_string(o.connect_timeout_s);
  }
  std::string out;
  for (const auto& [k, v] : parsed.values) out += (out.empty() ? "" : " ") + k + "=" + quote_conninfo(v);
  return out;
}

std::string describe(const ConnectOptions& o) {
  Options parsed;
  try {
    parsed = parse(o.url);
  } catch (const ConnectionError&) {
    return redact(o.url);
  }
  auto get = [&](const char* key, const char* env, std::string fallback) {
    auto it = parsed.values.find(key);
    if (it != parsed.values.end()) return it->second;
    const char* e = std::getenv(env);
    return e != nullptr && *e != '\0' ? std::string(e) : fallback;
  };
  std::string user = get("user", "PGUSER", "");
  std::string host = get("host", "PGHOST", get("hostaddr", "PGHOSTADDR", "localhost"));
  std::string port = get("port", "PGPORT", "5432");
  std::string db = get("dbname", "PGDATABASE", user);
  std::string out = host + ":" + port + "/" + db;
  if (!user.empty()) out += " as " + user;
  return out;
}

// The connect timeout libpq applies for these options (the URL's own unless the flag wins), in seconds.
static std::string effective_connect_timeout(const ConnectOptions& o) {
  Options parsed = parse(o.url);
  auto it = parsed.values.find("connect_timeout");
  return o.connect_timeout_wins || it == parsed.values.end() ? std::to_string(o.connect_timeout_s) : it->second;
}

ReadOnlySession::ReadOnlySession(const ConnectOptions& o)
    : target_(describe(o) + (o.url_source.empty() ? "" : " (from " + o.url_source + ")")) {
  std::string info = conninfo(o);
  try {
    conn_ = std::make_unique<pqxx::connection>(info);
    server_version_ = conn_->server_version();
    tx_ = std::make_unique<pqxx::read_transaction>(*conn_, "driftguard");
    if (o.statement_timeout_ms > 0) {
      tx_->exec("SET LOCAL statement_timeout = " + std::to_string(o.statement_timeout_ms));
    }
  } catch (const pqxx::broken_connection& e) {
    std::string why = trim(e.what());
    // libpq says only "timeout expired": name the limit and how to change it.
    if (why.find("timeout expired") != std::string::npos) {
      throw ConnectionError("cannot connect to " + target_ + ": no answer within " + effective_connect_timeout(o) +
                            "s (the connect timeout: --connect-timeout, or connect_timeout in the URL or in "
                            "driftguard.toml's [database])");
    }
    throw ConnectionError("cannot connect to " + target_ + ": " + redact(why));
  } catch (const pqxx::sql_error& e) {
    throw ConnectionError("cannot open a read-only transaction on " + target_ + ": " + redact(trim(e.what())));
  }
}

ReadOnlySession::~ReadOnlySession() {
  try {
    if (tx_) tx_->abort();
  } catch (...) {  // the connection may be gone; nothing was written either way
  }
}

}  // namespace driftguard::db
