// SchemaModel: what a PostgreSQL schema contains, in normalized form (analyzer/model/normalize.hpp), built by
// replaying migrations (replay.hpp), from schema.prisma, or from a live catalog. Every object remembers where it
// came from. Names are stored as PostgreSQL stores them (unquoted identifiers folded to lower case).
#pragma once

#include <nlohmann/json.hpp>

#include <cstddef>
#include <functional>
#include <iterator>
#include <map>
#include <memory>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "analyzer/source_ref.hpp"

namespace driftguard::model {

// COMMENT ON: the text ("" = none: PostgreSQL stores an empty comment as none) and the statement that set it. Every
// object PostgreSQL comments carries one, so renames keep it and drops remove it (replay/comments.cpp).
struct Comment {
  std::string text;
  SourceRef src;
};

// Privileges (GRANT/REVOKE, default privileges): grantee ("PUBLIC" for PUBLIC) -> aclitem letters in PostgreSQL's
// order ("arwdDxt": a INSERT, r SELECT, w UPDATE, d DELETE, D TRUNCATE, x REFERENCES, t TRIGGER; "X" EXECUTE,
// "U" USAGE, "C" CREATE), each followed by '*' when held WITH GRANT
// OPTION. The owner's own entry is left out: its privileges come with ownership, so a database whose objects another
// role owns compares equal. An object never granted or revoked holds PostgreSQL's defaults (a function: PUBLIC=X;
// schema public: PUBLIC=U) or its default privileges (replay/grants.cpp). No grantee is kept with no letter.
using Grants = std::map<std::string, std::string>;

// A part most objects leave unset, held out of line and shared by the model's copies (copy-on-write: a transaction
// block's or the down check's copy of the model shares every object's part until it changes one). Reads as an
// empty T when unset; edit() makes it, or copies it first when a copy of the model shares it.
template <typename T>
class Shared {
 public:
  const T& get() const { return p_ ? *p_ : empty(); }
  bool set() const { return p_ != nullptr; }  // made by an edit() (the model snapshot writes only those)
  T& edit() {
    if (!p_) {
      p_ = std::make_shared<T>();
    } else if (p_.use_count() > 1) {  // only copies of this object share it; a copy in another thread only reads it
      p_ = std::make_shared<T>(*p_);
    }
    return *p_;
  }

 private:
  static const T& empty() {
    static const T e;
    return e;
  }
  std::shared_ptr<T> p_;  // null: all unset
};

// The objects of one kind in a schema, by name, each held copy-on-write: a copy of the model (a transaction block's
// start, ALTER TABLE's undo, the down check's models) copies one pointer an object and shares every object until one
// copy changes it (bench/RESULTS.md, "twelfth session: lint's CPU"). Reading (iteration, find, at, get) gives const
// objects; edit(), find_edit(), operator[], put() and editing() give the object to change, copying it first when
// another copy of the model shares it (as Shared::edit). A reference read before an edit of the same object may be
// the other copy's afterwards: read it again after editing.
template <typename T>
class ObjectMap {
  using Map = std::map<std::string, std::shared_ptr<T>>;

 public:
  using key_type = std::string;
  using mapped_type = T;
  using value_type = std::pair<const std::string&, const T&>;

  class const_iterator {
   public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = ObjectMap::value_type;
    using difference_type = std::ptrdiff_t;
    using reference = value_type;
    struct pointer {
      value_type v;
      const value_type* operator->() const { return &v; }
    };
    const_iterator() = default;
    explicit const_iterator(typename Map::const_iterator it) : it_(it) {}
    value_type operator*() const { return {it_->first, *it_->second}; }
    pointer operator->() const { return {**this}; }
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    const_iterator operator++(int) { return const_iterator(it_++); }
    const_iterator& operator--() {
      --it_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }
    bool operator!=(const const_iterator& o) const { return it_ != o.it_; }

   private:
    friend class ObjectMap;
    typename Map::const_iterator it_;
  };
  using iterator = const_iterator;

