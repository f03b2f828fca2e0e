// Unit tests of insgatectl's sub-commands (daemon/ctl): every route a person
// uses has one; the body each sends is one the daemon's own decoder accepts;
// the bash completion lists every command and option; the readable output
// shows what matters of an answer or an error.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "api/recherche_input.hpp"
#include "api/route_qualification.hpp"
#include "api/route_recherche_vitale.hpp"
#include "api/route_table.hpp"
#include "api/route_verification.hpp"
#include "ctl/commands.hpp"
#include "ctl/render.hpp"

namespace insgate::ctl {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using nlohmann::json;

po::variables_map parse(const Command& c, std::vector<std::string> args) {
  po::options_description o;
  c.options(o);
  std::vector<const char*> argv{"insgatectl"};
  for (const auto& a : args) argv.push_back(a.c_str());
  po::variables_map vm;
  po::store(po::command_line_parser(static_cast<int>(argv.size()), argv.data()).options(o).run(), vm);
  po::notify(vm);
  for (auto r : c.required) EXPECT_TRUE(vm.count(std::string(r))) << "required --" << r;
  return vm;
}

ApiCall call(std::string_view name, std::string_view sub, std::vector<std::string> args) {
  const Command* c = find_command(name, sub);
  if (!c) throw std::runtime_error("no command " + std::string(name));
  return c->request(parse(*c, std::move(args)), "u-cli");
}

const identity::OidPolicy kQualif =
    identity::OidPolicy::for_environment(identity::Environment::qualification);

TEST(CtlCommands, every_route_a_person_uses_has_a_command) {
  std::set<std::string> reached;
  const std::map<std::string, std::vector<std::string>> args{
      {"recherche", {"--nom", "X", "--prenoms", "Y", "--sexe", "M", "--date-naissance", "2000-01-01"}},
      {"recherche-vitale", {"--nir-ouvrant-droit", "1750763220112", "--date-naissance", "2009-07-14",
                            "--rang-naissance", "1"}},
      {"verification", {"--matricule", "1", "--cle", "2", "--oid", "3", "--nom", "X", "--prenoms",
                        "Y", "--sexe", "M", "--date-naissance", "2000-01-01"}},
      {"qualification", {"--matricule", "1", "--cle", "2", "--oid", "3", "--piece", "CNI",
                         "--verifiee-le", "2026-01-01", "--identifiant-local", "IPP-1"}},
      {"stats", {"--mois", "2026-11"}},
      {"outbox list", {}},
      {"outbox retry", {"--id", "4"}},
      {"outbox purge", {"--jours", "30"}},
      {"health", {}}};
  for (const auto& c : commands()) {
    std::string t = std::string(c.name) + (c.sub.empty() ? "" : " " + std::string(c.sub));
    ASSERT_TRUE(args.count(t)) << t;
    auto a = c.request(parse(c, args.at(t)), "u-cli");
    auto path = a.target.substr(0, a.target.find('?'));
    auto m = api::match(api::routes(), a.method, path);
    EXPECT_NE(m.route, nullptr) << t << " sends " << a.target << ", not a route of the table";
    reached.insert(path);
  }
  // Every route of the table is reached by a command.
  for (const auto& r : api::routes()) EXPECT_TRUE(reached.count(std::string(r.path))) << r.path;
}

TEST(CtlCommands, outbox_alone_is_outbox_list_and_unknown_commands_are_none) {
  EXPECT_EQ(find_command("outbox", ""), find_command("outbox", "list"));
  EXPECT_EQ(find_command("outbox", "vider"), nullptr);
  EXPECT_EQ(find_command("search", ""), nullptr);
  EXPECT_EQ(find_command("health", "x"), nullptr);
}

TEST(CtlCommands, recherche_sends_a_body_the_daemon_decodes) {
  auto a = call("recherche", "", {"--nom", "TCHITCHI", "--prenoms", "OLA CATARINA", "--sexe", "F",
                                  "--date-naissance", "1936-06-21", "--lieu-naissance", "63220",
                                  "--sans-cache"});
  EXPECT_EQ(a.method, http::verb::post);
  EXPECT_EQ(a.target, "/v1/ins/recherche");
  auto decoded = api::decode_recherche(a.body);
  ASSERT_TRUE(std::holds_alternative<api::RechercheInput>(decoded)) << a.body;
  const auto& in = std::get<api::RechercheInput>(decoded);
  EXPECT_EQ(in.operateur, "u-cli");
  EXPECT_EQ(in.traits.prenoms, (std::vector<std::string>{"OLA", "CATARINA"}));
  EXPECT_EQ(in.traits.lieu_naissance, "63220");
  EXPECT_TRUE(in.cache_bypass);
}

TEST(CtlCommands, recherche_vitale_sends_a_card_the_daemon_decodes) {
  std::string assertion = ::testing::TempDir() + "/assertion.xml";
  std::ofstream(assertion) << R"(<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_v1">carte</saml2:Assertion>)";
  auto a = call("recherche-vitale", "",
                {"--nir-ouvrant-droit", "1750763220112", "--date-naissance", "2009-07-14",
                 "--rang-naissance", "1", "--grand-regime", "01", "--organisme", "631",
                 "--code-centre", "0001", "--nom", "ECETINSI", "--assertion-vitale", assertion});
  EXPECT_EQ(a.target, "/v1/ins/recherche-vitale");
  auto decoded = api::decode_recherche_vitale(a.body);
  ASSERT_TRUE(std::holds_alternative<api::VitaleInput>(decoded)) << a.body;
  const auto& in = std::get<api::VitaleInput>(decoded);
  EXPECT_EQ(in.carte.nir_ouvrant_droit.matricule, "1750763220112");
  EXPECT_EQ(in.carte.rang_naissance, "1");
  EXPECT_EQ(in.carte.couverture.organisme, "631");
  ASSERT_TRUE(in.assertion_xml);
  EXPECT_THAT(*in.assertion_xml, HasSubstr("carte</saml2:Assertion>"));
}

