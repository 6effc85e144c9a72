// Spike for issue 17's "replace the slow tree": the CPU time of turning libpg_query's output into a tree the
// rules can read, three ways, over the same files — libpg_query's JSON text into nlohmann::json (what driftguard
// does today), the same text read by simdjson (on demand, every value visited; and its DOM), and libpg_query's
// protobuf output unpacked into protobuf-c's typed structs (pg_query.pb-c.h; the unpack code and descriptors are
// exported by libpg_query itself, so only the protobuf-c headers are needed), then every message visited.
// Not part of the build (needs Debian's libsimdjson-dev and libprotobuf-c-dev, which CI does not install):
//   g++ -O2 -std=c++20 -I. -I/usr/include/pg_query bench/tree_spike.cpp analyzer/pgtree.cpp -o /tmp/tree_spike
//       -lpg_query -lsimdjson
//   find ../shared/corpus -type f -name '*.sql' | LC_ALL=C sort | /tmp/tree_spike
// Times are CPU seconds of this thread (CLOCK_THREAD_CPUTIME_ID), summed over the files that parse whole.
#include <pg_query.h>
#include <pg_query.pb-c.h>
#include <simdjson.h>
#include <time.h>

#include <nlohmann/json.hpp>

#include "analyzer/pgtree.hpp"

#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

double now() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Every value of an on-demand document, as a rule walk would reach it (on demand does its work while visited).
std::size_t visit(simdjson::ondemand::value v) {
  std::size_t n = 1;
  switch (v.type()) {
    case simdjson::ondemand::json_type::object:
      for (auto field : v.get_object()) n += visit(field.value());
      break;
    case simdjson::ondemand::json_type::array:
      for (auto e : v.get_array()) n += visit(e.value());
      break;
    case simdjson::ondemand::json_type::string:
      n += std::string_view(v.get_string()).size() > 0 ? 0 : 0;
      break;
    default:
      break;
  }
  return n;
}

std::size_t visit(const simdjson::dom::element& e) {
  std::size_t n = 1;
  if (e.is_object()) {
    for (auto [k, v] : e.get_object()) n += visit(v);
  } else if (e.is_array()) {
    for (auto v : e.get_array()) n += visit(v);
  }
  return n;
}

std::size_t visit(const driftguard::pg::Node& j) {
  std::size_t n = 1;
  if (j.is_object() || j.is_array()) {
    for (const auto& v : j) n += visit(v);
  }
  return n;
}

std::size_t visit(const nlohmann::json& j) {
  std::size_t n = 1;
  if (j.is_object() || j.is_array()) {
    for (const auto& v : j) n += visit(v);
  }
  return n;
}