  // Every object, each made the map's own first (a copy when shared): for the statements that change most of them.
  // `for (auto&& [name, object] : map.editing())`.
  class Editing {
   public:
    class iterator {
     public:
      iterator(ObjectMap& m, typename Map::iterator it) : m_(&m), it_(it) {}
      std::pair<const std::string&, T&> operator*() const { return {it_->first, m_->own(it_->first, it_->second)}; }
      iterator& operator++() {
        ++it_;
        return *this;
      }
      bool operator!=(const iterator& o) const { return it_ != o.it_; }

     private:
      ObjectMap* m_;
      typename Map::iterator it_;
    };
    explicit Editing(ObjectMap& m) : m_(m) {}
    iterator begin() const { return iterator(m_, m_.map_.begin()); }
    iterator end() const { return iterator(m_, m_.map_.end()); }

   private:
    ObjectMap& m_;
  };

  const_iterator begin() const { return const_iterator(map_.begin()); }
  const_iterator end() const { return const_iterator(map_.end()); }
  const_iterator find(const std::string& k) const { return const_iterator(map_.find(k)); }
  const_iterator lower_bound(const std::string& k) const { return const_iterator(map_.lower_bound(k)); }
  std::size_t size() const { return map_.size(); }
  bool empty() const { return map_.empty(); }
  std::size_t count(const std::string& k) const { return map_.count(k); }
  const T& at(const std::string& k) const { return *map_.at(k); }
  const T* get(const std::string& k) const {  // null when none
    auto it = map_.find(k);
    return it == map_.end() ? nullptr : it->second.get();
  }

  T& edit(const std::string& k) { return own(k, map_.at(k)); }  // the object to change (it exists)
  T* find_edit(const std::string& k) {                            // the object to change; null when none
    auto it = map_.find(k);
    return it == map_.end() ? nullptr : &own(it->first, it->second);
  }
  T& operator[](const std::string& k) { return own(k, map_[k]); }  // the object to change, made when none
  T& put(const std::string& k, T x) {  // replaces the object (nothing of the old is copied)
    auto& p = map_[k];
    p = std::make_shared<T>(std::move(x));
    touched_.push_back(k);
    return *p;
  }
  Editing editing() { return Editing(*this); }
  void own_all() {  // every object made the map's own (for writes through pointers a const walk returned)
    for (auto& kv : map_) own(kv.first, kv.second);
  }
  // Removes the object and returns it (moved when no copy of the model shares it).
  T take(const std::string& k) {
    auto node = map_.extract(k);
    T x = node.mapped().use_count() > 1 ? T(*node.mapped()) : std::move(*node.mapped());
    return x;
  }
  // Moves the object `from` to the key `to` (which must be free); false when there is no `from`.
  bool rekey(const std::string& from, const std::string& to) {
    auto node = map_.extract(from);
    if (!node) return false;
    node.key() = to;
    map_.insert(std::move(node));
    touched_.push_back(to);
    return true;
  }
  const_iterator erase(const_iterator it) { return const_iterator(map_.erase(it.it_)); }
  std::size_t erase(const std::string& k) { return map_.erase(k); }
  void clear() { map_.clear(); }

  // The replay's replica (replay.hpp) replays each file after the model it follows, and ends equal to it: it then
  // takes the objects either map made, copied or moved in that file from the map it follows (`from`), so that the
  // two models share every object instead of holding two copies of the schema. Either's keys: the model copies
  // every object it changes (the replica shares it), while the replica changes in place an object the model's copy
  // left to it alone. The keys are those since the last share_touched() or forget_touched() of each map.
  void share_touched(const ObjectMap& from) {
    auto share = [&](const std::string& k) {
      auto it = map_.find(k);
      auto f = from.map_.find(k);
      if (it != map_.end() && f != from.map_.end()) it->second = f->second;
    };
    for (const auto& k : touched_) share(k);
    for (const auto& k : from.touched_) share(k);
    forget_touched();
  }
  void forget_touched() {
    touched_.clear();
    touched_.shrink_to_fit();
  }
  // For the model snapshot's reader (keys in order).
  void emplace_hint(const_iterator hint, std::string k, T x) {
    map_.emplace_hint(hint.it_, std::move(k), std::make_shared<T>(std::move(x)));
  }

