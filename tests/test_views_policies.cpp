// Views and policies compared as PostgreSQL stores them. The oracle is PostgreSQL itself: each query or policy is
// created in a real database, read back with the catalog reader (pg_get_viewdef, pg_get_expr), and the model the
// replay builds from the same SQL must be equal to it, both ways. The shapes are a fixed list plus a seeded
// generator; the Supabase corpus gives the real projects' policies.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "analyzer/model/normalize.hpp"
#include "analyzer/model/replay.hpp"
#include "analyzer/parse.hpp"
#include "analyzer/source.hpp"
#include "introspect/catalog.hpp"
#include "introspect/db/cluster.hpp"
#include "introspect/diff.hpp"
#include "tests/helpers.hpp"
#include "tests/pg_server.hpp"
#include "tests/round_trip.hpp"

using namespace driftguard;
namespace fs = std::filesystem;

namespace {

using dgtest::items;
using dgtest::replayed;
using dgtest::round_trip;

using dgtest::live;

// The projects of one kind of the shared corpus (prisma, sql, supabase), sorted; empty when it is not there.
std::vector<fs::path> corpus_projects(const char* kind) {
  fs::path dir = fs::path(dgtest::source_dir()) / ".." / "shared" / "corpus" / kind;
  std::vector<fs::path> out;
  if (!fs::is_directory(dir)) return out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

// `got` equals the pinned fixture (UPDATE_GOLDEN=1 rewrites it: review the diff).
void check_pinned(const std::string& got, const char* fixture) {
  fs::path pinned = fs::path(dgtest::source_dir()) / "fixtures" / fixture;
  if (const char* u = std::getenv("UPDATE_GOLDEN"); u && *u) std::ofstream(pinned, std::ios::binary) << got;
  std::ifstream in(pinned, std::ios::binary);
  std::stringstream want;
  want << in.rdbuf();
  CHECK(got == want.str());
}

const char* kTables = R"sql(
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE t (id integer PRIMARY KEY, name varchar(20), status text, data jsonb, n bigint, s smallint,
                price numeric, m mood, tags text[], at timestamptz);
CREATE TABLE u (id integer, tid integer, label text, code char(3));
CREATE SCHEMA other;
CREATE TABLE other.w (wid bigint, tid integer, note varchar);
)sql";

// Shapes written the way people write them; each is a view in the same database.
const char* kShapes[] = {
    "select id from t",
    "select id, name, status from t where status in ('one')",
    "select t.id, u.label, count(*) from t join u on u.tid = t.id group by t.id, u.label",
    "select data #>> '{a, b}' as x, case when id > 1 then 'x' else null end as c, coalesce(s, n) as w, name = 'x' as eq from t",
    "select * from t",
    "with c as (select id, name from t) select c.id, name from c",
    "select x.id from (select id from t) x",
    "select id, sum(price) over (partition by status order by id) from t",
    "select id from t union select tid from u",
    "select id::bigint + 1 as a, name || 'x' as b, s = 1 as q, status in ('a','b') as r, name in ('a','b') rr, s + n as sn, "
    "s::int as si, n between 1 and 2 as bt, name like 'a%' lk, status is null isn, not (id > 2) nt from t",
    "select t.id, u.id as uid from t left join u using (id)",
    "select 1 as one, 'a'::text as b, now(), current_date, true as tr, 1.5 as f, -1 as neg, array[1,2] as arr, "
    "'{1,2}'::int[] as ai, (select max(id) from u) as mx, exists(select 1 from u where u.tid=t.id) as e, "
    "id in (select tid from u) as isub from t",
    "select t.*, u.label from t, u where t.id = u.tid",
    "select distinct on (status) status, id from t order by status, id desc nulls last",
    "select status, count(*) filter (where id > 1) as c, string_agg(name, ',' order by name) from t group by status "
    "having count(*) > 1",
    "select id from t where data->>'k' = 'v' and data @> '{\"a\":1, \"bb\": [1, 2]}' and data ? 'x'",
    "select a.id, b.id as bid from t a cross join lateral (select id from u where u.tid = a.id) b",
    "select id from t where id = any(array[1,2]) and name = any('{a,b}')",
    "select id from t where name in ('a') and status not in ('b') order by name desc limit 5",
    "select label, tid from u where label ilike '%x%' or tid is not null",
    "select u.* from u join t on t.id = u.tid where t.status = 'on'",
    "select count(*) as n from t",
    "select coalesce(label, 'none') as l from u",
    "select case status when 'a' then 1 when 'b' then 2 else 0 end as k from t",
    "select lower(name) as ln, upper(status) from t",
    "select id from t where exists (select 1 from u where u.tid = t.id and u.label = 'x')",
    "select distinct status from t",
    "select id, row_number() over (order by id desc) as rn from t",
    "select * from t join u using (id)",
    "select * from t natural join u",
    "select id from t where status = any(array['a','b']) and n > 5000000000",
    "select x.a, x.b from (values (1, 'a'), (2, 'b')) x(a, b)",
    "select tid as id from u union all select id from t order by id",
    "select id from t where price > 1.5 and s between 1 and 3 and name not like 'x%'",
    "select nullif(status, '') as st, greatest(s, n) as g, least(id, 2) as l from t",
    "select id from t where data -> 'a' ->> 'b' = 'c' and data #> '{x,y}' is not null",
    "select status, array_agg(id order by id) as ids from t group by status",
    "select id from t where status is distinct from 'a' and not exists (select from u where u.tid = t.id)",
    "with recursive r(n) as (select 1 union all select n + 1 from r where n < 5) select n from r",
    "select id from t tt where tt.id in (select u.tid from u where u.label = tt.status)",
    "select 'x' || id as k, id::text as idt, cast(n as int) as ni from t",
    "select id, case when status = 'a' then n else s end as v from t",
    "select id from t where exists (select 1 from t x where x.id = t.id) and id in (select id from t)",
    "select a.id from (select id from u) a, u",
    "select f.x from generate_series(1, 3) as f(x)",
    "select id from t where name ~ '^a' and status = 'x'::text and data is not null limit 10 offset 2",
    "select id, m from t where m = 'happy' or m in ('sad')",
    "select w.wid, t.name from other.w join t on t.id = w.tid",
    "select public.t.id from public.t",
    "select id from t where tags @> array['a'] and tags[1] is null",
    "select id from t where at > '2020-01-01' and at < now() - interval '1 day'",
};

// Seeded variations: a FROM, two to four output columns and a WHERE drawn from pools whose column names are
// unambiguous in that FROM.
std::vector<std::string> generated_views(unsigned seed, int count) {
  std::mt19937 rng(seed);
  auto pick = [&](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  struct From {
    std::string text;
    std::vector<std::string> exprs;
    std::vector<std::string> preds;
  };
  std::vector<std::string> t_exprs = {"id", "name", "status", "t.price", "s", "n + s", "lower(name)", "coalesce(status, 'x')",
                                      "data ->> 'k'", "data #>> '{a,b}'", "case when s > 0 then 'pos' else null end",
                                      "id::bigint", "name || status", "coalesce(s, n)", "m", "tags[1]", "at",
                                      "greatest(s, id)", "price * 2", "length(name)", "upper(status)"};
  std::vector<std::string> t_preds = {"id > 3",           "status = 'a'",      "name in ('x')",        "name in ('x', 'y')",
                                      "s between 1 and 9", "data ? 'k'",       "status is not null",   "m = 'sad'",
                                      "n <> 5000000000",  "name like 'a%'",    "price >= 1.25",        "not (s = 1)",
                                      "tags && array['a']", "data @> '{\"k\": 1}'", "status not in ('b')"};
  std::vector<From> froms = {
      {"t", t_exprs, t_preds},
      {"t join u on u.tid = t.id", {"t.id", "name", "label", "u.tid", "code", "status || label", "count_x"},
       {"label = 'z'", "t.id > 1", "code = 'abc'"}},
      {"t left join u using (id)", {"id", "name", "label", "tid"}, {"label is null", "id < 5"}},
      {"(select id, name, s from t) q", {"q.id", "name", "s", "s + 1"}, {"q.id > 1", "name = 'n'"}},
      {"other.w", {"wid", "tid", "note", "note || 'x'"}, {"note = 'x'", "wid > 10"}},
  };
  std::vector<std::string> out;
  for (int i = 0; i < count; ++i) {
    const From& f = froms[rng() % froms.size()];
    int ncols = 2 + static_cast<int>(rng() % 3);
    std::string sel;
    std::vector<std::string> used;
    for (int c = 0; c < ncols; ++c) {
      std::string e = pick(f.exprs);
      if (e == "count_x") continue;
      if (std::find(used.begin(), used.end(), e) != used.end()) continue;
      used.push_back(e);
      sel += (sel.empty() ? "" : ", ") + e + " as c" + std::to_string(c);
    }
    if (sel.empty()) sel = f.exprs[0] + " as c0";
    std::string q = "select " + sel + " from " + f.text;
    bool where = rng() % 3 != 0;
    if (where) q += " where " + pick(f.preds);
    if (rng() % 4 == 0) q += (where ? " and " : " where ") + pick(f.preds);
    out.push_back(q);
  }
  return out;
}

}  // namespace

TEST_CASE("views: the replayed query equals PostgreSQL's pg_get_viewdef for every shape", "[views][pg]") {
  std::string sql = kTables;
  int n = 0;
  for (const char* q : kShapes) {
    sql += "CREATE VIEW shape" + std::to_string(n++) + " AS " + q + ";\n";
  }
  // views that read views, one of them replaced later to read a view created after it
  sql += "CREATE VIEW base1 AS SELECT id, name FROM t;\n"
         "CREATE VIEW base2 AS SELECT b.id, upper(b.name) AS up FROM base1 b;\n"
         "CREATE VIEW base3 AS SELECT * FROM base2 WHERE up <> 'X';\n"
         "CREATE VIEW named_cols (a, b) AS SELECT id, name FROM t;\n"
         "CREATE MATERIALIZED VIEW mv AS SELECT status, count(*) FROM t GROUP BY status;\n";
  model::SchemaModel m = round_trip(sql, "views");
  CHECK(m.schemas.at("public").views.size() == std::size(kShapes) + 5);
  // what the catalog gave, in the canonical form: PostgreSQL's qualification, AS names and casts
  const auto& views = m.schemas.at("public").views;
  CHECK(views.at("shape0").definition == "SELECT t.id FROM t");
  CHECK(views.at("shape1").definition == "SELECT t.id, t.name, t.status FROM t WHERE t.status = 'one'");
  CHECK(views.at("shape4").definition == "SELECT t.id, t.name, t.status, t.data, t.n, t.s, t.price, t.m, t.tags, t.at FROM t");
  CHECK(views.at("shape38").definition ==
        "WITH RECURSIVE r(n) AS (SELECT 1 AS \"?column?\" UNION ALL SELECT r_1.n + 1 AS \"?column?\" FROM r r_1 WHERE r_1.n < 5) "
        "SELECT r.n FROM r");
  CHECK(views.at("named_cols").definition == "SELECT t.id AS a, t.name AS b FROM t");
  CHECK(views.at("base3").definition == "SELECT base2.id, base2.up FROM base2 WHERE base2.up <> 'X'");
}

TEST_CASE("views: seeded variations of FROM, output columns and WHERE", "[views][pg]") {
  std::string sql = kTables;
  auto qs = generated_views(20261206, 60);
  for (std::size_t i = 0; i < qs.size(); ++i) sql += "CREATE VIEW gen" + std::to_string(i) + " AS " + qs[i] + ";\n";
  model::SchemaModel m = round_trip(sql, "viewgen");
  CHECK(m.schemas.at("public").views.size() == 60);
}

TEST_CASE("views: a different query is found, and an unresolvable one is compared loosely, never equal", "[views][pg]") {
  std::string db = dgtest::pg::fresh_database("viewdiff");
  dgtest::pg::exec(db, std::string(kTables) +
                           "CREATE VIEW a AS SELECT id, name FROM t;\n"
                           "CREATE VIEW b AS SELECT id FROM t WHERE status = 'x';\n"
                           // a table the replay cannot see (created through EXECUTE), and a view on it
                           "DO $$ BEGIN EXECUTE 'CREATE TABLE hidden (k integer, v text)'; END $$;\n"
                           "CREATE VIEW on_hidden AS SELECT * FROM hidden;\n");
  model::SchemaModel got = live(db);
  model::Replayer r;
  std::vector<Finding> findings;
  r.apply_sql(std::string(kTables) +
                  "CREATE VIEW a AS SELECT id FROM t;\n"
                  "CREATE VIEW b AS SELECT t.id FROM public.t WHERE t.status IN ('x');\n"
                  "CREATE VIEW on_hidden AS SELECT * FROM hidden;\n",
              SourceRef{"test.sql", 1, 1}, findings);
  model::SchemaModel want = r.take();
  std::string out;
  for (const auto& i : diff::diff(want, got)) out += i.kind + " " + i.path + ": " + i.message + "\n";
  CHECK(out ==
        "view-definition public.a: view public.a is defined differently\n"
        "extra-table public.hidden: table public.hidden is not expected\n"
        "view-definition public.on_hidden: view public.on_hidden is defined differently (compared without column "
        "qualifiers: a relation it reads is not in the model)\n");
  const auto& v = want.schemas.at("public").views.at("on_hidden");
  CHECK_FALSE(v.resolved);
  CHECK(v.loose == "SELECT * FROM hidden");
}

TEST_CASE("views: column resolution without a database", "[views][normalize]") {
  norm::ExprContext c;
  c.relations = [](const std::vector<std::string>& n) -> std::optional<norm::RelationInfo> {
    if (n.back() == "t") return norm::RelationInfo{"public", "t", {{"id", "integer"}, {"name", "character varying(20)"}}};
    if (n.back() == "u") return norm::RelationInfo{"public", "u", {{"id", "integer"}, {"tid", "integer"}}};
    return std::nullopt;
  };
  auto q = [&](const std::string& s) { return norm::view_query(s, c).text; };
  // written vs PostgreSQL's text (recorded from PostgreSQL 15)
  CHECK(q("select id from t") == "SELECT t.id FROM t");
  CHECK(q(" SELECT t.id\n   FROM t;") == "SELECT t.id FROM t");
  CHECK(q("select name from t where name in ('a')") == "SELECT t.name FROM t WHERE t.name = 'a'");
  CHECK(q("SELECT t.name FROM t WHERE ((t.name)::text = 'a'::text)") == "SELECT t.name FROM t WHERE t.name = 'a'");
  CHECK(q("select tid from t join u on u.tid = t.id") == "SELECT u.tid FROM t JOIN u ON u.tid = t.id");
  CHECK(q("select id from t join u using (id)") == "SELECT t.id FROM t JOIN u USING (id)");
  CHECK(q("select id from t right join u using (id)") == "SELECT u.id FROM t RIGHT JOIN u USING (id)");
  CHECK(q("select count(*) from t") == "SELECT count(*) AS count FROM t");
  CHECK(q("select id from t where exists (select 1 from t where id = 2)") ==
        "SELECT t.id FROM t WHERE EXISTS (SELECT 1 AS \"?column?\" FROM t t_1 WHERE t_1.id = 2)");
  // ambiguity and unknown relations: not resolved, loose text without qualifiers
  auto amb = norm::view_query("select id from t, u", c);
  CHECK_FALSE(amb.resolved);
  auto unknown = norm::view_query("select * from nowhere", c);
  CHECK_FALSE(unknown.resolved);
  CHECK(unknown.loose == "SELECT * FROM nowhere");
  // a column of the only relation whose columns are unknown is that relation's (PostgreSQL's text is qualified)
  CHECK(norm::view_query("select k from nowhere", c).text == "SELECT nowhere.k FROM nowhere");
}

namespace {

// What a Supabase project has before its first migration, as far as policies need it: the roles, auth.uid()
// and friends, auth.users, storage.buckets/objects and storage's path helpers.
const char* kSupabasePrelude = R"sql(
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN CREATE ROLE anon NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN CREATE ROLE authenticated NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN CREATE ROLE service_role NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'supabase_admin') THEN CREATE ROLE supabase_admin NOLOGIN; END IF;
END $$;
CREATE SCHEMA auth;
CREATE SCHEMA storage;
CREATE SCHEMA extensions;
CREATE TABLE auth.users (id uuid PRIMARY KEY, email text, phone text, role text, raw_user_meta_data jsonb,
  raw_app_meta_data jsonb, created_at timestamptz, updated_at timestamptz, is_anonymous boolean);
CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE
  AS $f$ SELECT nullif(current_setting('request.jwt.claim.sub', true), '')::uuid $f$;
CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE
  AS $f$ SELECT nullif(current_setting('request.jwt.claim.role', true), '')::text $f$;
CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE
  AS $f$ SELECT nullif(current_setting('request.jwt.claim.email', true), '')::text $f$;
CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE
  AS $f$ SELECT coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $f$;
CREATE TABLE storage.buckets (id text PRIMARY KEY, name text NOT NULL, owner uuid, public boolean DEFAULT false,
  created_at timestamptz, updated_at timestamptz, file_size_limit bigint, allowed_mime_types text[]);
CREATE TABLE storage.objects (id uuid PRIMARY KEY, bucket_id text REFERENCES storage.buckets (id), name text,
  owner uuid, owner_id text, created_at timestamptz, updated_at timestamptz, last_accessed_at timestamptz,
  metadata jsonb, path_tokens text[], version text);
CREATE FUNCTION storage.foldername(name text) RETURNS text[] LANGUAGE sql IMMUTABLE
  AS $f$ SELECT string_to_array(name, '/') $f$;
CREATE FUNCTION storage.filename(name text) RETURNS text LANGUAGE sql IMMUTABLE
  AS $f$ SELECT (string_to_array(name, '/'))[array_length(string_to_array(name, '/'), 1)] $f$;
CREATE FUNCTION storage.extension(name text) RETURNS text LANGUAGE sql IMMUTABLE
  AS $f$ SELECT reverse(split_part(reverse(name), '.', 1)) $f$;
)sql";

}  // namespace

