// Unit tests of api/structures.hpp: which structure a request's finess and
// caller resolve to, and the caller rules (uid, groups, TLS subject).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/structures.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace insgate::api {
namespace {

StructurePtr structure(const std::string& finess, config::AllowedCallers callers = {}) {
  auto s = std::make_shared<StructureRuntime>();
  s->cfg.finess = finess;
  s->cfg.callers = std::move(callers);
  return s;
}

Caller unix_caller(unsigned uid, unsigned gid, std::vector<unsigned> groups = {}) {
  Caller c;
  c.kind = Caller::Kind::unix_socket;
  c.uid = uid;
  c.gid = gid;
  c.groups = std::move(groups);
  return c;
}

Caller tls_caller(std::string cn, std::vector<std::string> ous, std::string serial) {
  Caller c;
  c.kind = Caller::Kind::tls;
  c.cn = std::move(cn);
  c.ous = std::move(ous);
  c.serial = std::move(serial);
  return c;
}

std::string code_of(const std::variant<StructurePtr, ApiResponse>& r, unsigned* status = nullptr) {
  const auto* p = std::get_if<ApiResponse>(&r);
  if (!p) return "";
  if (status) *status = p->status;
  return nlohmann::json::parse(p->body).value("code", "");
}

TEST(StructureRegistryTest, one_structure_may_be_omitted_several_need_finess) {
  StructureRegistry one;
  one.add(structure("010000001"));
  auto r = one.resolve(std::nullopt, Caller{});
  ASSERT_TRUE(std::holds_alternative<StructurePtr>(r));
  EXPECT_EQ(std::get<StructurePtr>(r)->cfg.finess, "010000001");

  StructureRegistry two;
  two.add(structure("010000001"));
  two.add(structure("010000002"));
  unsigned status = 0;
  auto missing = two.resolve(std::nullopt, Caller{});
  EXPECT_EQ(code_of(missing, &status), "requete_invalide");
  EXPECT_EQ(status, 400u);
  auto doc = nlohmann::json::parse(std::get<ApiResponse>(missing).body);
  EXPECT_EQ(doc["errors"][0]["champ"], "finess");
  EXPECT_EQ(doc["errors"][0]["regle"], "obligatoire");
  EXPECT_EQ(code_of(two.resolve(std::string("999999999"), Caller{}), &status), "requete_invalide");
  EXPECT_EQ(status, 400u);
  EXPECT_EQ(std::get<StructurePtr>(two.resolve(std::string("010000002"), Caller{}))->cfg.finess,
            "010000002");
  EXPECT_THROW(two.add(structure("010000002")), std::invalid_argument);
}

TEST(StructureRegistryTest, a_caller_not_allowed_for_the_structure_gets_403) {
  StructureRegistry reg;
  config::AllowedCallers a;
  a.uids = {1000};
  a.gids = {50};
  a.tls_subjects = {"CN=soins-a", "OU=client-a", "serial=A1B"};
  reg.add(structure("010000001", a));
  config::AllowedCallers b;
  b.uids = {2000};
  reg.add(structure("010000002", b));
  reg.add(structure("010000003"));  // open

  unsigned status = 0;
  EXPECT_EQ(code_of(reg.resolve(std::string("010000002"), unix_caller(1000, 1000)), &status),
            "appelant_non_autorise");
  EXPECT_EQ(status, 403u);
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), unix_caller(1000, 1000))), "");
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), unix_caller(3000, 50))), "")
      << "primary group";
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), unix_caller(3000, 3000, {7, 50}))), "")
      << "supplementary group";
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), unix_caller(3000, 3000, {7}))),
            "appelant_non_autorise");
  // TLS: CN, any OU, or serial.
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), tls_caller("soins-a", {}, "FF"))), "");
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), tls_caller("x", {"y", "client-a"}, ""))), "");
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), tls_caller("x", {}, "A1B"))), "");
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), tls_caller("soins-b", {"client-b"}, "A1C"))),
            "appelant_non_autorise");
  // A uid rule does not admit a TLS caller, nor plain TCP (no identity).
  EXPECT_EQ(code_of(reg.resolve(std::string("010000002"), tls_caller("2000", {}, ""))),
            "appelant_non_autorise");
  Caller tcp;
  tcp.kind = Caller::Kind::tcp;
  EXPECT_EQ(code_of(reg.resolve(std::string("010000001"), tcp)), "appelant_non_autorise");
  EXPECT_EQ(code_of(reg.resolve(std::string("010000003"), tcp)), "") << "open structure";
  // Who sees what (monthly report).
  auto seen = reg.visible_to(unix_caller(2000, 2000));
  ASSERT_EQ(seen.size(), 2u);
  EXPECT_EQ(seen[0]->cfg.finess, "010000002");
  EXPECT_EQ(seen[1]->cfg.finess, "010000003");
}

}  // namespace
}  // namespace insgate::api