TEST(CtlCommands, recherche_vitale_refuses_a_beneficiary_key_without_its_nir) {
  EXPECT_THROW(call("recherche-vitale", "",
                    {"--nir-ouvrant-droit", "1750763220112", "--date-naissance", "2009-07-14",
                     "--rang-naissance", "1", "--cle-individu", "12"}),
               UsageError);
  EXPECT_THROW(call("recherche-vitale", "",
                    {"--nir-ouvrant-droit", "1750763220112", "--date-naissance", "2009-07-14",
                     "--rang-naissance", "1", "--assertion-vitale", "/nonexistent/a.xml"}),
               UsageError);
}

// Issue 12: --finess names the structure the request acts for; without it
// the body has no finess (a one-structure daemon).
TEST(CtlCommands, finess_option_names_the_structure_in_every_identity_request) {
  auto r = call("recherche", "", {"--nom", "X", "--prenoms", "Y", "--sexe", "F",
                                  "--date-naissance", "1936-06-21", "--finess", "010000002"});
  auto decoded = api::decode_recherche(r.body);
  ASSERT_TRUE(std::holds_alternative<api::RechercheInput>(decoded)) << r.body;
  EXPECT_EQ(std::get<api::RechercheInput>(decoded).finess, "010000002");
  r = call("recherche", "", {"--nom", "X", "--prenoms", "Y", "--sexe", "F",
                             "--date-naissance", "1936-06-21"});
  EXPECT_FALSE(nlohmann::json::parse(r.body).contains("finess"));
  for (const auto& [cmd, args] :
       std::vector<std::pair<std::string, std::vector<std::string>>>{
           {"verification", {"--matricule", "1090763220834", "--cle", "89", "--oid", "1.2.250.1.213.1.4.8",
                             "--nom", "X", "--prenoms", "Y", "--sexe", "M", "--date-naissance",
                             "2009-07-14", "--finess", "010000002"}},
           {"qualification", {"--matricule", "1090763220834", "--cle", "89", "--oid", "1.2.250.1.213.1.4.8",
                              "--piece", "CNI", "--verifiee-le", "2026-01-15", "--identifiant-local",
                              "I", "--finess", "010000002"}},
           {"recherche-vitale", {"--nir-ouvrant-droit", "1090763220834", "--date-naissance",
                                 "2009-07-14", "--rang-naissance", "1", "--finess", "010000002"}}}) {
    auto a = call(cmd, "", args);
    EXPECT_EQ(nlohmann::json::parse(a.body).value("finess", ""), "010000002") << cmd;
  }
}