TEST_CASE("policies: PostgreSQL's stored form for a seeded set of policy shapes", "[policies][pg]") {
  std::string sql = std::string(kSupabasePrelude) + R"sql(
CREATE TABLE posts (id bigint PRIMARY KEY, user_id uuid, team_id integer, status varchar(10), title text,
                    tags text[], meta jsonb, published boolean);
CREATE TABLE members (team_id integer, user_id uuid, role text);
ALTER TABLE posts ENABLE ROW LEVEL SECURITY;
)sql";
  const std::vector<std::string> usings = {
      "posts.user_id = auth.uid()",
      "user_id = (select auth.uid())",
      "(select auth.uid()) = user_id",
      "auth.uid() = posts.user_id and published",
      "exists (select 1 from members m where m.team_id = posts.team_id and m.user_id = auth.uid())",
      "team_id in (select team_id from members where user_id = (select auth.uid()))",
      "status in ('public')",
      "status in ('a', 'b') or published = true",
      "auth.role() = 'authenticated'",
      "(auth.jwt() ->> 'role') = 'admin'",
      "auth.jwt() -> 'app_metadata' ->> 'team' = team_id::text",
      "posts.team_id = any (array(select team_id from members where members.user_id = auth.uid()))",
      "'admin' = any (tags)",
      "meta @> '{\"public\":true}'",
      "exists (select 1 from members where members.team_id = posts.team_id and members.role in ('owner', 'admin'))",
      "user_id = auth.uid() or exists (select 1 from auth.users u where u.id = auth.uid() and u.role = 'admin')",
      "true",
  };
  const std::vector<std::string> commands = {"", "FOR SELECT", "FOR INSERT", "FOR UPDATE", "FOR DELETE", "FOR ALL"};
  const std::vector<std::string> roles = {"", "TO authenticated", "TO anon, authenticated", "TO authenticated, anon",
                                          "TO public", "TO public, anon", "TO PUBLIC"};
  std::mt19937 rng(1206);
  int n = 0;
  for (int i = 0; i < 40; ++i) {
    std::string cmd = commands[rng() % commands.size()];
    std::string expr = usings[static_cast<std::size_t>(i) % usings.size()];
    std::string check = usings[rng() % usings.size()];
    std::string p = "CREATE POLICY p" + std::to_string(n++) + " ON posts " + (rng() % 4 == 0 ? "AS RESTRICTIVE " : "") +
                    cmd + " " + roles[rng() % roles.size()];
    if (cmd != "FOR INSERT") p += " USING (" + expr + ")";
    if (cmd == "FOR INSERT" || cmd == "FOR UPDATE" || cmd == "" || cmd == "FOR ALL") {
      if (cmd == "FOR INSERT" || rng() % 2 == 0) p += " WITH CHECK (" + check + ")";
    }
    sql += p + ";\n";
  }
  sql += "ALTER POLICY p0 ON posts TO anon, authenticated USING (user_id = (select auth.uid()));\n";
  // the catalog reader skips platform schemas (auth, storage): compare what a project owns
  std::string db = dgtest::pg::fresh_database("policies");
  dgtest::pg::exec(db, sql);
  model::SchemaModel got = live(db);
  model::SchemaModel want = replayed(sql);
  diff::Options o;
  o.ignore = {"auth", "storage", "extensions"};
  CHECK(items(diff::diff(want, got, o)) == "");
  CHECK(items(diff::diff(got, want, o)) == "");
  const model::Table& posts = *got.table("public", "posts");
  REQUIRE(posts.policies.size() == 40);
  // PostgreSQL's forms, read back: the table's columns unqualified, the AS uid of a sub-select, PUBLIC alone
  auto p0_it = std::find_if(posts.policies.begin(), posts.policies.end(), [](const model::Policy& p) { return p.name == "p0"; });
  REQUIRE(p0_it != posts.policies.end());
  const model::Policy& p0 = *p0_it;
  CHECK(p0.using_expr == "user_id = (SELECT auth.uid() AS uid)");
  CHECK(p0.roles == std::vector<std::string>{"anon", "authenticated"});
}

