#include "rules/state.hpp"

#include <algorithm>
#include <cctype>
#include <stdexcept>

#include "analyzer/marker_lines.hpp"
#include "rules/locking/lock_model.hpp"
#include "rules/locking/lock_util.hpp"
#include "rules/names.hpp"

namespace driftguard {

FileState::FileState(const RunState* run, FileTransaction tx) : run_(run), tx_(std::move(tx)) {
  if (tx_.mode != TxMode::none) {
    implicit_ = true;
    start_transaction();
  }
}

void FileState::start_transaction() {
  ++tx_id_;
  held_.clear();
  not_valid_.clear();
}

void FileState::end_transaction() {
  explicit_ = false;
  explicit_nested_ = false;
  implicit_ = false;
  held_.clear();
  not_valid_.clear();
  // The rest of a multi-statement request runs in a new implicit transaction block.
  if (tx_.mode == TxMode::request) {
    implicit_ = true;
    start_transaction();
  }
}

bool FileState::is_new_relation(const std::vector<std::string>& parts) const {
  return run_ != nullptr && run_->is_new_relation(parts);
}

bool FileState::is_new_relation(const json& rangevar) const { return is_new_relation(rangevar_parts(rangevar)); }

bool FileState::timeout_set(Timeout t) const {
  const auto& ts = timeouts_[static_cast<int>(t)];
  return ts.session || (ts.local_tx != 0 && ts.local_tx == transaction_id());
}

bool FileState::time_zone_utc() const { return utc_.session || (utc_.local_tx != 0 && utc_.local_tx == transaction_id()); }

std::optional<Span> FileState::not_valid_in_transaction(const std::string& key) const {
  auto it = not_valid_.find(key);
  if (it == not_valid_.end()) return std::nullopt;
  return it->second;
}

namespace {

// "0", "0s", "0ms": a timeout of zero disables it.
bool zero_duration(const std::string& v) {
  std::size_t i = 0;
  while (i < v.size() && std::isspace(static_cast<unsigned char>(v[i]))) ++i;
  bool digit = false;
  for (; i < v.size() && std::isdigit(static_cast<unsigned char>(v[i])); ++i) {
    if (v[i] != '0') return false;
    digit = true;
  }
  return digit && (i == v.size() || std::isalpha(static_cast<unsigned char>(v[i])) || v[i] == ' ');
}

// The value of an A_Const as text ("5s", "5000", "0"); nullopt for other expressions.
std::optional<std::string> const_text(const json& node) {
  const json& c = field(node, "A_Const");
  if (!c.is_object()) return std::nullopt;
  if (c.contains("sval")) return str(field(c, "sval"), "sval");
  if (c.contains("ival")) return std::to_string(num(field(c, "ival"), "ival"));
  if (c.contains("boolval")) return flag(field(c, "boolval"), "boolval") ? "true" : "false";
  return std::nullopt;
}

// Time zones with a zero UTC offset and no daylight saving time, as SET TIME ZONE spells them.
bool utc_zone(std::string z) {
  for (auto& ch : z) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (z.rfind("etc/", 0) == 0) z = z.substr(4);
  return z == "utc" || z == "gmt" || z == "uct" || z == "zulu" || z == "universal" || z == "greenwich" || z == "0" ||
         z == "gmt0" || z == "gmt+0" || z == "gmt-0";
}

int timeout_index(const std::string& name) {
  if (name == "lock_timeout") return static_cast<int>(Timeout::lock);
  if (name == "statement_timeout") return static_cast<int>(Timeout::statement);
  return -1;
}

// set_config('lock_timeout', '5s', is_local) calls anywhere in a tree.
void find_set_config(const json& n, std::vector<const json*>& out, int depth = 0) {
  if (depth > 200) return;
  if (n.is_object()) {
    const json& fc = field(n, "FuncCall");
    if (fc.is_object()) {
      auto name = strings(field(fc, "funcname"));
      if (!name.empty() && name.back() == "set_config") out.push_back(&fc);
    }
    for (const auto& [k, v] : n.items()) {
      if (v.is_structured()) find_set_config(v, out, depth + 1);
    }
  } else if (n.is_array()) {
    for (const auto& v : n) find_set_config(v, out, depth + 1);
  }
}

}  // namespace

void FileState::apply_timeouts(const Statement& st) {
  auto set = [&](int i, bool on, bool local) {
    if (i < 0) return;
    auto& ts = timeouts_[i];
    if (!on) {
      ts = TimeoutState{};
    } else if (local) {
      ts.local_tx = transaction_id();  // SET LOCAL outside a transaction has no effect
    } else {
      ts.session = true;
    }
  };
  const json& b = unwrap(st.node);
  if (st.kind == "VariableSetStmt") {
    std::string kind = str(b, "kind");
    if (kind == "VAR_RESET_ALL") {
      set(0, false, false);
      set(1, false, false);
      utc_ = TimeoutState{};
      return;
    }
    if (str(b, "name") == "timezone") {
      const json& args = field(b, "args");
      auto v = args.is_array() && args.size() == 1 ? const_text(args[0]) : std::nullopt;
      utc_ = TimeoutState{};
      if (kind == "VAR_SET_VALUE" && v && utc_zone(*v)) {
        if (flag(b, "is_local")) {
          utc_.local_tx = transaction_id();
        } else {
          utc_.session = true;
        }
      }
      return;
    }
    int i = timeout_index(str(b, "name"));
    if (kind == "VAR_SET_VALUE") {
      const json& args = field(b, "args");
      auto v = args.is_array() && !args.empty() ? const_text(args[0]) : std::nullopt;
      set(i, !(v && zero_duration(*v)), flag(b, "is_local"));
    } else if (kind == "VAR_SET_DEFAULT" || kind == "VAR_RESET") {
      set(i, false, false);
    }
  } else if (st.kind == "SelectStmt") {
    std::vector<const json*> calls;
    find_set_config(b, calls);
    for (const json* fc : calls) {
      const json& args = field(*fc, "args");
      if (!args.is_array() || args.size() != 3) continue;
      auto name = const_text(args[0]);
      auto value = const_text(args[1]);
      auto local = const_text(args[2]);
      if (!name) continue;
      set(timeout_index(*name), !(value && zero_duration(*value)), local && *local == "true");
    }
  }
}

namespace {
// The statement drops the relation `key` itself (not an index or trigger on it).
bool drops_relation(const Statement& st, const std::string& key) {
  if (st.kind != "DropStmt") return false;
  const json& b = unwrap(st.node);
  const std::string rt = str(b, "removeType");
  if (rt != "OBJECT_TABLE" && rt != "OBJECT_VIEW" && rt != "OBJECT_MATVIEW" && rt != "OBJECT_FOREIGN_TABLE" &&
      rt != "OBJECT_SEQUENCE") {
    return false;
  }
  for (const auto& o : field(b, "objects")) {
    if (qualified_key(drop_object_parts(o)) == key) return true;
  }
  return false;
}
}  // namespace

void FileState::apply_locks(const Statement& st) {
  bool blocking = false;
  for (const auto& l : locks_of(st.node)) {
    if (is_new_relation(l.relation)) continue;
    blocking = blocking || blocks_writes(l.mode);
    if (l.mode == LockMode::access_exclusive && in_transaction()) {
      std::string key = qualified_key(l.relation);
      bool known = std::any_of(held_.begin(), held_.end(), [&](const HeldLock& h) { return qualified_key(h.relation) == key; });
      if (!known) held_.push_back(HeldLock{st.span, l.relation, l.why, !l.table_of_index && drops_relation(st, key)});
    }
  }
  const bool index_build = st.kind == "IndexStmt" && !flag(unwrap(st.node), "concurrent");
  if (blocking && !timeout_set(Timeout::lock)) {
    ++blocking_without_[static_cast<int>(Timeout::lock)];
    if (index_build) ++index_builds_without_[static_cast<int>(Timeout::lock)];
  }
  // statement_timeout matters only for a blocking statement that runs long (reads or writes every row).
  if (blocking && !timeout_set(Timeout::statement) && locking::reads_or_writes_every_row(st)) {
    ++blocking_without_[static_cast<int>(Timeout::statement)];
    if (index_build) ++index_builds_without_[static_cast<int>(Timeout::statement)];
  }
}

namespace {
std::string state_key(ObjKind kind, const std::string& key) { return std::to_string(static_cast<int>(kind)) + ":" + key; }
}  // namespace

std::string FileState::k(ObjKind kind, const std::string& key) { return state_key(kind, key); }

namespace {
// Where the model's schema, extension, type, function (any overload of the name), trigger or policy was created;
// null when the model does not hold it (or for kinds it does not hold: roles, publications, named constraints).
// "public" for an unqualified name, as the rules' keys have it.
const SourceRef* object_source(const RunState& run, ObjKind kind, const std::vector<std::string>& parts) {
  if (parts.empty()) return nullptr;
  const model::SchemaModel& m = run.model();
  const std::string schema = parts.size() >= 2 ? parts[parts.size() - 2] : "public";
  switch (kind) {
    case ObjKind::schema: {
      const model::Schema* s = m.schema(parts.back());
      return s ? &s->src : nullptr;
    }
    case ObjKind::extension: {
      auto e = m.extensions.find(parts.back());
      return e == m.extensions.end() ? nullptr : &e->second.src;
    }
    case ObjKind::type: {
      const model::Schema* s = m.schema(schema);
      if (!s) return nullptr;
      auto t = s->types.find(parts.back());
      return t == s->types.end() ? nullptr : &t->second.src;
    }
    case ObjKind::function: {
      const model::Schema* s = m.schema(schema);
      if (!s) return nullptr;
      for (const auto& [sig, f] : s->functions) {
        if (f.name == parts.back()) return &f.src;
      }
      return nullptr;
    }
    case ObjKind::trigger:
    case ObjKind::policy: {
      if (parts.size() < 2) return nullptr;
      const model::Table* t = run.table(std::vector<std::string>(parts.begin(), parts.end() - 1));
      if (!t) return nullptr;
      if (kind == ObjKind::trigger) {
        for (const auto& tr : t->triggers) {
          if (tr.name == parts.back()) return &tr.src;
        }
      } else {
        for (const auto& p : t->policies) {
          if (p.name == parts.back()) return &p.src;
        }
      }
      return nullptr;
    }
    default:
      return nullptr;
  }
}

}  // namespace

namespace {
// The name parts of a key as the rules build them (qualified_key): "name" for schemas and extensions,
// "schema.table.name" for triggers and policies, "schema.name" otherwise. Empty when the key does not split so.
std::vector<std::string> key_parts(ObjKind kind, const std::string& key) {
  if (kind == ObjKind::schema || kind == ObjKind::extension) return {key};
  std::vector<std::string> parts;
  std::size_t at = 0;
  const std::size_t n = kind == ObjKind::trigger || kind == ObjKind::policy ? 3 : 2;
  while (parts.size() + 1 < n) {
    auto dot = key.find('.', at);
    if (dot == std::string::npos) return {};
    parts.push_back(key.substr(at, dot - at));
    at = dot + 1;
  }
  parts.push_back(key.substr(at));
  return parts;
}
}  // namespace

// The model answers wherever it holds the object: created earlier in this file, or older (CREATE ... IF NOT EXISTS
// of an existing object creates nothing). A CREATE the replay refused (its schema, type or table comes from
// outside the linted files) leaves no object in the model, and then the refused statement is the only answer.
bool RunState::created(ObjKind kind, const std::string& key) const {
  const bool refused = refused_creates_.count(state_key(kind, key)) > 0;
  if (kind == ObjKind::relation) return created_relation(key_parts(kind, key));
  if (kind == ObjKind::column) {
    auto dot = key.rfind('.');
    if (refused || dot == std::string::npos || file_.empty()) return refused;
    const model::Table* t = table(key_parts(ObjKind::relation, key.substr(0, dot)));
    if (t == nullptr) return false;
    for (const auto& c : t->columns) {
      if (c.name == key.substr(dot + 1)) return c.src.file == file_;
    }
    return false;
  }
  auto parts = key_parts(kind, key);
  if (!parts.empty() && object_source(*this, kind, parts) != nullptr) return created_in_file(kind, parts);
  return refused;
}

bool RunState::created_function(const std::vector<std::string>& parts,
                                const std::vector<std::string>* identity_args) const {
  if (parts.empty() || object_source(*this, ObjKind::function, parts) == nullptr) {
    return refused_creates_.count(state_key(ObjKind::function, qualified_key(parts))) > 0;
  }
  return function_created_in_file(parts, identity_args);
}

bool RunState::created_relation(const json& rangevar) const { return created_relation(rangevar_parts(rangevar)); }

bool RunState::created_relation(const std::vector<std::string>& parts) const {
  if (parts.empty()) return false;
  return relation_created_in_file(parts) || refused_creates_.count(state_key(ObjKind::relation, qualified_key(parts))) > 0;
}

bool RunState::is_new_relation(const std::vector<std::string>& parts) const {
  return !parts.empty() && (relation_is_new(parts) || created_relation(parts));
}

bool FileState::dropped_if_exists(ObjKind kind, const std::string& key) const {
  return dropped_if_exists_.count(k(kind, key)) > 0;
}

bool FileState::dropped(ObjKind kind, const std::string& key) const { return dropped_.count(k(kind, key)) > 0; }

namespace {

std::optional<ObjKind> drop_kind(const std::string& remove_type) {
  if (remove_type == "OBJECT_TABLE" || remove_type == "OBJECT_VIEW" || remove_type == "OBJECT_MATVIEW" ||
      remove_type == "OBJECT_INDEX" || remove_type == "OBJECT_SEQUENCE" || remove_type == "OBJECT_FOREIGN_TABLE") {
    return ObjKind::relation;
  }
  if (remove_type == "OBJECT_TYPE" || remove_type == "OBJECT_DOMAIN") return ObjKind::type;
  if (remove_type == "OBJECT_SCHEMA") return ObjKind::schema;
  if (remove_type == "OBJECT_FUNCTION" || remove_type == "OBJECT_PROCEDURE" || remove_type == "OBJECT_ROUTINE") {
    return ObjKind::function;
  }
  if (remove_type == "OBJECT_TRIGGER") return ObjKind::trigger;
  if (remove_type == "OBJECT_POLICY") return ObjKind::policy;
  if (remove_type == "OBJECT_PUBLICATION") return ObjKind::publication;
  if (remove_type == "OBJECT_EXTENSION") return ObjKind::extension;
  return std::nullopt;
}

// Key of an object that lives on a table (trigger, policy): "schema.table.name".
std::string on_table_key(const std::vector<std::string>& parts) {
  if (parts.size() < 2) return parts.empty() ? std::string() : parts[0];
  std::vector<std::string> table(parts.begin(), parts.end() - 1);
  return qualified_key(table) + "." + parts.back();
}

}  // namespace

void FileState::apply(const Statement& st) {
  const json& b = unwrap(st.node);
  const std::string& t = st.kind;
  apply_locks(st);
  apply_timeouts(st);
  if (t == "TransactionStmt") {
    std::string kind = str(b, "kind");
    if (kind == "TRANS_STMT_BEGIN" || kind == "TRANS_STMT_START") {
      if (!explicit_) {
        transaction_begin_ = st.span;
        if (implicit_ && tx_.mode == TxMode::wrapped) {
          explicit_nested_ = true;  // PostgreSQL ignores it: the runner's transaction goes on
        } else if (implicit_) {
          implicit_ = false;  // a BEGIN turns the request's implicit block into a regular transaction
        } else {
          start_transaction();
        }
        explicit_ = true;
      }
    } else if (kind == "TRANS_STMT_COMMIT" || kind == "TRANS_STMT_ROLLBACK" || kind == "TRANS_STMT_PREPARE" ||
               kind == "TRANS_STMT_COMMIT_PREPARED" || kind == "TRANS_STMT_ROLLBACK_PREPARED") {
      if (in_transaction()) end_transaction();
    }
  } else if (t == "DropRoleStmt") {
    for (const auto& r : field(b, "roles")) {
      std::string name = str(field(r, "RoleSpec"), "rolename");
      if (name.empty()) continue;
      dropped_.insert(k(ObjKind::role, name));
      if (flag(b, "missing_ok")) dropped_if_exists_.insert(k(ObjKind::role, name));
    }
  } else if (t == "DropStmt") {
    auto kind = drop_kind(str(b, "removeType"));
    if (kind) {
      for (const auto& o : field(b, "objects")) {
        auto parts = drop_object_parts(o);
        std::string key;
        if (*kind == ObjKind::trigger || *kind == ObjKind::policy) {
          key = on_table_key(parts);
        } else if (*kind == ObjKind::schema || *kind == ObjKind::extension || *kind == ObjKind::publication) {
          key = parts.empty() ? "" : parts.back();
        } else {
          key = qualified_key(parts);
        }
        dropped_.insert(k(*kind, key));
        if (flag(b, "missing_ok")) dropped_if_exists_.insert(k(*kind, key));
      }
    }
  } else if (t == "AlterTableStmt") {
    std::string table = rangevar_key(field(b, "relation"));
    for (const auto& c : field(b, "cmds")) {
      const json& cmd = field(c, "AlterTableCmd");
      const json& con = field(field(cmd, "def"), "Constraint");
      if (str(cmd, "subtype") == "AT_AddConstraint" && flag(con, "skip_validation") && in_transaction() &&
          !str(con, "conname").empty()) {
        not_valid_[table + "." + str(con, "conname")] = st.span;
      }
      // A DROP CONSTRAINT IF EXISTS before it makes one ADD of the name re-runnable, not a second one.
      if (str(cmd, "subtype") == "AT_AddConstraint" && !str(con, "conname").empty()) {
        dropped_.erase(k(ObjKind::constraint, table + "." + str(con, "conname")));
        dropped_if_exists_.erase(k(ObjKind::constraint, table + "." + str(con, "conname")));
      }
      if (str(cmd, "subtype") == "AT_DropConstraint") {
        dropped_.insert(k(ObjKind::constraint, table + "." + str(cmd, "name")));
        if (flag(cmd, "missing_ok")) dropped_if_exists_.insert(k(ObjKind::constraint, table + "." + str(cmd, "name")));
      }
    }
  }
}

void RunState::set_history_end(const model::SchemaModel& end, bool keep_model) {
  auto columns = std::make_shared<HistoryEndColumns>();
  for (const auto& [schema_name, schema] : end.schemas) {
    for (const auto& [table_name, t] : schema.tables) {
      auto& cols = columns->tables[schema_name + '\0' + table_name];  // the keys SchemaModel::table looks up
      cols.reserve(t.columns.size());
      for (const auto& c : t.columns) {
        cols.emplace_back(c.name, &*columns->types.insert(c.type).first);
        columns->declared.emplace_back(&c.src.file.str(), c.src.line, c.src.column);
      }
    }
  }
  std::sort(columns->declared.begin(), columns->declared.end());
  columns->declared.erase(std::unique(columns->declared.begin(), columns->declared.end()), columns->declared.end());
  columns->declared.shrink_to_fit();
  history_end_columns_ = std::move(columns);
  history_end_ = keep_model ? std::make_shared<const model::SchemaModel>(end) : nullptr;
}

const std::string* RunState::history_end_column_type(const std::string& schema, const std::string& table,
                                                     const std::string& column) const {
  const std::string& s = schema.empty() ? std::string("public") : schema;
  if (!history_end_columns_) {
    const model::Table* t = model().table(s, table);
    const model::Column* c = t ? t->column(column) : nullptr;
    return c ? &c->type.str() : nullptr;
  }
  auto it = history_end_columns_->tables.find(s + '\0' + table);
  if (it == history_end_columns_->tables.end()) return nullptr;
  for (const auto& [name, type] : it->second) {
    if (name == column) return type;
  }
  return nullptr;
}

bool RunState::history_end_declares_column_at(const SourceRef& at) const {
  if (!history_end_columns_) return false;  // no history end was replayed: the model as it stands changes, nothing to keep
  const auto& d = history_end_columns_->declared;
  return std::binary_search(d.begin(), d.end(), std::make_tuple(&at.file.str(), at.line, at.column));
}

RunState::RunState() { replay_.set_isolate_failures(true); }

RunState::RunState(model::Replayer start) : replay_(std::move(start)) { replay_.set_isolate_failures(true); }

void RunState::begin_file(const SourceFile& file, const std::string& baseline) {
  auto plain = [](const std::string& v) { return !v.empty() && (v[0] == 'V' || v[0] == 'v') ? v.substr(1) : v; };
  after_baseline_ = !baseline.empty() && !file.info.version.empty() &&
                    natural_less(plain(baseline), plain(file.info.version));
  file_ = file.path;
  function_order_ = 0;
  for (const auto& [name, schema] : model().schemas) {
    for (const auto& [sig, f] : schema.functions) function_order_ = std::max(function_order_, f.order);
  }
}

namespace {

// The model holds the object of a created() key, created by the current file.
bool created_in_model(const RunState& run, ObjKind kind, const std::string& key) {
  if (kind == ObjKind::relation) return run.relation_created_in_file(key_parts(kind, key));
  if (kind == ObjKind::column) return run.created(kind, key);  // no refusal noted yet: the model's answer
  auto parts = key_parts(kind, key);
  return !parts.empty() && run.created_in_file(kind, parts);
}

// What a CREATE statement (or ALTER TABLE ... ADD COLUMN) makes, keyed as RunState::created() asks.
std::vector<std::pair<ObjKind, std::string>> created_by(const Statement& st) {
  const json& b = unwrap(st.node);
  const std::string& t = st.kind;
  auto index_key = [&] {
    std::string schema = str(field(b, "relation"), "schemaname");
    return (schema.empty() ? "public" : schema) + "." + str(b, "idxname");
  };
  if (t == "CreateStmt") return {{ObjKind::relation, rangevar_key(field(b, "relation"))}};
  if (t == "CreateTableAsStmt") return {{ObjKind::relation, rangevar_key(field(field(b, "into"), "rel"))}};
  if (t == "ViewStmt") return {{ObjKind::relation, rangevar_key(field(b, "view"))}};
  if (t == "CreateSeqStmt") return {{ObjKind::relation, rangevar_key(field(b, "sequence"))}};
  if (t == "IndexStmt" && !str(b, "idxname").empty()) return {{ObjKind::relation, index_key()}};
  if (t == "CreateEnumStmt" || t == "CreateRangeStmt") return {{ObjKind::type, qualified_key(strings(field(b, "typeName")))}};
  if (t == "CompositeTypeStmt") return {{ObjKind::type, rangevar_key(field(b, "typevar"))}};
  if (t == "CreateDomainStmt") return {{ObjKind::type, qualified_key(strings(field(b, "domainname")))}};
  if (t == "CreateSchemaStmt") return {{ObjKind::schema, str(b, "schemaname")}};
  if (t == "CreateFunctionStmt") return {{ObjKind::function, qualified_key(strings(field(b, "funcname")))}};
  if (t == "CreateTrigStmt") return {{ObjKind::trigger, rangevar_key(field(b, "relation")) + "." + str(b, "trigname")}};
  if (t == "CreatePolicyStmt") return {{ObjKind::policy, rangevar_key(field(b, "table")) + "." + str(b, "policy_name")}};
  if (t == "CreateExtensionStmt") return {{ObjKind::extension, str(b, "extname")}};
  std::vector<std::pair<ObjKind, std::string>> out;
  if (t == "AlterTableStmt") {
    const std::string table = rangevar_key(field(b, "relation"));
    for (const auto& c : field(b, "cmds")) {
      const json& cmd = field(c, "AlterTableCmd");
      const json& cd = field(field(cmd, "def"), "ColumnDef");
      if (str(cmd, "subtype") == "AT_AddColumn" && cd.is_object()) out.emplace_back(ObjKind::column, table + "." + str(cd, "colname"));
    }
  }
  return out;
}

}  // namespace

void RunState::replay_file(const SourceFile& file, const ParsedFile& parsed, TxMode tx,
                           const model::Replayer::BeforeStatement& before) {
  // Lint does not report what the replay refuses (drift and `schema` do): a refused statement is lost alone. What a
  // statement would have created is remembered for created() where the replay did not apply it (refused, or skipped
  // as a guarded one that failed: its applied() count did not move) or applied it without making the object in this
  // file (a CREATE TABLE AS whose query it cannot type; IF NOT EXISTS of an older one).
  std::vector<Finding> refused;
  refused_creates_.clear();
  std::vector<const Statement*> up;  // the replay's statement indexes: the up part (no goose/dbmate down sections)
  const auto down = down_sections(file.text);
  for (const auto& st : parsed.statements) {
    if (!in_sections(down, st.span.begin)) up.push_back(&st);
  }
  const Statement* previous = nullptr;
  int applied = 0;
  auto note_previous = [&] {
    if (previous == nullptr) return;
    const bool not_applied = replay_.applied() == applied;
    for (auto& [kind, key] : created_by(*previous)) {
      if (not_applied || !created_in_model(*this, kind, key)) refused_creates_.insert(state_key(kind, key));
    }
    // A relation created by the file, renamed where the replay refused the rename (ALTER INDEX on a table, ...):
    // new under its new name too (an applied rename moves the model's relation, old name and all).
    const json& b = unwrap(previous->node);
    const std::string rt = previous->kind == "RenameStmt" ? str(b, "renameType") : "";
    if ((rt == "OBJECT_TABLE" || rt == "OBJECT_VIEW" || rt == "OBJECT_MATVIEW" || rt == "OBJECT_SEQUENCE" ||
         rt == "OBJECT_INDEX") &&
        created_relation(field(b, "relation"))) {
      std::string schema = str(field(b, "relation"), "schemaname");
      refused_creates_.insert(state_key(ObjKind::relation, (schema.empty() ? "public" : schema) + "." + str(b, "newname")));
    }
  };
  replay_.apply_file(file, parsed, refused, replay_mode(tx), [&](std::size_t i) {
    note_previous();
    previous = i < up.size() ? up[i] : nullptr;
    applied = replay_.applied();
    if (before) before(i);
  });
  note_previous();
}

void RunState::end_file() {
  if (after_baseline_) new_files_.insert(file_);
  file_.clear();
  refused_creates_.clear();
}

const model::Table* RunState::table(const std::vector<std::string>& parts) const {
  if (parts.empty()) return nullptr;
  const std::string& name = parts.back();
  if (parts.size() >= 2) return model().table(parts[parts.size() - 2], name);
  // An unqualified name: a temporary table of the session hides a permanent one.
  if (const auto* t = model().table("pg_temp", name)) return t;
  return model().table("public", name);
}

const model::Table* RunState::table(const json& rangevar) const { return table(rangevar_parts(rangevar)); }

const SourceRef* RunState::relation_source(const std::vector<std::string>& parts) const {
  if (parts.empty()) return nullptr;
  const std::string& name = parts.back();
  auto in_schema = [&](const std::string& schema) -> const SourceRef* {
    const model::Schema* s = model().schema(schema);
    if (!s) return nullptr;
    if (auto t = s->tables.find(name); t != s->tables.end()) return &t->second.src;
    if (auto v = s->views.find(name); v != s->views.end()) return &v->second.src;
    if (auto q = s->sequences.find(name); q != s->sequences.end()) return &q->second.src;
    // An index, or a constraint with an index of its name: found through the replay's index of names (a walk of
    // every table's indexes for each name made lint quadratic in the history), and taken from the first holder in
    // name order, tables before materialized views, as that walk does. The test binaries compare the two.
    auto index_src = [&](const std::vector<std::string>& holders) -> const SourceRef* {
      for (const auto& h : holders) {
        auto t = s->tables.find(h);
        if (t == s->tables.end()) continue;
        for (const auto& i : t->second.indexes) {
          if (i.name == name) return &i.src;
        }
        for (const auto& c : t->second.constraints) {
          if (c.name == name && (c.kind == model::ConstraintKind::primary_key ||
                                 c.kind == model::ConstraintKind::unique || c.kind == model::ConstraintKind::exclusion)) {
            return &c.src;
          }
        }
      }
      for (const auto& h : holders) {
        auto v = s->views.find(h);
        if (v == s->views.end()) continue;
        for (const auto& i : v->second.indexes) {
          if (i.name == name) return &i.src;
        }
      }
      return nullptr;
    };
    std::vector<std::string> holders = replay_.index_holders(schema, name);
    std::sort(holders.begin(), holders.end());
    const SourceRef* found = index_src(holders);
    if (model::check_relation_names()) {
      std::vector<std::string> all;
      for (const auto& [tn, t] : s->tables) all.push_back(tn);
      for (const auto& [vn, v] : s->views) all.push_back(vn);
      std::sort(all.begin(), all.end());
      if (index_src(all) != found) throw std::logic_error("relation_source: the index of names missed " + name);
    }
    return found;
  };
  if (parts.size() >= 2) return in_schema(parts[parts.size() - 2]);
  if (const SourceRef* r = in_schema("pg_temp")) return r;
  return in_schema("public");
}

const SchemaField* RunState::schema_field(const std::vector<std::string>& table, const std::string& column) const {
  if (!schema_fields_ || schema_fields_->empty() || table.empty()) return nullptr;
  std::string schema = table.size() >= 2 ? table[table.size() - 2] : "public";
  auto it = schema_fields_->find(schema + "." + table.back() + "." + column);
  return it == schema_fields_->end() ? nullptr : &it->second;
}

namespace {
// "character varying(10)" -> "character varying": a function's identity is its argument types without modifiers.
std::string without_typmod(const std::string& t) {
  auto open = t.find('(');
  if (open == std::string::npos) return t;
  auto close = t.find(')', open);
  std::string out = t.substr(0, open);
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return close == std::string::npos ? out : out + t.substr(close + 1);
}

std::vector<std::string> split_args(const std::string& list) {
  std::vector<std::string> out;
  int depth = 0;
  std::string cur;
  for (char c : list) {
    if (c == '(') ++depth;
    if (c == ')') --depth;
    if (c == ',' && depth == 0) {
      out.push_back(without_typmod(cur));
      cur.clear();
      continue;
    }
    if (c != ' ' || !cur.empty()) cur += c;
  }
  if (!cur.empty()) out.push_back(without_typmod(cur));
  return out;
}
}  // namespace

bool RunState::function_created_in_file(const std::vector<std::string>& parts,
                                        const std::vector<std::string>* identity_args) const {
  if (file_.empty() || parts.empty()) return false;
  const model::Schema* s = model().schema(parts.size() >= 2 ? parts[parts.size() - 2] : "public");
  if (!s) return false;
  std::vector<std::string> wanted;
  if (identity_args) {
    for (const auto& a : *identity_args) wanted.push_back(without_typmod(a));
  }
  for (const auto& [sig, f] : s->functions) {
    if (f.name != parts.back() || f.src.file != file_) continue;
    // CREATE OR REPLACE keeps the creation order of the function it replaces: older than the file, not new.
    if (f.order <= function_order_) continue;
    if (!identity_args || split_args(f.identity_args) == wanted) return true;
  }
  return false;
}

bool RunState::created_in_file(ObjKind kind, const std::vector<std::string>& parts) const {
  if (file_.empty()) return false;
  if (kind == ObjKind::relation) return relation_created_in_file(parts);
  if (kind == ObjKind::function) return function_created_in_file(parts, nullptr);
  const SourceRef* src = object_source(*this, kind, parts);
  return src != nullptr && src->file == file_;
}

bool RunState::relation_created_in_file(const std::vector<std::string>& parts) const {
  const SourceRef* src = relation_source(parts);
  return src && !file_.empty() && src->file == file_;
}

bool RunState::relation_is_new(const std::vector<std::string>& parts) const {
  const SourceRef* src = relation_source(parts);
  return src && ((!file_.empty() && src->file == file_) || new_files_.count(src->file) > 0);
}

namespace {
// Columns a CHECK expression proves NOT NULL: `col IS NOT NULL`, and AND-ed conjunctions of such tests.
void not_null_columns(const json& expr, std::vector<std::string>& out) {
  const json& nt = field(expr, "NullTest");
  if (nt.is_object() && str(nt, "nulltesttype") == "IS_NOT_NULL") {
    auto f = strings(field(field(field(nt, "arg"), "ColumnRef"), "fields"));
    if (f.size() == 1) out.push_back(f[0]);
  }
  const json& be = field(expr, "BoolExpr");
  if (be.is_object() && str(be, "boolop") == "AND_EXPR") {
    for (const auto& a : field(be, "args")) not_null_columns(a, out);
  }
}

// Does an expression read the column (a ColumnRef whose last name part is it)?
bool reads_column(const json& n, const std::string& column, int depth = 0) {
  if (depth > 200) return false;
  if (n.is_object()) {
    const json& cr = field(n, "ColumnRef");
    if (cr.is_object()) {
      auto f = strings(field(cr, "fields"));
      if (!f.empty() && f.back() == column) return true;
    }
    for (const auto& [k, v] : n.items()) {
      if (v.is_structured() && reads_column(v, column, depth + 1)) return true;
    }
  } else if (n.is_array()) {
    for (const auto& v : n) {
      if (reads_column(v, column, depth + 1)) return true;
    }
  }
  return false;
}

// The model keeps expressions and types as canonical text; the rules read them as trees. `SELECT <text>` parsed:
// the first target's expression (null when the text does not parse).
pg::TreeRef parse_target(const std::string& text) {
  ParsedFile pf = parse_sql("SELECT " + text);
  if (pf.statements.size() != 1 || !pf.errors.empty()) return {};
  const json& targets = field(unwrap(pf.statements[0].node), "targetList");
  if (!targets.is_array() || targets.size() != 1) return {};
  return pg::TreeRef(pf.statements[0].node.tree(), field(field(targets[0], "ResTarget"), "val"));
}

// The validated CHECK constraints of a table, each parsed.
template <class F>
bool any_validated_check(const model::Table* t, F&& test) {
  if (!t) return false;
  for (const auto& c : t->constraints) {
    if (c.kind != model::ConstraintKind::check || c.not_valid) continue;
    pg::TreeRef expr = parse_target(c.expression);
    if (!expr->is_null() && test(expr.get())) return true;
  }
  return false;
}

std::vector<std::string> split_key(const std::string& table_key) {
  auto dot = table_key.find('.');
  if (dot == std::string::npos) return {table_key};
  return {table_key.substr(0, dot), table_key.substr(dot + 1)};
}
}  // namespace

std::optional<ColumnType> RunState::column_type(const std::string& table_key, const std::string& column) const {
  const model::Table* t = table(split_key(table_key));
  const model::Column* c = t ? t->column(column) : nullptr;
  if (!c || c->type.empty()) return std::nullopt;
  pg::TreeRef cast = parse_target("NULL::" + c->type);
  const json& tn = field(field(cast, "TypeCast"), "typeName");
  if (!tn.is_object()) return std::nullopt;
  return ColumnType{type_base(tn), type_mods(tn), array_depth(tn), type_display(tn)};
}

bool RunState::has_check_on(const std::string& table_key, const std::string& column) const {
  return any_validated_check(table(split_key(table_key)), [&](const json& e) { return reads_column(e, column); });
}

bool RunState::has_not_null_check(const std::string& table_key, const std::string& column) const {
  return any_validated_check(table(split_key(table_key)), [&](const json& e) {
    std::vector<std::string> cols;
    not_null_columns(e, cols);
    return std::find(cols.begin(), cols.end(), column) != cols.end();
  });
}

}  // namespace driftguard