 private:
  T& own(const std::string& k, std::shared_ptr<T>& p) {
    if (!p) {
      p = std::make_shared<T>();
      touched_.push_back(k);
    } else if (p.use_count() > 1) {  // only copies of the model share it; a copy in another thread only reads it
      p = std::make_shared<T>(*p);
      touched_.push_back(k);
    }
    return *p;
  }
  Map map_;
  std::vector<std::string> touched_;  // share_touched()
};

struct Column {
  // Interned (analyzer/interned.hpp), as the texts below: a history names its columns with few distinct names
  // (id, created_at, ...), and a column is the model's most repeated object (bench/RESULTS.md, "thirteenth session").
  Interned name;
  // canonical: "character varying(40)", "timestamp(3) without time zone", "\"Role\"[]"; interned: a whole history
  // declares a few distinct types, and this is the model's most repeated text.
  Interned type;
  bool not_null = false;
  // INHERITS (replay only, not compared): the table declared the column itself (pg_attribute.attislocal) and not
  // only took it from parents. How many parents it takes it from (attinhcount) is counted from Table::inherits.
  // A parent's DROP COLUMN drops a child's column only when neither holds (replay/inheritance.cpp).
  bool local = true;
  // ALTER COLUMN ... SET STORAGE (replay only, not compared): 'p', 'e', 'm' or 'x' (pg_attribute.attstorage); 0 =
  // the type's default. Two INHERITS parents must agree on it. Not read from the catalog: no history of the corpus
  // sets it, and drift on it would be noise (replay/tables.cpp, column_storage).
  char storage = 0;
  Interned default_expr;     // canonical expression; "" = none
  Interned identity;         // "", "ALWAYS" or "BY DEFAULT" (GENERATED ... AS IDENTITY)
  Interned collation;        // "" = the type's default
  SourceRef src;
  // The default as the history spelled it, where PostgreSQL keeps apart spellings default_expr makes one
  // (ARRAY[]::text[] and '{}'::text[]; now() and CURRENT_TIMESTAMP): pg_dump shows what was written, so SQL out
  // prints it. Never compared; valid while default_expr is still `second`, the canonical form it was spelled for
  // (set_default). Out of line and shared by copies: most columns have none (16 bytes instead of two strings' 64).
  std::shared_ptr<const std::pair<std::string, std::string>> spelling;

  // What nearly every column leaves unset (bench/RESULTS.md, "eleventh session: memory"), out of line and shared
  // (Shared): read through the accessors below, changed through edit().
  struct Rare {
    std::string generated;  // canonical expression of GENERATED ALWAYS AS (...) STORED; "" = none
    // The ALTER COLUMN ... SET/DROP NOT NULL that last changed not_null (unknown: as declared at src), so that a
    // nullability drift points at the migration that changed it.
    SourceRef not_null_src;
    Comment comment;
    // Column privileges (pg_attribute.attacl, GRANT SELECT (c) ON t): only a, r, w, x; a new column has none.
    Grants grants;
  };
  const std::string& generated() const { return rare_.get().generated; }
  const SourceRef& not_null_src() const { return rare_.get().not_null_src; }
  const Comment& comment() const { return rare_.get().comment; }
  const Grants& grants() const { return rare_.get().grants; }
  Rare& edit() { return rare_.edit(); }  // the part to change (Shared)
  // The part itself, for the model snapshot (analyzer/model/snapshot.cpp), which writes and reads it whole.
  const Shared<Rare>& rare_part() const { return rare_; }
  Shared<Rare>& rare_part() { return rare_; }

