// Conformance: every recorded INSi answer of ../shared/insi/recorded parses
// to the values stated here (insi-protocol.md §4.2, §7, §9).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "identity/traits.hpp"
#include "insi/soap_codec.hpp"
#include "process.hpp"
#include "shared_data.hpp"

using namespace insgate::insi;
namespace fs = std::filesystem;

namespace {

struct ExpectedResultat {
  std::string cr;
  std::string matricule;  // "" when no INDIVIDU
  std::string cle;
  std::string oid;
  std::vector<std::string> histo;  // "matricule/cle"
  std::string liste_prenoms;
  std::string lieu_naissance;
};

struct ExpectedFault {
  std::string code, subcode, erreur_code, severite;
  bool has_message_id;
  std::string reason_starts_with;
};

const std::map<std::string, ExpectedResultat>& resultats() {
  static const std::map<std::string, ExpectedResultat> m = {
      {"REP_CR01.xml", {"01", "", "", "", {}, "", ""}},
      {"TEST_2.04_cas2.xml",
       {"00", "1090763220834", "89", "1.2.250.1.213.1.4.8",
        {"2090763220834/39", "2090663220123/55"}, "PIERRE-ALAIN MURIEL FLORIANT", "63220"}},
      {"TEST_2.05.xml",
       {"00", "1090763220888", "35", "1.2.250.1.213.1.4.9", {}, "MATRICULE", "63220"}},
      {"TEST_2.08_cas1.xml",
       {"00", "180032B020401", "23", "1.2.250.1.213.1.4.8", {"180032B020401/23"}, "ANTHONY",
        "2B020"}},
      {"TEST_2.08_cas2.xml",
       {"00", "1810363220456", "60", "1.2.250.1.213.1.4.8",
        {"1810363220456/60", "2810363220456/10"}, "GATIEN", "63220"}},
      {"extracted-from-ts/LIVE_ADRTROIS_DOMINIQUE_CR00.xml",
       {"00", "297022A020778", "78", "1.2.250.1.213.1.4.8", {}, "DOMINIQUE", "2A020"}},
      {"extracted-from-ts/LIVE_ADRTROIS_TOUSSAINT_CR00.xml",
       {"00", "160012B020777", "13", "1.2.250.1.213.1.4.8", {}, "TOUSSAINT", "2B020"}},
      {"extracted-from-ts/LIVE_DE-VINCI_LEONARDO_CR02.xml", {"02", "", "", "", {}, "", ""}},
      {"extracted-from-ts/LIVE_ECETINSI_PIERRE-ALAIN_CR00_INSHISTO.xml",
       {"00", "1090763220834", "89", "1.2.250.1.213.1.4.8", {"2090763220834/39"},
        "PIERRE-ALAIN MURIEL FLORIANT", "63220"}},
      {"extracted-from-ts/LIVE_TCHITCHI_CATARINA_CR00.xml",
       {"00", "2360663220836", "56", "1.2.250.1.213.1.4.8", {}, "CATARINA BELLA", "63220"}},
  };
  return m;
}

const std::map<std::string, ExpectedFault>& faults() {
  static const std::map<std::string, ExpectedFault> m = {
      {"extracted-from-ts/FAULT_siram_100_desir_550_unknown_IDAM_2022.xml",
       {"Sender", "siram_100", "desir_550", "erreur", true, "L'accès par ce progiciel"}},
      {"extracted-from-ts/FAULT_siram_100_desir_550_unknown_IDAM_2026.xml",
       {"Sender", "siram_100", "desir_550", "erreur", true, "L'accès par ce progiciel"}},
      {"extracted-from-ts/FAULT_siram_40_desir_1020_service_unavailable.xml",
       {"Sender", "siram_40", "desir_1020", "fatale", true, "Le service est temporairement"}},
      {"extracted-from-ts/FAULT_siram_40_insi_102_technical.xml",
       {"Receiver", "siram_40", "insi_102", "fatal", false, "Le service est temporairement"}},
  };
  return m;
}

std::string recorded(const std::string& rel) {
  return insgate::testing::shared_dir() + "/insi/recorded/" + rel;
}

Response parse_file(const std::string& rel) {
  std::string body = insgate::testing::read_file(recorded(rel));
  EXPECT_FALSE(body.empty()) << "cannot read " << recorded(rel);
  return parse_response(body);
}

}  // namespace

