// CREATE/ALTER POLICY: PostgreSQL's policy.c.
#include "analyzer/model/replay/replayer_impl.hpp"

namespace driftguard::model {

std::vector<std::string> Replayer::Impl::roles(const json& list) {
  std::vector<std::string> out;
  for (const auto& r0 : list) {
    const json& rs = field(r0, "RoleSpec");
    std::string type = str(rs, "roletype");
    if (type == "ROLESPEC_CSTRING") out.push_back(str(rs, "rolename"));
    if (type == "ROLESPEC_PUBLIC") out.push_back("public");
    if (type == "ROLESPEC_CURRENT_USER") out.push_back("current_user");
    if (type == "ROLESPEC_SESSION_USER") out.push_back("session_user");
    if (type == "ROLESPEC_CURRENT_ROLE") out.push_back("current_role");
  }
  // PUBLIC covers every role: PostgreSQL stores it alone (and warns that the others are ignored).
  if (std::find(out.begin(), out.end(), "public") != out.end()) return {"public"};
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

void Replayer::Impl::create_policy(const json& b) {
  Table* t = find_table(field(b, "table"), false);
  Policy p;
  p.name = nm(str(b, "policy_name"));
  p.src = stmt_ref();
  std::string cmd = str(b, "cmd_name");
  std::transform(cmd.begin(), cmd.end(), cmd.begin(), [](unsigned char c) { return std::toupper(c); });
  p.command = cmd.empty() ? "ALL" : cmd;
  p.permissive = flag(b, "permissive");
  p.roles = roles(field(b, "roles"));
  if (p.roles.empty()) p.roles = {"public"};
  if (const json& e = field(b, "qual"); !e.is_null()) p.using_expr = norm::expr(e, ectx(t));
  if (const json& e = field(b, "with_check"); !e.is_null()) p.check_expr = norm::expr(e, ectx(t));
  if (t->policy(p.name)) fail("policy " + dq(p.name) + " for table " + named(t->schema, t->name) + " already exists");
  t->policies.push_back(p);
}

void Replayer::Impl::alter_policy(const json& b) {
  Table* t = find_table(field(b, "table"), false);
  std::string name = nm(str(b, "policy_name"));
  Policy* p = t->policy(name);
  if (!p) fail("policy " + dq(name) + " for table " + named(t->schema, t->name) + " does not exist");
  if (field(b, "roles").is_array()) p->roles = roles(field(b, "roles"));
  if (const json& e = field(b, "qual"); !e.is_null()) p->using_expr = norm::expr(e, ectx(t));
  if (const json& e = field(b, "with_check"); !e.is_null()) p->check_expr = norm::expr(e, ectx(t));
}

}  // namespace driftguard::model