// Every message of an unpacked protobuf tree, through the descriptors (the typed structs a rule would read).
std::size_t visit(const ProtobufCMessage* m) {
  if (!m) return 0;
  std::size_t n = 1;
  const ProtobufCMessageDescriptor* d = m->descriptor;
  for (unsigned i = 0; i < d->n_fields; ++i) {
    const ProtobufCFieldDescriptor& f = d->fields[i];
    if (f.type != PROTOBUF_C_TYPE_MESSAGE) continue;
    const char* base = reinterpret_cast<const char*>(m);
    if (f.label == PROTOBUF_C_LABEL_REPEATED) {
      std::size_t count = *reinterpret_cast<const std::size_t*>(base + f.quantifier_offset);
      auto items = *reinterpret_cast<ProtobufCMessage* const* const*>(base + f.offset);
      for (std::size_t k = 0; k < count; ++k) n += visit(items[k]);
    } else if (f.flags & PROTOBUF_C_FIELD_FLAG_ONEOF) {
      unsigned which = *reinterpret_cast<const unsigned*>(base + f.quantifier_offset);
      if (which == f.id) n += visit(*reinterpret_cast<ProtobufCMessage* const*>(base + f.offset));
    } else {
      n += visit(*reinterpret_cast<ProtobufCMessage* const*>(base + f.offset));
    }
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> files(argv + 1, argv + argc);
  if (files.empty()) {
    for (std::string line; std::getline(std::cin, line);) files.push_back(line);
  }
  double t_arena = 0, t_json = 0, t_nlohmann = 0, t_nlohmann_walk = 0, t_ondemand = 0, t_dom = 0, t_pb = 0, t_unpack = 0, t_pb_walk = 0;
  std::size_t nodes_arena = 0, dump_mismatch = 0, parsed = 0, bytes = 0, json_bytes = 0, pb_bytes = 0, nodes_n = 0, nodes_od = 0, nodes_dom = 0, nodes_pb = 0;
  simdjson::ondemand::parser od;
  simdjson::dom::parser dom;
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    if (text.size() >= 16384) continue;  // driftguard parses those on a large-stack thread; left out here
    double t0 = now();
    PgQueryParseResult r = pg_query_parse(text.c_str());
    double t1 = now();
    if (r.error) {
      pg_query_free_parse_result(r);
      continue;
    }
    ++parsed;
    bytes += text.size();
    std::string js = r.parse_tree;
    json_bytes += js.size();
    pg_query_free_parse_result(r);
    t_json += t1 - t0;

    t0 = now();
    nlohmann::json tree = nlohmann::json::parse(js);
    t1 = now();
    nodes_n += visit(tree);
    double t2 = now();
    std::string reference = tree.dump();
    tree = nullptr;  // its destruction is part of what lint pays per statement tree
    double t3 = now();
    t_nlohmann += (t1 - t0) + (t3 - t2);
    t_nlohmann_walk += t2 - t1;

    t0 = now();
    {
      auto arena = driftguard::pg::Tree::parse(js);  // copies the text, as padded_string does below (untimed)
      nodes_arena += visit(arena.root());
      t1 = now();
      if (arena.root().dump() != reference) ++dump_mismatch;
      t2 = now();
    }
    t3 = now();
    t_arena += (t1 - t0) + (t3 - t2);

    simdjson::padded_string padded(js);
    t0 = now();
    auto doc = od.iterate(padded);
    nodes_od += visit(doc.get_value().value());
    t1 = now();
    t_ondemand += t1 - t0;

    t0 = now();
    simdjson::dom::element root = dom.parse(padded);
    nodes_dom += visit(root);
    t1 = now();
    t_dom += t1 - t0;

    t0 = now();
    PgQueryProtobufParseResult pr = pg_query_parse_protobuf(text.c_str());
    t1 = now();
    t_pb += t1 - t0;
    pb_bytes += pr.parse_tree.len;
    t0 = now();
    PgQuery__ParseResult* msg =
        pg_query__parse_result__unpack(nullptr, pr.parse_tree.len, reinterpret_cast<const uint8_t*>(pr.parse_tree.data));
    t1 = now();
    nodes_pb += visit(&msg->base);
    t2 = now();
    pg_query__parse_result__free_unpacked(msg, nullptr);
    t3 = now();
    t_unpack += (t1 - t0) + (t3 - t2);
    t_pb_walk += t2 - t1;
    pg_query_free_protobuf_parse_result(pr);
  }
  std::printf("%zu files parsed whole, %zu bytes of SQL; JSON text %zu bytes, protobuf %zu bytes\n", parsed, bytes,
              json_bytes, pb_bytes);
  std::printf("pg_query_parse (SQL -> JSON text)          %7.3f s\n", t_json);
  std::printf("pg_query_parse_protobuf (SQL -> protobuf)  %7.3f s\n", t_pb);
  std::printf("nlohmann::json::parse + destruction        %7.3f s  (walk of every value %.3f s; %zu values)\n",
              t_nlohmann, t_nlohmann_walk, nodes_n);
  std::printf("simdjson on demand, every value visited    %7.3f s  (%zu values)\n", t_ondemand, nodes_od);
  std::printf("simdjson DOM parse + walk                  %7.3f s  (%zu values)\n", t_dom, nodes_dom);
  std::printf("driftguard pg::Tree parse + walk + free     %7.3f s  (%zu values; dump differs from nlohmann's on %zu files)\n",
              t_arena, nodes_arena, dump_mismatch);
  std::printf("protobuf-c unpack + free                   %7.3f s  (walk of every message %.3f s; %zu messages)\n",
              t_unpack, t_pb_walk, nodes_pb);
  return 0;
}