TEST(CtlCommands, verification_sends_an_ins_and_traits_the_daemon_decodes) {
  auto a = call("verification", "",
                {"--matricule", "1090763220834", "--cle", "89", "--oid", "1.2.250.1.213.1.4.8",
                 "--nom", "ECETINSI", "--prenoms", "PIERRE-ALAIN", "--sexe", "M",
                 "--date-naissance", "2009-07-14"});
  EXPECT_EQ(a.target, "/v1/ins/verification");
  auto decoded = api::decode_verification(a.body, kQualif);
  ASSERT_TRUE(std::holds_alternative<api::VerificationInput>(decoded)) << a.body;
  EXPECT_EQ(std::get<api::VerificationInput>(decoded).traits.nom_naissance, "ECETINSI");
}

TEST(CtlCommands, qualification_sends_a_body_the_daemon_decodes) {
  auto a = call("qualification", "",
                {"--matricule", "1090763220834", "--cle", "89", "--oid", "1.2.250.1.213.1.4.8",
                 "--piece", "PASSEPORT", "--verifiee-le", "2026-01-15", "--identifiant-local",
                 "IPP-000123"});
  EXPECT_EQ(a.target, "/v1/ins/qualification");
  auto decoded = api::decode_qualification(a.body, kQualif, "2026-02-01");
  ASSERT_TRUE(std::holds_alternative<api::QualificationInput>(decoded)) << a.body;
  const auto& in = std::get<api::QualificationInput>(decoded);
  EXPECT_EQ(in.identifiant_local, "IPP-000123");
  EXPECT_EQ(in.piece.verifiee_le, "2026-01-15");
}

TEST(CtlCommands, stats_xlsx_asks_for_the_workbook_and_names_the_file) {
  const auto c = call("stats", "", {"--mois", "2026-11", "--xlsx", "rapport.xlsx"});
  EXPECT_EQ(c.target, "/v1/stats/mensuel?mois=2026-11&format=xlsx");
  EXPECT_EQ(c.output_file, "rapport.xlsx");
  EXPECT_TRUE(call("stats", "", {"--mois", "2026-11", "--csv"}).output_file.empty());
  EXPECT_THROW(call("stats", "", {"--mois", "2026-11", "--csv", "--xlsx", "r.xlsx"}), UsageError);
}

TEST(CtlCommands, query_strings_are_escaped) {
  EXPECT_EQ(call("stats", "", {"--mois", "2026-11", "--csv"}).target,
            "/v1/stats/mensuel?mois=2026-11&format=csv");
  // Several structures: one of them (issue 12).
  EXPECT_EQ(call("stats", "", {"--mois", "2026-11", "--finess", "010000002", "--csv"}).target,
            "/v1/stats/mensuel?mois=2026-11&finess=010000002&format=csv");
  EXPECT_EQ(call("stats", "", {"--mois", "2026&format=x"}).target,
            "/v1/stats/mensuel?mois=2026%26format%3Dx");
  EXPECT_EQ(call("outbox", "list", {"--etat", "dead", "--limite", "5"}).target,
            "/v1/outbox?etat=dead&limite=5");
  EXPECT_EQ(call("outbox", "list", {}).target, "/v1/outbox?etat=pending");
  EXPECT_EQ(json::parse(call("outbox", "retry", {"--id", "42"}).body), json({{"id", 42}}));
  EXPECT_EQ(json::parse(call("outbox", "purge", {"--jours", "30"}).body), json({{"jours", 30}}));
}

TEST(CtlCommands, the_bash_completion_lists_every_command_and_option) {
  std::ifstream in(INSGATE_SOURCE_DIR "/daemon/ctl/insgatectl.bash");
  ASSERT_TRUE(in) << "daemon/ctl/insgatectl.bash";
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  auto word = [&text](const std::string& w) {
    for (auto p = text.find(w); p != std::string::npos; p = text.find(w, p + 1)) {
      const char after = p + w.size() < text.size() ? text[p + w.size()] : ' ';
      const char before = p > 0 ? text[p - 1] : ' ';
      if (!std::isalnum(static_cast<unsigned char>(after)) && after != '-' && after != '_' &&
          !std::isalnum(static_cast<unsigned char>(before)) && before != '-')
        return true;
    }
    return false;
  };
  for (const auto& c : commands()) {
    EXPECT_TRUE(word(std::string(c.name))) << c.name;
    if (!c.sub.empty()) {
      EXPECT_TRUE(word(std::string(c.sub))) << c.sub;
    }
    po::options_description o;
    c.options(o);
    for (const auto& opt : o.options()) EXPECT_TRUE(word("--" + opt->long_name())) << c.name << " --" << opt->long_name();
  }
  for (const char* general : {"--socket", "--json", "--operateur", "--help", "--version"})
    EXPECT_TRUE(word(general)) << general;
}

