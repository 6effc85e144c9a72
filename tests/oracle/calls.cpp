#include "tests/oracle/calls.hpp"

#include <random>
#include <vector>

#include <pqxx/pqxx>

#include "analyzer/model/function_resolution.hpp"
#include "tests/pg_server.hpp"

namespace oracle {

namespace {

// The table's columns: (name, type as written, category of the type in pg_type).
struct Column {
  const char* name;
  const char* type;
  char category;
};
const Column kColumns[] = {
    {"i2", "smallint", 'N'},        {"i4", "integer", 'N'},          {"i8", "bigint", 'N'},
    {"num", "numeric(10,2)", 'N'},  {"r4", "real", 'N'},             {"r8", "double precision", 'N'},
    {"txt", "text", 'S'},           {"vc", "varchar(20)", 'S'},      {"ch", "char(3)", 'S'},
    {"flag", "boolean", 'B'},       {"d", "date", 'D'},              {"ts", "timestamp", 'D'},
    {"tstz", "timestamptz", 'D'},   {"tm", "time", 'D'},             {"iv", "interval", 'T'},
    {"jb", "jsonb", 'U'},           {"js", "json", 'U'},             {"id", "uuid", 'U'},
    {"bin", "bytea", 'U'},          {"tags", "text[]", 'A'},         {"nums", "integer[]", 'A'},
    {"codes", "varchar(5)[]", 'A'}, {"doc", "tsvector", 'U'},        {"bits", "bit(3)", 'V'},
};

// Literals, by the category they are written for ('X': untyped, fits any).
struct Literal {
  const char* sql;
  char category;
};
const Literal kLiterals[] = {
    {"NULL", 'X'},          {"'x'", 'S'},               {"'day'", 'S'},         {"'YYYY-MM'", 'S'},
    {"'2024-01-02'", 'D'},  {"'1 day'", 'T'},           {"'{\"a\": 1}'", 'U'},  {"'{a,b}'", 'A'},
    {"2", 'N'},             {"3", 'N'},                 {"2.5", 'N'},           {"10000000000", 'N'},
    {"-1", 'N'},            {"true", 'B'},              {"'2024-01-02'::date", 'D'}, {"'a'::varchar", 'S'},
    {"'12:00'::time", 'D'}, {"'1 hour'::interval", 'T'}, {"'{\"a\": 1}'::jsonb", 'U'}, {"CURRENT_DATE", 'D'},
    {"now()", 'D'},         {"'a'", 'S'},               {"'{a}'::text[]", 'A'}, {"'english'", 'S'},
};

class CallWriter {
 public:
  explicit CallWriter(std::uint64_t seed) : rng_(seed) {}

  // A call of a built-in function; `columns` false for a default (no column may be read).
  std::string call(bool columns, int depth = 0) {
    static const auto overloads = driftguard::norm::builtin_overloads();
    const auto& o = overloads[pick(overloads.size())];
    std::string out = o.name + "(";
    std::size_t n = o.params.size();
    if (pick(6) == 0 && n > 0) n = pick(n + 1);  // sometimes fewer arguments (defaults, or a refusal)
    if (pick(8) == 0) ++n;                       // or one more (variadic, or a refusal)
    for (std::size_t i = 0; i < n; ++i) {
      std::string param = i < o.params.size() ? o.params[i] : o.params.empty() ? "" : o.params.back();
      out += (i ? ", " : "") + argument(param, columns, depth);
    }
    return out + ")";
  }

  std::size_t pick(std::size_t n) { return n == 0 ? 0 : static_cast<std::size_t>(rng_() % n); }

 private:
  std::mt19937_64 rng_;

  // An argument for a parameter of type `param`: mostly of its category (so that the call resolves, through an
  // implicit cast when the type differs), sometimes anything.
  std::string argument(const std::string& param, bool columns, int depth) {
    char want = driftguard::norm::builtin_type_category(param);
    bool any = pick(5) == 0 || want == 0 || want == 'P';
    if (depth < 1 && pick(7) == 0) return call(columns, depth + 1);
    if (columns && pick(3) != 0) {
      std::vector<const Column*> fit;
      for (const auto& c : kColumns) {
        if (any || c.category == want) fit.push_back(&c);
      }
      if (!fit.empty()) return fit[pick(fit.size())]->name;
    }
    std::vector<const Literal*> fit;
    for (const auto& l : kLiterals) {
      if (any || l.category == want || l.category == 'X') fit.push_back(&l);
    }
    return fit[pick(fit.size())]->sql;
  }
};

bool accepted(pqxx::connection& c, const std::string& statement) {
  try {
    pqxx::work tx(c);
    tx.exec(statement);
    tx.abort();
    return true;
  } catch (const pqxx::sql_error&) {
    return false;
  }
}

// The type of an expression that reads no column, as format_type prints it; "" when PostgreSQL refuses it.
std::string type_of(pqxx::connection& c, const std::string& expr) {
  try {
    pqxx::work tx(c);
    tx.exec("CREATE VIEW probe AS SELECT " + expr + " AS x");
    auto r = tx.exec("SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 'probe'::regclass");
    std::string t = r.empty() ? std::string() : r[0][0].c_str();
    tx.abort();
    return t;
  } catch (const pqxx::sql_error&) {
    return {};
  }
}

}  // namespace

History generate_calls(std::uint64_t seed, const std::string& server, const CallOptions& o, int* tried) {
  (void)server;  // dgtest::pg::fresh_database creates it on this server (DRIFTGUARD_TEST_PG or its own)
  CallWriter w(seed);
  std::string create = "CREATE TABLE t (";
  bool first = true;
  for (const auto& c : kColumns) {
    create.append(first ? "" : ", ").append(c.name).append(" ").append(c.type);
    first = false;
  }
  create += ")";
  History h;
  h.files.push_back({create});
  std::string db = dgtest::pg::fresh_database("calls");
  std::string dbname;
  {
    pqxx::connection c(db + " options='-c client_min_messages=warning'");
    dbname = c.dbname();
    {
      pqxx::nontransaction tx(c);
      tx.exec(create);
    }
    int kept = 0;
    int attempts = 0;
    for (; kept < o.statements && attempts < o.statements * 12; ++attempts) {
      std::string n = std::to_string(kept + 1);
      std::string statement;
      switch (w.pick(4)) {
        case 0: {
          std::string expr = w.call(false);
          std::string type = type_of(c, expr);
          if (type.empty() || type == "unknown" || type == "void" || type == "record") continue;
          statement = std::string("ALTER TABLE t ADD COLUMN dflt").append(n).append(" ").append(type).append(" DEFAULT ").append(expr);
          break;
        }
        case 1:
          statement = std::string("ALTER TABLE t ADD CONSTRAINT chk").append(n).append(" CHECK (").append(w.call(true)).append(" IS NOT NULL)");
          break;
        case 2:
          statement = std::string("CREATE POLICY pol").append(n).append(" ON t USING (").append(w.call(true)).append(" IS NOT NULL)");
          break;
        default:
          statement = std::string("CREATE VIEW v").append(n).append(" AS SELECT ").append(w.call(true)).append(" AS r FROM t");
          break;
      }
      if (!accepted(c, statement)) continue;
      h.files.back().push_back(statement);
      ++kept;
    }
    if (tried) *tried += attempts;
  }
  dgtest::pg::exec(dgtest::pg::conninfo("postgres"), "DROP DATABASE \"" + dbname + "\" WITH (FORCE)");
  return h;
}

}  // namespace oracle