TEST(RecordedResponses, shared_reference_data_is_present) { ASSERT_SHARED_DATA_PRESENT(); }

TEST(RecordedResponses, every_recorded_file_has_a_stated_expectation) {
  ASSERT_SHARED_DATA_PRESENT();
  int seen = 0;
  for (const auto& e : fs::recursive_directory_iterator(recorded(""))) {
    if (!e.is_regular_file() || e.path().extension() != ".xml") continue;
    std::string rel = fs::relative(e.path(), recorded("")).string();
    EXPECT_TRUE(resultats().count(rel) || faults().count(rel)) << rel << " has no expectation";
    ++seen;
  }
  EXPECT_EQ(seen, static_cast<int>(resultats().size() + faults().size()));
}

TEST(RecordedResponses, resultats_parse_to_the_stated_values) {
  ASSERT_SHARED_DATA_PRESENT();
  for (const auto& [file, want] : resultats()) {
    SCOPED_TRACE(file);
    Response r = parse_file(file);
    ASSERT_TRUE(std::holds_alternative<Resultat>(r));
    const auto& res = std::get<Resultat>(r);
    EXPECT_EQ(res.code_cr, want.cr);
    if (want.matricule.empty()) {
      EXPECT_FALSE(res.individu.has_value());
      EXPECT_FALSE(res.libelle_cr.empty());
      continue;
    }
    ASSERT_TRUE(res.individu.has_value());
    const auto& ind = *res.individu;
    EXPECT_EQ(res.libelle_cr, "OK");
    EXPECT_EQ(ind.ins_actif.matricule, want.matricule);
    EXPECT_EQ(ind.ins_actif.cle.value_or(""), want.cle);
    EXPECT_EQ(ind.ins_actif.oid, want.oid);
    ASSERT_EQ(ind.ins_histo.size(), want.histo.size());
    for (std::size_t i = 0; i < want.histo.size(); ++i)
      EXPECT_EQ(ind.ins_histo[i].matricule + "/" + ind.ins_histo[i].cle.value_or(""), want.histo[i]);
    EXPECT_EQ(ind.tiq.liste_prenoms.value_or(""), want.liste_prenoms);
    EXPECT_EQ(ind.tiq.lieu_naissance.value_or(""), want.lieu_naissance);
  }
}

// Issue 20: the check that turns traits outside the INS rules into an
// anomaly accepts every identity INSi really returned.
TEST(RecordedResponses, recorded_insi_traits_pass_the_ins_trait_checks) {
  ASSERT_SHARED_DATA_PRESENT();
  int checked = 0;
  for (const auto& [file, want] : resultats()) {
    SCOPED_TRACE(file);
    Response r = parse_file(file);
    ASSERT_TRUE(std::holds_alternative<Resultat>(r));
    const auto& res = std::get<Resultat>(r);
    if (!res.individu) continue;
    const auto& t = res.individu->tiq;
    const auto view = [](const std::optional<std::string>& v) {
      return v ? std::optional<std::string_view>(*v) : std::nullopt;
    };
    auto anomalies = insgate::identity::check_traits_insi(
        {view(t.nom_naissance), view(t.liste_prenoms), view(t.prenom), view(t.sexe),
         view(t.date_naissance), view(t.lieu_naissance)});
    for (const auto& a : anomalies) ADD_FAILURE() << a.trait << ": " << a.rule;
    ++checked;
  }
  EXPECT_GE(checked, 7);
}