  // Sets the default: its canonical form, and how it was written ("" or the same: no other spelling).
  void set_default(std::string canonical, std::string spelled = {});
  // What SQL out prints after DEFAULT: the spelling kept, or the canonical form.
  const std::string& default_sql() const;

 private:
  Shared<Rare> rare_;
};

enum class ConstraintKind { primary_key, unique, check, foreign_key, exclusion };
std::string_view to_string(ConstraintKind k);

struct Constraint {
  std::string name;
  ConstraintKind kind = ConstraintKind::check;
  std::vector<std::string> columns;  // primary key, unique, foreign key (the referencing columns)
  std::vector<std::string> include;  // primary key, unique: INCLUDE columns
  bool nulls_not_distinct = false;   // unique
  std::string expression;            // check: canonical expression; exclusion: "USING gist (c WITH =) WHERE (...)"
  // foreign key
  // (the few-valued texts interned: analyzer/interned.hpp)
  Interned ref_schema;
  std::string ref_table;
  std::vector<std::string> ref_columns;  // empty until resolved = the referenced table's primary key
  Interned on_delete = "NO ACTION";      // NO ACTION, RESTRICT, CASCADE, SET NULL, SET DEFAULT
  Interned on_update = "NO ACTION";
  Interned match;  // "" (MATCH SIMPLE) or "FULL"
  bool deferrable = false;
  bool initially_deferred = false;
  bool not_valid = false;  // added NOT VALID and not validated since
  // Unique and exclusion constraints: the column names of the index behind it where a RENAME COLUMN left them
  // behind `columns` (Index::column_names); empty = named as `columns` and `include` are. Not compared.
  std::vector<std::string> index_columns;
  Comment comment;
  SourceRef src;

  // The definition without the name, as PostgreSQL's pg_get_constraintdef prints it (canonical parts).
  std::string definition() const;
};

// (the few-valued texts interned: analyzer/interned.hpp)
struct IndexKey {
  std::string expr;            // a quoted column name, or a canonical expression in parentheses
  bool is_expression = false;
  bool desc = false;
  Interned opclass;            // "" = the default operator class
  Interned collation;          // "" = the column's collation
  Interned nulls;              // "" = the default for the direction; "NULLS FIRST" or "NULLS LAST" otherwise
};

struct Index {
  std::string name;
  bool unique = false;
  bool nulls_not_distinct = false;
  Interned method = "btree";  // interned: analyzer/interned.hpp
  std::vector<IndexKey> keys;
  std::vector<std::string> include;
  SourceRef src;

  // What most indexes leave unset, out of line and shared (Shared): read through the accessors below, changed
  // through edit().
  struct Rare {
    std::string predicate;  // canonical expression of WHERE; "" = none
    std::map<std::string, std::string> options;  // storage parameters: WITH (fillfactor=70) -> {"fillfactor", "70"}
    Comment comment;
    // The index's own column names (its pg_attribute rows, keys then INCLUDE, chosen when it was made) once a
    // RENAME COLUMN has made them differ from the keys': PostgreSQL does not rename them, and a copy of the index
    // (LIKE ... INCLUDING INDEXES) is named after them. Empty = named as the keys are. Not compared.
    std::vector<std::string> column_names;
  };
  const std::string& predicate() const { return rare_.get().predicate; }
  const std::map<std::string, std::string>& options() const { return rare_.get().options; }
  const Comment& comment() const { return rare_.get().comment; }
  const std::vector<std::string>& column_names() const { return rare_.get().column_names; }
  Rare& edit() { return rare_.edit(); }
  const Shared<Rare>& rare_part() const { return rare_; }  // for the model snapshot, as Column's
  Shared<Rare>& rare_part() { return rare_; }

  // "UNIQUE btree (a, lower(b) DESC) INCLUDE (c) WITH (fillfactor=70) WHERE (...)": all but the name and the table.
  std::string definition() const;
  bool has_expressions() const;