TEST_CASE("policies and views of the Supabase corpus as PostgreSQL stores them", "[policies][pg][corpus]") {
  // Each project's migrations run statement by statement after a minimal Supabase prelude; the statements
  // PostgreSQL accepted are then replayed, and the policies, row-level security and views of the replay must
  // equal the catalog's. Statements PostgreSQL refused (extensions Debian does not ship, and what depends on
  // them) are left out of both. Counts are pinned in fixtures/supabase-policies.txt (UPDATE_GOLDEN=1 rewrites).
  std::vector<fs::path> projects = corpus_projects("supabase");
  if (projects.empty()) {
    WARN("shared corpus not found; skipped");
    return;
  }
  // Its own cluster: histories create roles (and the prelude does).
  auto cluster = db::TempCluster::start();
  std::string got;
  int total_policies = 0;
  int dbs = 0;
  for (const auto& p : projects) {
    fs::path dir = p / "migrations";
    if (!fs::is_directory(dir)) dir = p;
    std::string db = cluster->create_database("supa" + std::to_string(dbs++));
    dgtest::pg::exec(db, kSupabasePrelude);
    std::string accepted = kSupabasePrelude;
    int ok = 0;
    int refused = 0;
    for (const auto& f : discover({dir.string()}).files) {
      SourceFile file = load_file(f);
      if (file.info.direction == Direction::down) continue;
      ParsedFile parsed = parse_sql(file.text);
      if (!parsed.errors.empty()) continue;
      pqxx::connection c(db);  // a session per file, as the CLI runs them
      for (const auto& st : parsed.statements) {
        if (st.do_depth != 0) continue;
        std::string text = file.text.substr(st.span.begin, st.span.end - st.span.begin);
        // autocommit, statement by statement: a refused statement must not abort the ones after it
        std::string head = text.substr(0, 16);
        std::transform(head.begin(), head.end(), head.begin(), [](unsigned char ch) { return std::toupper(ch); });
        if (head.rfind("BEGIN", 0) == 0 || head.rfind("COMMIT", 0) == 0 || head.rfind("ROLLBACK", 0) == 0 ||
            head.rfind("START TRANSACTI", 0) == 0 || head.rfind("END", 0) == 0 ||
            // COPY ... FROM stdin would wait for data, a subscription for its publisher
            head.rfind("COPY", 0) == 0 || head.rfind("CREATE SUBSCRIPT", 0) == 0) {
          continue;
        }
        try {
          pqxx::nontransaction tx(c);
          tx.exec(text);
          accepted += text + ";\n";
          ++ok;
        } catch (const std::exception&) {
          ++refused;
        }
      }
    }
    model::Replayer r;
    std::vector<Finding> findings;
    r.apply_sql(accepted, SourceRef{p.filename().string(), 1, 1}, findings);
    model::SchemaModel want = r.take();
    model::SchemaModel have = live(db);
    int policies = 0;
    int views = 0;
    for (const auto& [sn, s] : have.schemas) {
      views += static_cast<int>(s.views.size());
      for (const auto& [tn, t] : s.tables) policies += static_cast<int>(t.policies.size());
    }
    total_policies += policies;
    got += p.filename().string() + ": " + std::to_string(ok) + " statements applied, " + std::to_string(refused) +
           " refused; " + std::to_string(policies) + " policies, " + std::to_string(views) + " views\n";
    diff::Options o;
    o.ignore = {"auth", "storage", "extensions"};
    for (const auto& i : diff::diff(want, have, o)) {
      bool ours = i.kind.find("policy") != std::string::npos || i.kind.find("view") != std::string::npos || i.kind == "rls";
      if (ours) got += "  " + i.kind + " " + i.path + "\n";
    }
  }
  CHECK(total_policies >= 100);
  check_pinned(got, "supabase-policies.txt");
}

