// COMMENT ON: PostgreSQL's comment.c. The comment is kept on the object it names (model.hpp's Comment), so a rename
// keeps it and a drop removes it; an empty string is no comment (PostgreSQL deletes the pg_description row), as
// is IS NULL. A comment on a missing object is refused as PostgreSQL refuses it, where the replay knows every
// object of that schema (knows_all_of); objects the model does not hold (roles, view columns, domain constraints,
// ...) are listed as statements the model does not represent.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

namespace {

// PostgreSQL 15's own comment on the schema public of a new database: the model's "no comment" there.
constexpr const char* kPublicComment = "standard public schema";

}  // namespace

bool Replayer::Impl::comment_on(const json& b) {
  std::string type = str(b, "objtype");
  const json& object = field(b, "object");
  std::string comment = str(b, "comment");
  SourceRef src = stmt_ref();
  Comment* slot = nullptr;
  // Refuses a missing object where the replay knows all there is in `schema`, else leaves the statement alone.
  auto missing = [&](const std::string& schema, bool unqualified, const std::string& name, const std::string& message) {
    if (unqualified ? knows_all_unqualified(name) : knows_all_of(schema)) fail(message);
  };
  auto parts_of = [&]() {
    std::vector<std::string> parts = drop_object_parts(object);
    for (auto& p : parts) p = nm(p);
    return parts;
  };

  if (type == "OBJECT_TABLE" || type == "OBJECT_VIEW" || type == "OBJECT_MATVIEW" || type == "OBJECT_SEQUENCE" ||
      type == "OBJECT_INDEX" || type == "OBJECT_COLUMN") {
    std::vector<std::string> parts = parts_of();
    bool column = type == "OBJECT_COLUMN";
    std::string col = column && !parts.empty() ? parts.back() : "";
    if (column && !parts.empty()) parts.pop_back();
    if (parts.empty()) return false;
    auto [s, n] = resolve_relation(parts);
    Schema* sc = m.schema(s);
    std::string kind = sc ? relation_kind(*sc, n) : "";
    if (kind.empty()) {
      missing(s, parts.size() < 2, n, "relation " + dq(join(parts, ".")) + " does not exist");
      return true;
    }
    std::string want = type == "OBJECT_VIEW"       ? "view"
                       : type == "OBJECT_MATVIEW"  ? "materialized view"
                       : type == "OBJECT_SEQUENCE" ? "sequence"
                       : type == "OBJECT_INDEX"    ? "index"
                       : type == "OBJECT_TABLE"    ? "table"
                                                   : kind;
    if (kind != want) fail(dq(n) + " is not a" + std::string(want == "index" ? "n " : " ") + want);
    if (kind == "table") {
      Table& t = sc->tables[n];
      if (!column) {
        slot = t.platform_shell ? nullptr : &t.comment;
      } else if (Column* c = t.column(col)) {
        slot = &c->edit().comment;
      } else if (!t.opaque) {
        fail("column " + dq(col) + " of relation " + dq(n) + " does not exist");
      }
    } else if (kind == "view" || kind == "materialized view") {
      View& v = sc->views[n];
      if (!column) slot = &v.comment;
      // a view's columns: not modeled (View::columns holds names and types only)
    } else if (kind == "sequence") {
      slot = column ? nullptr : &sc->sequences[n].comment;
    } else if (kind == "index") {
      if (SchemaModel::IndexRef ir = find_index(s, n); ir.index) slot = &ir.index->edit().comment;
    }
  } else if (type == "OBJECT_TABCONSTRAINT" || type == "OBJECT_TRIGGER" || type == "OBJECT_POLICY") {
    std::vector<std::string> parts = parts_of();
    if (parts.size() < 2) return false;
    std::string n = parts.back();
    parts.pop_back();
    auto [s, tn] = resolve_relation(parts);
    Table* t = m.table(s, tn);
    if (!t) {
      missing(s, parts.size() < 2, tn, "relation " + dq(join(parts, ".")) + " does not exist");
      return true;
    }
    std::string what = type == "OBJECT_TABCONSTRAINT" ? "constraint" : type == "OBJECT_TRIGGER" ? "trigger" : "policy";
    if (what == "constraint") {
      if (Constraint* c = t->constraint(n)) slot = &c->comment;
    } else if (what == "trigger") {
      if (Trigger* g = t->trigger(n)) slot = &g->comment;
    } else if (Policy* p = t->policy(n)) {
      slot = &p->comment;
    }
    if (!slot && !t->opaque) fail(what + " " + dq(n) + " for table " + dq(tn) + " does not exist");
  } else if (type == "OBJECT_FUNCTION" || type == "OBJECT_PROCEDURE" || type == "OBJECT_ROUTINE") {
    const json& owa = field(object, "ObjectWithArgs");
    std::string shown;
    Function* f = find_function_refusing(owa, &shown);
    if (!f) return true;
    slot = &f->comment;
  } else if (type == "OBJECT_TYPE" || type == "OBJECT_DOMAIN") {
    std::vector<std::string> parts = parts_of();
    Type* ty = find_type(parts, true);
    if (!ty) {
      auto [s, n] = resolve_type(parts);
      missing(s, parts.size() < 2, n, "type " + named(s, n) + " does not exist");
      return true;
    }
    if (type == "OBJECT_DOMAIN" && ty->kind != "domain") fail(named(ty->schema, ty->name) + " is not a domain");
    slot = &ty->comment;
  } else if (type == "OBJECT_SCHEMA") {
    std::vector<std::string> parts = parts_of();
    std::string s = parts.empty() ? "" : parts.back();
    Schema* sc = m.schema(s);
    if (!sc) fail("schema " + dq(s) + " does not exist");  // as DROP SCHEMA: the model holds every schema
    if (s == "public" && comment == kPublicComment) comment.clear();
    slot = &sc->comment;
  } else if (type == "OBJECT_EXTENSION") {
    std::vector<std::string> parts = parts_of();
    auto it = m.extensions.find(parts.empty() ? "" : parts.back());
    if (it == m.extensions.end()) fail("extension " + dq(parts.empty() ? "" : parts.back()) + " does not exist");
    // Not modeled: CREATE EXTENSION sets the control file's comment, which the replay cannot know, and pg_dump
    // writes it back (COMMENT ON EXTENSION citext IS 'data type for ...'): listed as not represented.
    return false;
  }
  // false: an object the model does not hold (COMMENT ON ROLE, DATABASE, a view's column, a domain's constraint,
  // a column of a table whose columns are not known, ...), listed by the caller.
  if (!slot) return false;
  slot->text = comment;
  slot->src = comment.empty() ? SourceRef{} : src;
  return true;
}

}  // namespace driftguard::model