 private:
  Shared<Rare> rare_;
};

struct Trigger {
  std::string name;
  std::string timing;               // BEFORE, AFTER, INSTEAD OF
  std::vector<std::string> events;  // INSERT, UPDATE, UPDATE OF a, b, DELETE, TRUNCATE
  bool for_each_row = false;
  std::string function;             // qualified function name
  std::string when;                 // canonical expression; "" = none
  bool constraint = false;          // CREATE CONSTRAINT TRIGGER
  bool deferrable = false;          // constraint triggers: DEFERRABLE [INITIALLY DEFERRED]
  bool initially_deferred = false;
  Comment comment;
  SourceRef src;

  std::string definition() const;  // "BEFORE INSERT OR UPDATE FOR EACH ROW WHEN (...) EXECUTE FUNCTION f()"
};

struct Policy {
  std::string name;
  std::string command = "ALL";       // ALL, SELECT, INSERT, UPDATE, DELETE
  bool permissive = true;
  std::vector<std::string> roles;    // sorted; {"public"} when none is given
  std::string using_expr;            // canonical; "" = none
  std::string check_expr;            // canonical; "" = none
  Comment comment;
  SourceRef src;

  std::string definition() const;  // "AS PERMISSIVE FOR ALL TO public USING (...) WITH CHECK (...)"
};

struct Table {
  std::string schema;
  std::string name;
  std::vector<Column> columns;  // in creation order
  std::vector<Constraint> constraints;
  std::vector<Index> indexes;
  std::vector<Trigger> triggers;
  std::vector<Policy> policies;
  bool rls_enabled = false;
  bool rls_forced = false;
  SourceRef rls_src;         // the statement that last changed row-level security
  bool opaque = false;       // columns not fully known (CREATE TABLE AS, LIKE, INHERITS of an unknown table)
  // A platform's table (auth.users) kept only for the triggers and policies the project adds to it
  // (platform::strip): the project's SQL never creates it.
  bool platform_shell = false;
  std::map<std::string, std::string> options;  // storage parameters: WITH (fillfactor=70); "toast.x" for TOAST's
  // Partitioning, as pg_get_partkeydef and pg_get_expr(relpartbound) print it: the key of a partitioned table
  // ("LIST (k)", "RANGE (at, ((v + 1)))"); for a partition, its parent and bound ("FOR VALUES IN ('a')", "DEFAULT").
  std::string partition_by;
  std::string parent_schema;
  std::string parent_table;  // "" = not a partition
  std::string partition_bound;
  // INHERITS (not partitioning): the parents in pg_inherits order (inhseqno), schema and name.
  std::vector<std::pair<std::string, std::string>> inherits;
  Comment comment;
  Grants grants;
  SourceRef src;