TEST(RecordedResponses, inshisto_dates_are_read_whatever_their_position) {
  ASSERT_SHARED_DATA_PRESENT();
  for (const char* file : {"TEST_2.04_cas2.xml",
                           "extracted-from-ts/LIVE_ECETINSI_PIERRE-ALAIN_CR00_INSHISTO.xml"}) {
    SCOPED_TRACE(file);
    Response r = parse_file(file);
    ASSERT_TRUE(std::holds_alternative<Resultat>(r));
    const auto& h = std::get<Resultat>(r).individu->ins_histo.at(0);
    EXPECT_EQ(h.date_debut.value_or(""), "2019-03-01");
    EXPECT_EQ(h.date_fin.value_or(""), "2019-02-28");
  }
}

TEST(RecordedResponses, accented_text_stays_utf8) {
  ASSERT_SHARED_DATA_PRESENT();
  Response r = parse_file("extracted-from-ts/FAULT_siram_100_desir_550_unknown_IDAM_2026.xml");
  ASSERT_TRUE(std::holds_alternative<Fault>(r));
  EXPECT_EQ(std::get<Fault>(r).erreur_message, "Numéro d'autorisation du logiciel inconnu.");
}

TEST(RecordedResponses, faults_parse_by_namespace_whatever_the_prefix) {
  ASSERT_SHARED_DATA_PRESENT();
  for (const auto& [file, want] : faults()) {
    SCOPED_TRACE(file);
    Response r = parse_file(file);
    ASSERT_TRUE(std::holds_alternative<Fault>(r));
    const auto& f = std::get<Fault>(r);
    EXPECT_EQ(f.code, want.code);
    EXPECT_EQ(f.subcode, want.subcode);
    EXPECT_EQ(f.erreur_code, want.erreur_code);
    EXPECT_EQ(f.erreur_severite, want.severite);
    EXPECT_EQ(f.message_id.has_value(), want.has_message_id);
    EXPECT_EQ(f.reason.rfind(want.reason_starts_with, 0), 0u) << f.reason;
    EXPECT_FALSE(f.erreur_message.empty());
  }
}

TEST(RecordedResponses, soap11_envelope_is_unreadable_not_a_result) {
  ASSERT_SHARED_DATA_PRESENT();
  std::string body =
      insgate::testing::read_file(recorded("extracted-from-ts/LIVE_ADRTROIS_TOUSSAINT_CR00.xml"));
  const std::string soap12 = "http://www.w3.org/2003/05/soap-envelope";
  const std::string soap11 = "http://schemas.xmlsoap.org/soap/envelope/";
  for (auto p = body.find(soap12); p != std::string::npos; p = body.find(soap12))
    body.replace(p, soap12.size(), soap11);
  EXPECT_TRUE(std::holds_alternative<Unreadable>(parse_response(body)));
}

TEST(RecordedResponses, truncated_answers_are_unreadable) {
  ASSERT_SHARED_DATA_PRESENT();
  std::string body = insgate::testing::read_file(
      recorded("extracted-from-ts/LIVE_ECETINSI_PIERRE-ALAIN_CR00_INSHISTO.xml"));
  for (std::size_t cut : {body.size() / 4, body.size() / 2, body.size() - 20}) {
    SCOPED_TRACE(cut);
    EXPECT_TRUE(std::holds_alternative<Unreadable>(parse_response(body.substr(0, cut))));
  }
}

TEST(RecordedResponses, garbage_and_empty_bodies_are_unreadable) {
  for (std::string body : {std::string(), std::string("<html>502 Bad Gateway</html>"),
                           std::string("\x00\xff\xfe", 3), std::string(100000, '<')}) {
    EXPECT_TRUE(std::holds_alternative<Unreadable>(parse_response(body)));
  }
}

TEST(RecordedResponses, empty_code_cr_is_unreadable_not_a_result) {
  // Found by fuzzing (tests/fuzz/regressions/parse_response/).
  const std::string body =
      R"(<?xml version="1.0"?><S:Envelope xmlns:S="http://www.w3.org/2003/05/soap-envelope"><S:Body>)"
      R"(<RESULTAT xmlns="http://www.cnamts.fr/INSiResultat"><CR><CodeCR></CodeCR><LibelleCR>x</LibelleCR></CR></RESULTAT>)"
      R"(</S:Body></S:Envelope>)";
  EXPECT_TRUE(std::holds_alternative<Unreadable>(parse_response(body)));
}
