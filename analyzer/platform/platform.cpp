#include "analyzer/platform/platform.hpp"

#include <algorithm>

#include "analyzer/model/replay.hpp"
#include "analyzer/model/snapshot.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"

namespace driftguard::platform {

namespace {

std::shared_ptr<Baseline> build(std::string name, std::vector<SourceFile> files, const std::string& role = {}) {
  auto b = std::make_shared<Baseline>();
  b->name = std::move(name);
  b->files = std::move(files);
  model::Replayer replayer;
  replayer.model().role = role;
  for (const auto& f : b->files) replayer.apply_file(f, parse_sql(f.text), b->findings);
  b->model = replayer.take();
  return b;
}

template <class T>
bool has_named(const std::vector<T>& v, const std::string& name) {
  return std::any_of(v.begin(), v.end(), [&](const T& x) { return x.name == name; });
}

// Erases the elements `gone` says are the platform's.
template <class T, class Pred>
void erase_if(std::vector<T>& v, Pred gone) {
  v.erase(std::remove_if(v.begin(), v.end(), gone), v.end());
}

template <class Map, class Pred>
void erase_entries(Map& m, Pred gone) {
  for (auto it = m.begin(); it != m.end();) it = gone(it->first, it->second) ? m.erase(it) : std::next(it);
}
// The same for objects held copy-on-write (model::ObjectMap): each made the map's own before `gone` sees it.
template <class T, class Pred>
void erase_entries(model::ObjectMap<T>& m, Pred gone) {
  for (auto it = m.begin(); it != m.end();) it = gone(it->first, m.edit(it->first)) ? m.erase(it) : std::next(it);
}

// A trigger that calls a function of a platform schema is the platform's (storage's own triggers).
bool platform_trigger(const model::Trigger& t, const model::SchemaModel& base) {
  auto dot = t.function.find('.');
  if (dot == std::string::npos) return false;
  std::string schema = t.function.substr(0, dot);
  if (!schema.empty() && schema.front() == '"') schema = schema.substr(1, schema.size() - 2);
  return schema != "public" && base.schema(schema) != nullptr;
}

void strip_table_parts(model::Table& t, const model::Table& bt, const model::Table* kt, const model::SchemaModel& base) {
  // The columns, constraints and indexes of a platform table are the platform's, whatever their names (a
  // schema.prisma pulled from the database names them its own way; a newer platform adds more). Triggers and
  // policies a project attaches to it are the project's.
  t.columns.clear();
  t.constraints.clear();
  t.indexes.clear();
  erase_if(t.triggers, [&](const model::Trigger& tr) {
    return has_named(bt.triggers, tr.name) || (kt && !has_named(kt->triggers, tr.name) && platform_trigger(tr, base));
  });
  erase_if(t.policies, [&](const model::Policy& p) { return has_named(bt.policies, p.name); });
  // Row-level security of a platform table is the platform's (storage.objects has it on from the start).
  t.rls_enabled = false;
  t.rls_forced = false;
  t.rls_src = {};
  t.platform_shell = true;
}

bool table_empty(const model::Table& t) {
  return t.columns.empty() && t.constraints.empty() && t.indexes.empty() && t.triggers.empty() && t.policies.empty();
}

}  // namespace

namespace {

// What the Supabase baseline is apart from its model and findings.
void supabase_shell(Baseline& b) {
  b.name = kSupabase;
  b.files.push_back(make_source(kSupabaseFile, supabase_baseline_sql()));  // moved in (a braced list copies 98 KB)
  b.default_extensions = {"pg_graphql", "supabase_vault", "pgsodium", "pgjwt", "pg_net", "plpgsql"};
}

}  // namespace

std::shared_ptr<const Baseline> supabase_from_sql() {
  auto b = std::make_shared<Baseline>();
  supabase_shell(*b);
  // Supabase's CLI and dashboard run migrations as postgres, which owns what they create.
  auto built = build(b->name, b->files, kSupabaseRole);
  b->model = std::move(built->model);
  b->findings = std::move(built->findings);
  return b;
}

std::shared_ptr<const Baseline> supabase_from_snapshot(std::string_view snapshot) {
  auto b = std::make_shared<Baseline>();
  supabase_shell(*b);
  model::snapshot::decode(snapshot, b->model, b->findings);
  return b;
}

std::shared_ptr<const Baseline> prelude(const std::string& path, const std::shared_ptr<const Baseline>& on) {
  std::vector<SourceFile> files = on ? on->files : std::vector<SourceFile>{};
  files.push_back(load_file(path));
  auto b = build(on ? on->name : "prelude", std::move(files), on ? on->model.role : std::string());
  if (on) b->default_extensions = on->default_extensions;
  return b;
}

std::string Baseline::describe() const {
  std::string out;
  for (const auto& f : files) out += (out.empty() ? "" : " + ") + f.path;
  return out;
}

void strip(model::SchemaModel& m, const Baseline& baseline, const model::SchemaModel* keep) {
  const model::SchemaModel& base = baseline.model;
  for (auto& entry : m.schemas) {
    const std::string& sname = entry.first;  // not a structured binding: clang 14 (the fuzz build) cannot capture one
    model::Schema& schema = entry.second;
    const model::Schema* bs = base.schema(sname);
    if (bs == nullptr) continue;
    bool platform_schema = sname != "public";
    // A platform schema's privileges (public's too) are the platform's: a hosted database grants more than the
    // baseline knows.
    schema.grants.clear();
    const model::Schema* ks = keep ? keep->schema(sname) : nullptr;
    // In a platform schema, what the project's side does not have is the platform's.
    auto newer = [&](auto member, const std::string& key) {
      if (!keep || !platform_schema) return false;
      return ks == nullptr || (ks->*member).count(key) == 0;
    };
    erase_entries(schema.tables, [&](const std::string& name, model::Table& t) {
      auto bt = bs->tables.find(name);
      if (bt == bs->tables.end()) return newer(&model::Schema::tables, name);
      const model::Table* kt = nullptr;
      if (keep) {
        kt = keep->table(sname, name);
        if (kt == nullptr) return true;
      }
      strip_table_parts(t, bt->second, kt, base);
      return table_empty(t);
    });
    erase_entries(schema.types, [&](const std::string& name, const model::Type&) {
      return bs->types.count(name) > 0 || newer(&model::Schema::types, name);
    });
    erase_entries(schema.sequences, [&](const std::string& name, const model::Sequence&) {
      return bs->sequences.count(name) > 0 || newer(&model::Schema::sequences, name);
    });
    erase_entries(schema.views, [&](const std::string& name, const model::View&) {
      return bs->views.count(name) > 0 || newer(&model::Schema::views, name);
    });
    erase_entries(schema.functions, [&](const std::string& sig, const model::Function&) {
      return bs->functions.count(sig) > 0 || newer(&model::Schema::functions, sig);
    });
  }
  erase_entries(m.schemas, [&](const std::string& name, const model::Schema& s) {
    return name != "public" && base.schema(name) != nullptr && s.empty();
  });
  erase_entries(m.extensions, [&](const std::string& name, const model::Extension&) {
    return base.extensions.count(name) > 0 ||
           std::find(baseline.default_extensions.begin(), baseline.default_extensions.end(), name) !=
               baseline.default_extensions.end();
  });
  // Default privileges of other roles (a hosted database's supabase_admin) and in the platform's own schemas are the
  // platform's, as their schemas' privileges are; the project's role's entries for its schemas (public) stay.
  for (auto it = m.default_grants.begin(); it != m.default_grants.end();) {
    const model::DefaultGrantsKey& k = it->first;
    bool platform = !k.role.empty() || (!k.schema.empty() && k.schema != "public" && base.schema(k.schema) != nullptr);
    it = platform ? m.default_grants.erase(it) : std::next(it);
  }
}

namespace {

template <class T>
void copy_src(SourceRef& to, const T* from) {
  if (from != nullptr && !to.known()) to = from->src;
}

template <class T>
const T* named(const std::vector<T>& v, const std::string& name) {
  for (const auto& x : v) {
    if (x.name == name) return &x;
  }
  return nullptr;
}

template <class Map>
const typename Map::mapped_type* entry(const Map& m, const std::string& key) {
  auto it = m.find(key);
  return it == m.end() ? nullptr : &it->second;
}

}  // namespace

void copy_sources(model::SchemaModel& to, const model::SchemaModel& from) {
  for (auto& [sname, schema] : to.schemas) {
    const model::Schema* fs = from.schema(sname);
    if (fs == nullptr) continue;
    copy_src(schema.src, fs);
    for (auto&& [name, t] : schema.tables.editing()) {
      const model::Table* ft = entry(fs->tables, name);
      if (ft == nullptr) continue;
      copy_src(t.src, ft);
      if (!t.rls_src.known()) t.rls_src = ft->rls_src;
      for (auto& c : t.columns) {
        const model::Column* fc = ft->column(c.name);
        copy_src(c.src, fc);
        if (fc != nullptr && !c.not_null_src().known() && fc->not_null_src().known()) c.edit().not_null_src = fc->not_null_src();
      }
      for (auto& c : t.constraints) copy_src(c.src, ft->constraint(c.name));
      for (auto& i : t.indexes) copy_src(i.src, named(ft->indexes, i.name));
      for (auto& tr : t.triggers) copy_src(tr.src, named(ft->triggers, tr.name));
      for (auto& p : t.policies) copy_src(p.src, named(ft->policies, p.name));
    }
    for (auto& [name, x] : schema.types) copy_src(x.src, entry(fs->types, name));
    for (auto& [name, x] : schema.sequences) copy_src(x.src, entry(fs->sequences, name));
    for (auto&& [name, x] : schema.functions.editing()) copy_src(x.src, entry(fs->functions, name));
    for (auto& [name, v] : schema.views) {
      const model::View* fv = entry(fs->views, name);
      copy_src(v.src, fv);
      if (fv != nullptr) {
        for (auto& i : v.indexes) copy_src(i.src, named(fv->indexes, i.name));
      }
    }
  }
  for (auto& [name, e] : to.extensions) copy_src(e.src, entry(from.extensions, name));
}

}  // namespace driftguard::platform