  Column* column(const std::string& n);
  const Column* column(const std::string& n) const;
  Constraint* constraint(const std::string& n);
  const Constraint* constraint(const std::string& n) const;
  const Constraint* primary_key() const;
  Index* index(const std::string& n);
  Trigger* trigger(const std::string& n);
  Policy* policy(const std::string& n);
  std::map<std::string, std::string> column_types() const;
};

struct Type {
  std::string schema;
  std::string name;
  std::string kind;                 // enum, composite, domain, range
  std::vector<std::string> values;  // enum labels in order
  std::string definition;           // composite: "(a integer, b text)"; domain: "integer NOT NULL CHECK (...)"; range: "(subtype = ...)"
  // A domain's parts, from which `definition` is built (domain_definition), so that ALTER DOMAIN can change one.
  struct DomainParts {
    std::string base_type;
    std::string collation;
    std::string default_expr;
    bool not_null = false;
    std::vector<std::pair<std::string, std::string>> checks;  // name ("" = the one PostgreSQL chooses), expression
  } domain;
  Comment comment;
  SourceRef src;
};

struct Sequence {
  std::string schema;
  std::string name;
  std::string type = "bigint";
  std::string owned_by;  // "table.column" (same schema) when the sequence belongs to a column (serial)
  Comment comment;
  Grants grants;
  SourceRef src;
};

struct View {
  std::string schema;
  std::string name;
  bool materialized = false;
  std::string definition;  // the query in canonical form (norm::view_query: as PostgreSQL stores it)
  // When a column could not be resolved (a relation the model does not hold), the definition is kept as written
  // there and `loose` (every column reference unqualified) is what drift compares.
  bool resolved = true;
  std::string loose;
  std::vector<std::pair<std::string, std::string>> columns;  // output columns: name, canonical type ("" unknown)
  std::vector<Index> indexes;  // materialized views only
  // The tables and views the query reads (replay only: DROP refuses or cascades to the views that read a relation).
  std::vector<std::pair<std::string, std::string>> reads;
  // The query as parsed and the text its locations point into (replay only): PostgreSQL holds what a view reads
  // by oid, so after a rename of a table or column it prints the new names; the replay prints the query again.
  // Shared and never changed in place (a rename stores a changed copy, replay/views.cpp): a copy of the model
  // (a transaction block, the down check) shares it instead of copying the tree. Null: none (not replayed).
  struct Query {
    nlohmann::json tree;
    std::string text;
  };
  std::shared_ptr<const Query> query;
  int order = 0;           // creation order, so that views are printed after the views they read
  Comment comment;
  Grants grants;
  SourceRef src;
};

struct Function {
  std::string schema;
  std::string name;
  std::string identity_args;  // input argument types: "integer, text"
  std::string arguments;      // the whole argument list as written in canonical form (names, modes, defaults)
  std::string returns;        // "trigger", "SETOF text", "TABLE(a integer)"; "" for procedures
  std::string language;
  bool procedure = false;
  std::string body;           // the AS string; a SQL-standard body in canonical form (replay/functions.cpp)
  std::string sql_text;       // SQL-standard bodies (BEGIN ATOMIC, RETURN): the whole CREATE statement as written
  std::vector<std::string> options;  // canonical options: "SECURITY DEFINER", "STABLE", "SET search_path = ''"
  int order = 0;
  Comment comment;
  Grants grants;
  SourceRef src;

  std::string signature() const;  // "name(integer, text)"
};

struct Extension {
  std::string name;
  std::string schema;  // where its objects live (replay: WITH SCHEMA, or the first schema of the search path)
  SourceRef src;
};

struct Schema {
  std::string name;
  ObjectMap<Table> tables;
  std::map<std::string, Type> types;
  std::map<std::string, Sequence> sequences;
  std::map<std::string, View> views;
  ObjectMap<Function> functions;  // by signature
  Comment comment;
  Grants grants;
  SourceRef src;

  bool empty() const {
    return tables.empty() && types.empty() && sequences.empty() && views.empty() && functions.empty();
  }
  // Which relation (table, view, sequence, index) holds this name in the schema; "" when none.
  std::string relation_kind(const std::string& name) const;
};

// ALTER DEFAULT PRIVILEGES: one pg_default_acl entry. `role` "" is the role the statements run as; `kind` is
// defaclobjtype ('r' tables and views, 'S' sequences, 'f' functions and procedures); `schema` "" is the global
// entry, which holds the whole starting ACL (a schema's entry only adds to it).
struct DefaultGrantsKey {
  std::string role;
  char kind = 'r';
  std::string schema;
  bool operator<(const DefaultGrantsKey& o) const {
    return std::tie(role, kind, schema) < std::tie(o.role, o.kind, o.schema);
  }
};

struct SchemaModel {
  std::map<std::string, Schema> schemas;
  std::map<std::string, Extension> extensions;
  // The role the statements run as, when known (Supabase: postgres), so the owner of what they create: grants to
  // it are the owner's and left out. "" = unknown. Not compared.
  std::string role;
  // Default privileges in effect (replay/grants.cpp applies them to new objects; the catalog reads pg_default_acl;
  // drift compares them as `default-privileges` items, docs/drift.md).
  std::map<DefaultGrantsKey, Grants> default_grants;
  // The GRANT/REVOKE (ALTER DEFAULT PRIVILEGES) that last changed a grantee's privileges on an object (keyed by
  // grantable()'s path and the grantee) or a default-privileges entry: where drift items on them point. Not compared.
  std::map<std::pair<std::string, std::string>, SourceRef> grant_sources;
  std::map<DefaultGrantsKey, SourceRef> default_grant_sources;