TEST(CtlRender, a_resultat_shows_cr_ins_traits_status_and_calls) {
  json a = {{"cr", "00"}, {"libelle_cr", "OK"},
            {"ins", {{"matricule", "1090763220834"}, {"cle", "89"}, {"oid", "1.2.250.1.213.1.4.8"},
                     {"type", "NIR"}, {"test", false}}},
            {"historique", json::array()},
            {"traits_ins", {{"nom_naissance", "ECETINSI"}, {"liste_prenoms", "PIERRE-ALAIN MURIEL"},
                            {"sexe", "M"}, {"date_naissance", "2009-07-14"}, {"lieu_naissance", "63220"}}},
            {"anomalies", json::array()}, {"statut", "recuperee"}, {"source", "insi"},
            {"appels_insi", 2}, {"requete_id", "r-1"}};
  auto out = render_answer(AnswerKind::resultat, a);
  EXPECT_THAT(out, HasSubstr("CR 00 : OK\n"));
  EXPECT_THAT(out, HasSubstr("INS : 1090763220834 89, OID 1.2.250.1.213.1.4.8 (NIR)\n"));
  EXPECT_THAT(out, HasSubstr("Traits INS : ECETINSI / PIERRE-ALAIN MURIEL / M / 2009-07-14 / 63220\n"));
  EXPECT_THAT(out, HasSubstr("Statut : recuperee\n"));
  EXPECT_THAT(out, HasSubstr("Anomalies : aucune\n"));
  EXPECT_THAT(out, HasSubstr("Appels INSi : 2\n"));
  EXPECT_THAT(out, Not(HasSubstr("{")));
}

TEST(CtlRender, a_problem_shows_status_code_detail_and_each_field) {
  json p = {{"type", "about:blank"}, {"title", "Traits invalides"}, {"status", 422},
            {"code", "traits_invalides"}, {"detail", "Des traits ne respectent pas les règles."},
            {"errors", {{{"champ", "traits.sexe"}, {"message", "traits.sexe : M ou F"}, {"regle", "sexe"}}}}};
  auto out = render_problem(422, p);
  EXPECT_THAT(out, HasSubstr("Erreur 422 traits_invalides : Traits invalides\n"));
  EXPECT_THAT(out, HasSubstr("  - traits.sexe : M ou F (sexe)\n"));
  // A message that does not name its field gets the field in front.
  p["errors"][0]["message"] = "Indiquez M ou F.";
  EXPECT_THAT(render_problem(422, p), HasSubstr("  - traits.sexe : Indiquez M ou F. (sexe)\n"));
}

TEST(CtlRender, health_and_unknown_members_stay_readable) {
  json h = {{"statut", "degrade"},
            {"insi", {{"etat", "indisponible"}, {"circuit", "ferme"}, {"echecs_consecutifs", 1},
                      {"environnement", "test"}, {"endpoint", "https://localhost/lps"}}},
            {"certificat", {{"expire_le", "2027-01-01T00:00:00Z"}, {"jours_restants", 89}}},
            {"version", "0.1.0"},
            {"nouveau", {{"a", 1}}}};
  auto out = render_answer(AnswerKind::health, h);
  EXPECT_THAT(out, HasSubstr("Statut : degrade\n"));
  EXPECT_THAT(out, HasSubstr("INSi : indisponible (circuit ferme, 1 échec(s) consécutif(s))\n"));
  EXPECT_THAT(out, HasSubstr("Certificat : expire le 2027-01-01T00:00:00Z (dans 89 jours)\n"));
  EXPECT_THAT(out, HasSubstr("nouveau :\n  a : 1\n"));
  EXPECT_EQ(render_generic({{"lignes", {{{"finess", "010000001"}, {"appels", 3}}}}}),
            "lignes :\n  - appels : 3\n    finess : 010000001\n");
}

}  // namespace
}  // namespace insgate::ctl