namespace {

// A seeded history whose objects depend on each other in ways creation order alone does not settle: views read
// views created after them (CREATE OR REPLACE), functions take a table's or a view's row type, a table's default
// calls a function.
std::string dependent_history(unsigned seed, int tables) {
  std::mt19937 rng(seed);
  std::string sql = "CREATE FUNCTION next_code() RETURNS text LANGUAGE sql AS $$ SELECT 'c' || floor(random() * 100)::text $$;\n";
  for (int i = 0; i < tables; ++i) {
    std::string t = "tab" + std::to_string(i);
    sql += "CREATE TABLE " + t + " (id integer PRIMARY KEY, name text, code text DEFAULT next_code());\n";
    sql += "CREATE VIEW v" + std::to_string(i) + " AS SELECT id, name FROM " + t + ";\n";
    if (rng() % 2 == 0) {
      sql += "CREATE FUNCTION label_" + std::to_string(i) + "(r " + t + ") RETURNS text LANGUAGE sql AS $$ SELECT r.name $$;\n";
    }
    if (rng() % 3 == 0) {
      sql += "CREATE FUNCTION rows_" + std::to_string(i) + "() RETURNS SETOF v" + std::to_string(i) +
             " LANGUAGE sql AS $$ SELECT * FROM v" + std::to_string(i) + " $$;\n";
    }
  }
  // earlier views replaced to read later ones (same columns, as CREATE OR REPLACE VIEW requires)
  for (int i = 0; i + 1 < tables; ++i) {
    if (rng() % 2 == 0) {
      int j = i + 1 + static_cast<int>(rng() % static_cast<unsigned>(tables - i - 1));
      sql += "CREATE OR REPLACE VIEW v" + std::to_string(i) + " AS SELECT id, name FROM v" + std::to_string(j) + ";\n";
    }
  }
  sql += "CREATE VIEW all_names AS SELECT name FROM v0 UNION SELECT name FROM v" + std::to_string(tables - 1) + ";\n";
  return sql;
}

}  // namespace