  SchemaModel();  // has the public schema, as every new database does
  Schema* schema(const std::string& name);
  const Schema* schema(const std::string& name) const;
  Table* table(const std::string& schema, const std::string& name);
  const Table* table(const std::string& schema, const std::string& name) const;
  // The table or materialized view that holds an index, and the index; nulls when there is none.
  struct IndexRef {
    Table* table = nullptr;
    View* view = nullptr;
    Index* index = nullptr;
  };
  IndexRef find_index(const std::string& schema, const std::string& name);
  std::size_t table_count() const;
};

// The canonical definition of a domain, whichever way it was written: "integer COLLATE x DEFAULT 0 NOT NULL CHECK
// (...) CONSTRAINT positive CHECK (...)". A check's name is shown only when it is not the one PostgreSQL chooses
// (<domain>_check, <domain>_check1, ...); an empty name is a chosen one. Expressions are canonical already.
// Storage parameters as SQL and in drift messages: "WITH (autovacuum_enabled=false, fillfactor=70)"; "" for none.
std::string storage_clause(const std::map<std::string, std::string>& options);

std::string domain_definition(const std::string& base_type, const std::string& collation, const std::string& default_expr,
                              bool not_null, const std::string& domain,
                              const std::vector<std::pair<std::string, std::string>>& checks);

// One object PostgreSQL can comment and its comment: `target` is what COMMENT ON names it with ("COLUMN
// app.users.email", "CONSTRAINT users_pkey ON users", "FUNCTION f(integer)"), unique in the model, so it is also the
// key by which drift and SQL out match an object's comment across two models.
struct Commented {
  std::string target;
  std::string path;  // as drift items name the object: "app.users.email", "app.f(integer)"
  const Comment* comment = nullptr;
};
// Every commentable object of the model (with or without a comment), in a stable order.
std::vector<Commented> commentable(const SchemaModel& m);
// The same walk, one object at a time: a list of every column's names is larger than the model (bench/RESULTS.md,
// "eleventh session: memory").
void for_each_commentable(const SchemaModel& m, const std::function<void(const Commented&)>& visit);

// One object that holds privileges: `target` is its COMMENT ON target (unique, the key across two models, as in
// Commented), `on` what GRANT names it with ("TABLE s.v" for a view too, "FUNCTION f(integer)", "SCHEMA s"), `kind`
// its default-privileges kind ('r', 'S', 'f'; 'n' for a schema).
struct Granted {
  std::string target;
  std::string on;
  std::string path;
  std::string schema;
  char kind = 'r';
  const Grants* grants = nullptr;
  const SourceRef* src = nullptr;  // the object's own (its CREATE gave it its starting privileges)
  std::string column;              // kind 'c': a column of the table `on` names (column privileges)
};
// Every object that holds privileges (tables, views, materialized views, sequences, functions, procedures, schemas;
// tables' columns, kind 'c'), in a stable order. Platform table shells are left out.
std::vector<Granted> grantable(const SchemaModel& m);
void for_each_grantable(const SchemaModel& m, const std::function<void(const Granted&)>& visit);  // one at a time
// What an object of `kind` created in `schema` starts with in `m`: the global default (or PostgreSQL's own:
// PUBLIC=X for functions, nothing else), plus the schema's default privileges.
Grants initial_grants(const SchemaModel& m, char kind, const std::string& schema);
// A default-privileges entry as pg_default_acl holds it when there is none: the global entry PostgreSQL's own ACL
// (PUBLIC=X for functions), a schema's entry nothing.
Grants default_grants_start(const DefaultGrantsKey& key);
// Every default-privileges entry of either model, with what each holds (its start when it has none).
std::map<DefaultGrantsKey, std::pair<Grants, Grants>> default_grants_pairs(const SchemaModel& a, const SchemaModel& b);
// "FOR ROLE r IN SCHEMA s ON TABLES" (the role and schema only when the entry has them).
std::string default_grants_clause(const DefaultGrantsKey& key);
// What a fresh database gives the object without any default privileges (schema public: PUBLIC=U).
Grants builtin_grants(char kind, const std::string& name);
// GRANT adds `letters` (with the grant option when `option`); REVOKE removes them (only their grant option when
// `option_only`). Letters are kept in PostgreSQL's order.
void grant(Grants& g, const std::string& grantee, const std::string& letters, bool option);
void revoke(Grants& g, const std::string& grantee, const std::string& letters, bool option_only);
// "SELECT, INSERT" for "ra*": the privileges, without grant options.
std::string privilege_names(const std::string& letters);
// The aclitem letter of a privilege ("select" or "SELECT" -> "r"); "" for one the model's objects cannot have.
std::string privilege_letter(std::string name);

// JSON form (stable key order; `sources` adds each object's file:line:col).
nlohmann::ordered_json to_json(const SchemaModel& m, bool sources = true);
// DDL that recreates the model, in a stable order: schemas, extensions, types, sequences, functions, tables
// (columns, primary key, unique, check and exclusion constraints), sequence ownership, foreign keys, indexes,
// views and row-typed functions in dependency order, row-level security, policies, triggers: it applies to
// PostgreSQL as printed.
std::string to_sql(const SchemaModel& m);

// The statements to_sql prints, one object at a time, for the scripts that change one object at a time
// (analyzer/model/sql_out.hpp). `rel` is the qualified name of the table or view; each statement ends with ";\n".
namespace ddl {
std::string literal(const std::string& s);  // 'it''s'
std::string column(const Column& c);        // "name type [COLLATE] [GENERATED ...] [DEFAULT ...] [NOT NULL]"
std::string create_type(const Type& t);
std::string create_sequence(const Sequence& q);
std::string sequence_owned_by(const Sequence& q);
std::string create_function(const Function& f);
// Columns and the constraints created with the table: all but foreign keys and NOT VALID ones (created_with_table
// says which), which go after every table exists (add_constraint).
std::string create_table(const Table& t);
bool created_with_table(const Constraint& c);
std::string add_constraint(const Constraint& c, const std::string& rel);
std::string attach_partition(const Table& t);
// A partition to print with CREATE TABLE before ATTACH PARTITION: with its ancestors' check constraints, which
// ATTACH needs it to have and then makes theirs (the model holds them as the parents', as the catalog does).
Table with_parent_checks(const SchemaModel& m, const Table& t);
std::string create_index(const Index& i, const std::string& rel, bool concurrently = false);
std::string create_view(const View& v);
std::string create_policy(const Policy& p, const std::string& rel);
std::string create_trigger(const Trigger& g, const std::string& rel);
std::string comment_on(const std::string& target, const std::string& text);  // "" = IS NULL
// The COMMENT ON targets of the objects SQL out creates again (its comment goes with the old object).
std::string comment_target(const char* kind, const std::string& schema, const std::string& name);  // "TABLE s.t"
std::string comment_target_on(const char* kind, const std::string& name, const std::string& rel);  // "TRIGGER g ON t"
std::string comment_target(const Function& f);
// The GRANT and REVOKE statements that turn the privileges `from` into `to` on `on` ("TABLE s.t").
// With `column`, column privileges: "GRANT SELECT (c), UPDATE (c) ON TABLE s.t".
std::vector<std::string> grant_statements(const std::string& on, const Grants& from, const Grants& to,
                                          const std::string& column = "");
// The ALTER DEFAULT PRIVILEGES statements that turn one default-privileges entry from `from` into `to`.
std::vector<std::string> default_grant_statements(const DefaultGrantsKey& key, const Grants& from, const Grants& to);
}  // namespace ddl

}  // namespace driftguard::model