TEST_CASE("schema --from migrations: its DDL applies to PostgreSQL, in dependency order", "[schema][pg]") {
  for (unsigned seed : {1u, 2u, 3u, 4u, 5u}) {
    std::string history = dependent_history(seed, 8);
    INFO("seed " << seed);
    model::SchemaModel m = replayed(history);
    std::string ddl = model::to_sql(m);
    std::string db = dgtest::pg::fresh_database("ddlorder");
    REQUIRE_NOTHROW(dgtest::pg::exec(db, ddl));
    // and it builds the same schema
    model::SchemaModel again = live(db);
    CHECK(items(diff::diff(m, again)) == "");
  }
}

TEST_CASE("schema --from migrations: the DDL of every replayable Prisma history of the corpus applies", "[schema][pg][corpus]") {
  // Each history that replays without a replay error is printed as DDL (model::to_sql, what `schema --from
  // migrations` prints) and applied to a fresh database in one request; the result per project is pinned in
  // fixtures/schema-apply.txt (UPDATE_GOLDEN=1 rewrites): "applies", or PostgreSQL's error.
  std::vector<fs::path> projects = corpus_projects("prisma");
  if (projects.empty()) {
    WARN("shared corpus not found; skipped");
    return;
  }
  std::string got;
  int applied = 0;
  for (const auto& p : projects) {
    fs::path dir = p / "migrations";
    if (!fs::is_directory(dir)) dir = p;
    model::Replayer r;
    std::vector<Finding> findings;
    for (const auto& f : discover({dir.string()}).files) {
      SourceFile file = load_file(f);
      if (file.info.direction == Direction::down) continue;
      r.apply_file(file, parse_sql(file.text), findings);
    }
    got += p.filename().string() + ": ";
    if (!findings.empty()) {
      got += "not replayable (" + std::to_string(findings.size()) + " replay errors)\n";
      continue;
    }
    std::string db = dgtest::pg::fresh_database("ddlcorpus");
    try {
      dgtest::pg::exec(db, model::to_sql(r.model()));
      got += "applies\n";
      ++applied;
    } catch (const std::exception& e) {
      std::string msg = e.what();
      got += msg.substr(0, msg.find('\n')) + "\n";
    }
  }
  CHECK(applied >= 15);
  check_pinned(got, "schema-apply.txt");
}
