// Unit tests of api/recherche_answer.hpp: HTTP status, headers and JSON of
// the answer to POST /v1/ins/recherche, from hand-built INSi outcomes.
// Source rules: local-api.md (response, Errors), insi-protocol.md §4.2, §7, §9.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/recherche_answer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

namespace insgate::api {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using Kind = insi::RechercheOutcome::Kind;

constexpr const char* kOidNir = "1.2.250.1.213.1.4.8";
constexpr const char* kOidNia = "1.2.250.1.213.1.4.9";
constexpr const char* kRequeteId = "3f1c0000-0000-4000-8000-000000000001";

insi::TraitsRecherche envoyes() {
  return {"ECETINSI", {"PIERRE-ALAIN"}, "M", "2009-07-14", std::nullopt};
}

insi::InsIdentifier ins(std::string matricule, std::optional<std::string> cle,
                        std::string oid = kOidNir) {
  insi::InsIdentifier i;
  i.matricule = std::move(matricule);
  i.cle = std::move(cle);
  i.oid = std::move(oid);
  return i;
}

/// CR 00 for ECETINSI PIERRE-ALAIN (insi-protocol.md §9), one INSHISTO.
insi::RechercheOutcome ecetinsi(int appels = 1) {
  insi::Individu ind;
  ind.ins_actif = ins("1090763220834", "89");
  auto h = ins("2090763220834", "39");
  h.date_debut = "2019-03-01";
  h.date_fin = "2019-02-28";
  ind.ins_histo.push_back(h);
  ind.tiq.nom_naissance = "ECETINSI";
  ind.tiq.liste_prenoms = "PIERRE-ALAIN MURIEL FLORIANT";
  ind.tiq.sexe = "M";
  ind.tiq.date_naissance = "2009-07-14";
  ind.tiq.lieu_naissance = "63220";
  insi::RechercheOutcome o;
  o.kind = Kind::resultat;
  o.resultat = {"00", "OK", ind};
  o.appels = appels;
  return o;
}

insi::RechercheOutcome cr(const std::string& code, const std::string& libelle, int appels) {
  insi::RechercheOutcome o;
  o.kind = Kind::resultat;
  o.resultat = {code, libelle, std::nullopt};
  o.appels = appels;
  return o;
}

insi::RechercheOutcome fault(const std::string& code, const std::string& subcode,
                             const std::string& erreur_code, const std::string& severite,
                             int appels = 1) {
  insi::RechercheOutcome o;
  o.kind = Kind::fault;
  o.fault.code = code;
  o.fault.subcode = subcode;
  o.fault.reason = "Message utilisateur";
  o.fault.erreur_code = erreur_code;
  o.fault.erreur_severite = severite;
  o.fault.erreur_message = "message technique";
  o.appels = appels;
  return o;
}

insi::RechercheOutcome failure(Kind kind, const std::string& error, int appels) {
  insi::RechercheOutcome o;
  o.kind = kind;
  o.error = error;
  o.appels = appels;
  return o;
}

ApiResponse answer(const insi::RechercheOutcome& o) {
  return recherche_answer(o, envoyes(), kRequeteId);
}

json body_of(const ApiResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << r.body;
  return j;
}

std::optional<std::string> header(const ApiResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return std::nullopt;
}

bool has_anomaly(const json& j, const std::string& code, const std::string& champ) {
  for (const auto& a : j.at("anomalies"))
    if (a.value("code", "") == code && a.value("champ", "") == champ) return true;
  return false;
}

// ---- CR 00 ----

TEST(RechercheAnswerTest, cr00_is_200_json) {
  auto r = answer(ecetinsi());
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_FALSE(header(r, "Retry-After"));
}

TEST(RechercheAnswerTest, cr00_carries_cr_and_libelle) {
  auto j = body_of(answer(ecetinsi()));
  EXPECT_EQ(j["cr"], "00");
  EXPECT_EQ(j["libelle_cr"], "OK");
}

TEST(RechercheAnswerTest, cr00_ins_has_matricule_cle_oid_type_and_test) {
  auto j = body_of(answer(ecetinsi()));
  EXPECT_EQ(j["ins"], (json{{"matricule", "1090763220834"},
                            {"cle", "89"},
                            {"oid", kOidNir},
                            {"type", "NIR"},
                            {"test", false}}));
}

TEST(RechercheAnswerTest, cr00_historique_lists_former_ins_with_dates) {
  auto j = body_of(answer(ecetinsi()));
  ASSERT_EQ(j["historique"].size(), 1u);
  EXPECT_EQ(j["historique"][0], (json{{"matricule", "2090763220834"},
                                      {"cle", "39"},
                                      {"oid", kOidNir},
                                      {"date_debut", "2019-03-01"},
                                      {"date_fin", "2019-02-28"}}));
}

TEST(RechercheAnswerTest, historique_dates_absent_are_null) {
  auto o = ecetinsi();
  o.resultat.individu->ins_histo[0].date_debut.reset();
  o.resultat.individu->ins_histo[0].date_fin.reset();
  auto h = body_of(answer(o))["historique"][0];
  EXPECT_TRUE(h["date_debut"].is_null());
  EXPECT_TRUE(h["date_fin"].is_null());
}

TEST(RechercheAnswerTest, historique_keeps_insi_order_and_repeats) {
  auto o = ecetinsi();
  o.resultat.individu->ins_histo.push_back(ins("1090763220834", "89"));  // may repeat INSACTIF
  o.resultat.individu->ins_histo.push_back(ins("2090663220123", "55"));
  auto h = body_of(answer(o))["historique"];
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0]["matricule"], "2090763220834");
  EXPECT_EQ(h[1]["matricule"], "1090763220834");
  EXPECT_EQ(h[2]["matricule"], "2090663220123");
}

TEST(RechercheAnswerTest, cr00_traits_ins_are_tiq_verbatim) {
  auto t = body_of(answer(ecetinsi()))["traits_ins"];
  EXPECT_EQ(t["nom_naissance"], "ECETINSI");
  EXPECT_EQ(t["liste_prenoms"], "PIERRE-ALAIN MURIEL FLORIANT");
  EXPECT_EQ(t["sexe"], "M");
  EXPECT_EQ(t["date_naissance"], "2009-07-14");
  EXPECT_EQ(t["lieu_naissance"], "63220");
}

TEST(RechercheAnswerTest, premier_prenom_is_first_token_and_hyphenated_name_stays_whole) {
  auto t = body_of(answer(ecetinsi()))["traits_ins"];
  EXPECT_EQ(t["premier_prenom"], "PIERRE-ALAIN");
}

TEST(RechercheAnswerTest, premier_prenom_of_single_first_name_is_that_name) {
  auto o = ecetinsi();
  o.resultat.individu->tiq.liste_prenoms = "ZOE";
  EXPECT_EQ(body_of(answer(o))["traits_ins"]["premier_prenom"], "ZOE");
}

TEST(RechercheAnswerTest, tiq_with_only_prenom_fills_liste_prenoms) {
  auto o = ecetinsi();
  o.resultat.individu->tiq.liste_prenoms.reset();
  o.resultat.individu->tiq.prenom = "CATARINA BELLA";
  auto t = body_of(answer(o))["traits_ins"];
  EXPECT_EQ(t["liste_prenoms"], "CATARINA BELLA");
  EXPECT_EQ(t["premier_prenom"], "CATARINA");
}

TEST(RechercheAnswerTest, liste_prenom_wins_over_older_prenom) {
  auto o = ecetinsi();
  o.resultat.individu->tiq.prenom = "PIERRE-ALAIN";
  EXPECT_EQ(body_of(answer(o))["traits_ins"]["liste_prenoms"], "PIERRE-ALAIN MURIEL FLORIANT");
}

TEST(RechercheAnswerTest, tiq_without_first_names_gives_nulls) {
  auto o = ecetinsi();
  o.resultat.individu->tiq.liste_prenoms.reset();
  auto t = body_of(answer(o))["traits_ins"];
  EXPECT_TRUE(t["liste_prenoms"].is_null());
  EXPECT_TRUE(t["premier_prenom"].is_null());
}

TEST(RechercheAnswerTest, absent_tiq_traits_are_null) {
  auto o = ecetinsi();
  o.resultat.individu->tiq.lieu_naissance.reset();
  EXPECT_TRUE(body_of(answer(o))["traits_ins"]["lieu_naissance"].is_null());
}

TEST(RechercheAnswerTest, cr00_with_valid_keys_has_no_anomalies) {
  auto j = body_of(answer(ecetinsi()));
  ASSERT_TRUE(j["anomalies"].is_array());
  EXPECT_TRUE(j["anomalies"].empty());
}

TEST(RechercheAnswerTest, cr00_with_valid_keys_is_recuperee) {
  EXPECT_EQ(body_of(answer(ecetinsi()))["statut"], "recuperee");
}

TEST(RechercheAnswerTest, cr00_source_is_insi) {
  EXPECT_EQ(body_of(answer(ecetinsi()))["source"], "insi");
}

TEST(RechercheAnswerTest, appels_insi_counts_calls) {
  EXPECT_EQ(body_of(answer(ecetinsi(2)))["appels_insi"], 2);
}

TEST(RechercheAnswerTest, requete_id_is_echoed) {
  EXPECT_EQ(body_of(answer(ecetinsi()))["requete_id"], kRequeteId);
}

TEST(RechercheAnswerTest, traits_envoyes_are_what_was_sent) {
  insi::TraitsRecherche t{"DUPONT", {"MARIE", "LOUISE"}, "F", "1980-02-29", "75056"};
  auto j = body_of(recherche_answer(ecetinsi(), t, kRequeteId));
  EXPECT_EQ(j["traits_envoyes"], (json{{"nom_naissance", "DUPONT"},
                                       {"prenoms", {"MARIE", "LOUISE"}},
                                       {"sexe", "F"},
                                       {"date_naissance", "1980-02-29"},
                                       {"lieu_naissance", "75056"}}));
}

TEST(RechercheAnswerTest, traits_envoyes_omit_unsent_lieu) {
  auto j = body_of(answer(ecetinsi()));
  EXPECT_FALSE(j["traits_envoyes"].contains("lieu_naissance"));
}

TEST(RechercheAnswerTest, cr00_has_no_conseil) {
  EXPECT_FALSE(body_of(answer(ecetinsi())).contains("conseil"));
}

// ---- Anomalies (HERMANN, CNDA TEST_2.08 cas 2) ----

insi::RechercheOutcome hermann() {
  auto o = ecetinsi();
  auto& ind = *o.resultat.individu;
  ind.ins_actif = ins("1810363220456", "60");
  ind.ins_histo = {ins("1810363220456", "60"), ins("2810363220456", "10")};
  ind.tiq = {};
  ind.tiq.nom_naissance = "HERMANN";
  ind.tiq.liste_prenoms = "GATIEN";
  return o;
}

TEST(RechercheAnswerTest, invalid_active_key_is_cle_invalide_anomaly) {
  EXPECT_TRUE(has_anomaly(body_of(answer(hermann())), "cle_invalide", "ins.cle"));
}

TEST(RechercheAnswerTest, invalid_histo_keys_are_anomalies_with_their_index) {
  auto j = body_of(answer(hermann()));
  EXPECT_TRUE(has_anomaly(j, "cle_invalide", "historique[0].cle"));
  EXPECT_TRUE(has_anomaly(j, "cle_invalide", "historique[1].cle"));
  EXPECT_EQ(j["anomalies"].size(), 3u);
}

TEST(RechercheAnswerTest, invalid_key_leaves_identity_provisoire) {
  EXPECT_EQ(body_of(answer(hermann()))["statut"], "provisoire");
}

// Issue 20: INSi's traits outside the INS character set or syntax are an
// anomaly like a bad key (the answer is reported, never cached nor recorded:
// has_anomalies drives both), and the value is never echoed in the anomaly.
TEST(RechercheAnswerTest, hl7_delimiters_in_insi_traits_are_trait_invalide_anomalies) {
  auto o = ecetinsi();
  auto& tiq = o.resultat.individu->tiq;
  tiq.nom_naissance = "ECET|INSI";
  tiq.liste_prenoms = "PIERRE^ALAIN MURIEL";
  tiq.sexe = "X";
  tiq.date_naissance = "2009-07-14T00";
  tiq.lieu_naissance = "6322~";
  auto j = body_of(answer(o));
  EXPECT_TRUE(has_anomaly(j, "trait_invalide", "traits_ins.nom_naissance"));
  EXPECT_TRUE(has_anomaly(j, "trait_invalide", "traits_ins.liste_prenoms"));
  EXPECT_TRUE(has_anomaly(j, "trait_invalide", "traits_ins.sexe"));
  EXPECT_TRUE(has_anomaly(j, "trait_invalide", "traits_ins.date_naissance"));
  EXPECT_TRUE(has_anomaly(j, "trait_invalide", "traits_ins.lieu_naissance"));
  EXPECT_EQ(j["statut"], "provisoire");
  EXPECT_EQ(j["traits_ins"]["nom_naissance"], "ECET|INSI") << "INSi's traits stay verbatim";
  EXPECT_THAT(j["anomalies"].dump(), ::testing::Not(HasSubstr("ECET")));
  EXPECT_TRUE(has_anomalies(o, kTestOidPolicy));
}

TEST(RechercheAnswerTest, insi_traits_breaking_the_syntax_rules_are_anomalies) {
  for (const char* nom : {"ECETINSI ", "-ECETINSI", "ECET---INSI", "ECET''INSI", "ecetinsi", "ÉCET"}) {
    auto o = ecetinsi();
    o.resultat.individu->tiq.nom_naissance = nom;
    EXPECT_TRUE(has_anomaly(body_of(answer(o)), "trait_invalide", "traits_ins.nom_naissance")) << nom;
  }
  for (const char* prenoms : {"PIERRE--ALAIN", "PIERRE  MURIEL", "PIERRE-", " PIERRE"}) {
    auto o = ecetinsi();
    o.resultat.individu->tiq.liste_prenoms = prenoms;
    EXPECT_TRUE(has_anomaly(body_of(answer(o)), "trait_invalide", "traits_ins.liste_prenoms"))
        << prenoms;
  }
}

TEST(RechercheAnswerTest, conforming_insi_traits_have_no_anomaly) {
  auto o = ecetinsi();
  auto& tiq = o.resultat.individu->tiq;
  tiq.nom_naissance = "DE LA FONTAINE--D'ARC";
  tiq.liste_prenoms = "BERENICE ANNE-SOPHIE";
  tiq.date_naissance = "1980-00-00";  // partly unknown: passes INSi unchanged
  tiq.lieu_naissance = "2A004";
  EXPECT_TRUE(body_of(answer(o))["anomalies"].empty());
  tiq.lieu_naissance = "99109";
  tiq.prenom = "BERENICE";
  tiq.liste_prenoms.reset();
  EXPECT_TRUE(body_of(answer(o))["anomalies"].empty());
}

TEST(RechercheAnswerTest, invalid_key_is_still_200_with_the_ins) {
  auto r = answer(hermann());
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(body_of(r)["ins"]["cle"], "60");
}

TEST(RechercheAnswerTest, invalid_key_only_in_histo_is_provisoire) {
  auto o = ecetinsi();
  o.resultat.individu->ins_histo[0].cle = "40";
  auto j = body_of(answer(o));
  EXPECT_TRUE(has_anomaly(j, "cle_invalide", "historique[0].cle"));
  EXPECT_EQ(j["statut"], "provisoire");
}

TEST(RechercheAnswerTest, corsica_ins_with_valid_key_has_no_anomaly) {
  auto o = ecetinsi();
  o.resultat.individu->ins_actif = ins("297022A020778", "78");
  o.resultat.individu->ins_histo.clear();
  auto j = body_of(answer(o));
  EXPECT_TRUE(j["anomalies"].empty());
  EXPECT_EQ(j["statut"], "recuperee");
}

TEST(RechercheAnswerTest, absent_key_is_cle_absente_anomaly_and_null_cle) {
  auto o = ecetinsi();
  o.resultat.individu->ins_actif.cle.reset();
  auto j = body_of(answer(o));
  EXPECT_TRUE(j["ins"]["cle"].is_null());
  EXPECT_TRUE(has_anomaly(j, "cle_absente", "ins.cle"));
  EXPECT_EQ(j["statut"], "provisoire");
}

// ---- OID ----

TEST(RechercheAnswerTest, oid_9_is_type_nia) {
  auto o = ecetinsi();
  o.resultat.individu->ins_actif = ins("1090763220888", "35", kOidNia);  // PROVISOIRE MATRICULE
  auto j = body_of(answer(o));
  EXPECT_EQ(j["ins"]["type"], "NIA");
  EXPECT_EQ(j["ins"]["test"], false);
  EXPECT_EQ(j["ins"]["oid"], kOidNia);
}

TEST(RechercheAnswerTest, oid_10_is_test_nir) {
  auto o = ecetinsi();
  o.resultat.individu->ins_actif.oid = "1.2.250.1.213.1.4.10";
  auto j = body_of(answer(o));
  EXPECT_EQ(j["ins"]["type"], "NIR");
  EXPECT_EQ(j["ins"]["test"], true);
}

TEST(RechercheAnswerTest, unknown_oid_has_null_type_and_oid_inconnu_anomaly) {
  auto o = ecetinsi();
  o.resultat.individu->ins_actif.oid = "1.2.3.4";
  auto j = body_of(answer(o));
  EXPECT_TRUE(j["ins"]["type"].is_null());
  EXPECT_TRUE(has_anomaly(j, "oid_inconnu", "ins.oid"));
  EXPECT_EQ(j["statut"], "provisoire");
}

// ---- CR 01 / 02: business outcomes, 200 ----

TEST(RechercheAnswerTest, cr01_is_200) {
  auto r = answer(cr("01", "Aucune identite trouvee", 4));
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
}

TEST(RechercheAnswerTest, cr01_has_conseil_and_null_ins) {
  auto j = body_of(answer(cr("01", "Aucune identite trouvee", 4)));
  EXPECT_EQ(j["cr"], "01");
  EXPECT_EQ(j["libelle_cr"], "Aucune identite trouvee");
  ASSERT_TRUE(j["conseil"].is_string());
  EXPECT_FALSE(j["conseil"].get<std::string>().empty());
  EXPECT_TRUE(j["ins"].is_null());
}

TEST(RechercheAnswerTest, cr01_has_empty_historique_and_anomalies) {
  auto j = body_of(answer(cr("01", "Aucune identite trouvee", 4)));
  EXPECT_EQ(j["historique"], json::array());
  EXPECT_EQ(j["anomalies"], json::array());
  EXPECT_TRUE(j["traits_ins"].is_null());
}

TEST(RechercheAnswerTest, cr01_counts_all_calls) {
  EXPECT_EQ(body_of(answer(cr("01", "Aucune identite trouvee", 4)))["appels_insi"], 4);
}

TEST(RechercheAnswerTest, cr01_has_no_statut) {
  EXPECT_TRUE(body_of(answer(cr("01", "Aucune identite trouvee", 4)))["statut"].is_null());
}

TEST(RechercheAnswerTest, cr02_is_200_with_conseil_and_null_ins) {
  auto r = answer(cr("02", "Plusieurs identites trouvees", 1));
  EXPECT_EQ(r.status, 200u);
  auto j = body_of(r);
  EXPECT_EQ(j["cr"], "02");
  ASSERT_TRUE(j["conseil"].is_string());
  EXPECT_TRUE(j["ins"].is_null());
  EXPECT_EQ(j["historique"], json::array());
}

TEST(RechercheAnswerTest, cr02_conseil_differs_from_cr01) {
  auto c1 = body_of(answer(cr("01", "Aucune identite trouvee", 1)))["conseil"];
  auto c2 = body_of(answer(cr("02", "Plusieurs identites trouvees", 1)))["conseil"];
  EXPECT_NE(c1, c2);
}

// ---- Faults ----

TEST(RechercheAnswerTest, fault_siram_100_is_502_insi_erreur) {
  auto r = answer(fault("Sender", "siram_100", "desir_550", "erreur"));
  EXPECT_EQ(r.status, 502u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = body_of(r);
  EXPECT_EQ(j["code"], "insi_erreur");
  EXPECT_EQ(j["status"], 502);
}

TEST(RechercheAnswerTest, fault_siram_100_carries_fault_fields) {
  auto j = body_of(answer(fault("Sender", "siram_100", "desir_550", "erreur")));
  EXPECT_EQ(j["insi_sous_code"], "siram_100");
  EXPECT_EQ(j["insi_code"], "desir_550");
  EXPECT_EQ(j["insi_severite"], "erreur");
}

TEST(RechercheAnswerTest, fault_siram_100_has_no_retry_after) {
  EXPECT_FALSE(header(answer(fault("Sender", "siram_100", "desir_550", "erreur")), "Retry-After"));
}

TEST(RechercheAnswerTest, fault_problem_has_rfc9457_members) {
  auto j = body_of(answer(fault("Sender", "siram_100", "desir_550", "erreur")));
  EXPECT_TRUE(j["type"].is_string());
  EXPECT_TRUE(j["title"].is_string());
  EXPECT_TRUE(j["detail"].is_string());
}

TEST(RechercheAnswerTest, fault_counts_calls) {
  EXPECT_EQ(body_of(answer(fault("Sender", "siram_100", "desir_550", "erreur", 2)))["appels_insi"], 2);
}

TEST(RechercheAnswerTest, fault_siram_40_is_503_insi_indisponible) {
  auto r = answer(fault("Receiver", "siram_40", "insi_102", "fatal"));
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(body_of(r)["code"], "insi_indisponible");
}

TEST(RechercheAnswerTest, fault_siram_40_sets_retry_after) {
  auto r = answer(fault("Sender", "siram_40", "desir_1020", "erreur"));
  EXPECT_EQ(header(r, "Retry-After"), std::to_string(kRetryAfterSeconds));
}

TEST(RechercheAnswerTest, fault_siram_40_carries_fault_fields) {
  auto j = body_of(answer(fault("Receiver", "siram_40", "insi_102", "fatal")));
  EXPECT_EQ(j["insi_sous_code"], "siram_40");
  EXPECT_EQ(j["insi_code"], "insi_102");
  EXPECT_EQ(j["insi_severite"], "fatal");
}

TEST(RechercheAnswerTest, unknown_fault_is_502_with_its_fields) {
  auto r = answer(fault("Sender", "", "DESIR_560", "erreur"));
  EXPECT_EQ(r.status, 502u);
  auto j = body_of(r);
  EXPECT_EQ(j["code"], "insi_erreur");
  EXPECT_EQ(j["insi_code"], "DESIR_560");
}

// ---- Unreadable, transport, timeout ----

TEST(RechercheAnswerTest, unreadable_is_502_insi_erreur) {
  auto r = answer(failure(Kind::unreadable, "SOAP 1.1 envelope", 1));
  EXPECT_EQ(r.status, 502u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(body_of(r)["code"], "insi_erreur");
  EXPECT_FALSE(header(r, "Retry-After"));
}

TEST(RechercheAnswerTest, transport_is_503_insi_indisponible) {
  auto r = answer(failure(Kind::transport, "connection refused", 1));
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_EQ(body_of(r)["code"], "insi_indisponible");
}

TEST(RechercheAnswerTest, transport_sets_retry_after) {
  EXPECT_EQ(header(answer(failure(Kind::transport, "tls handshake", 1)), "Retry-After"),
            std::to_string(kRetryAfterSeconds));
}

TEST(RechercheAnswerTest, timeout_is_504_insi_delai_depasse) {
  auto r = answer(failure(Kind::timeout, "deadline", 3));
  EXPECT_EQ(r.status, 504u);
  EXPECT_EQ(r.content_type, "application/problem+json");
  auto j = body_of(r);
  EXPECT_EQ(j["code"], "insi_delai_depasse");
  EXPECT_EQ(j["status"], 504);
  EXPECT_EQ(j["appels_insi"], 3);
}

TEST(RechercheAnswerTest, error_answers_do_not_echo_sent_traits) {
  for (auto o : {failure(Kind::timeout, "deadline", 1), failure(Kind::transport, "reset", 1),
                 failure(Kind::unreadable, "truncated", 1),
                 fault("Sender", "siram_100", "desir_550", "erreur")}) {
    auto r = answer(o);
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("ECETINSI")));
    EXPECT_THAT(r.body, ::testing::Not(HasSubstr("PIERRE-ALAIN")));
  }
}

TEST(RechercheAnswerOidPolicyTest, test_oid_in_production_is_an_anomaly) {
  auto o = ecetinsi();
  o.resultat.individu->ins_actif.oid = "1.2.250.1.213.1.4.10";
  auto production = insgate::identity::OidPolicy::for_environment(insgate::identity::Environment::production);
  auto j = body_of(recherche_answer(o, envoyes(), kRequeteId, production));
  ASSERT_EQ(j["anomalies"].size(), 1u);
  EXPECT_EQ(j["anomalies"][0]["code"], "oid_interdit_en_production");
  EXPECT_EQ(j["anomalies"][0]["champ"], "ins.oid");
  EXPECT_EQ(j["statut"], "provisoire");
  // The same answer is fine on the qualification platform.
  EXPECT_TRUE(body_of(recherche_answer(o, envoyes(), kRequeteId))["anomalies"].empty());
}

// ---- issue 18: advice per route and what was sent, one statut rule ----

std::string conseil_for(const std::string& code, std::vector<std::string> prenoms,
                        std::optional<std::string> lieu) {
  insi::TraitsRecherche t{"DUPONT", std::move(prenoms), "F", "1980-02-29", std::move(lieu)};
  return body_of(recherche_answer(cr(code, "x", 1), t, kRequeteId))["conseil"].get<std::string>();
}

TEST(RechercheAnswerTest, cr01_advice_asks_for_other_first_names_only_when_one_was_sent) {
  EXPECT_THAT(conseil_for("01", {"MARIE"}, std::nullopt), HasSubstr("autres prénoms"));
  EXPECT_THAT(conseil_for("01", {"MARIE", "LOUISE"}, std::nullopt),
              ::testing::Not(HasSubstr("autres prénoms")));
}

TEST(RechercheAnswerTest, cr01_advice_checks_the_cog_only_when_a_birthplace_was_sent) {
  EXPECT_THAT(conseil_for("01", {"MARIE"}, std::string("63001")),
              HasSubstr("code officiel géographique (COG) de la commune de naissance et non son "
                        "code postal"));
  EXPECT_THAT(conseil_for("01", {"MARIE"}, std::nullopt), ::testing::Not(HasSubstr("COG")));
}

TEST(RechercheAnswerTest, cr02_advice_names_what_was_not_sent) {
  EXPECT_THAT(conseil_for("02", {"MARIE"}, std::nullopt), HasSubstr("autres prénoms"));
  EXPECT_THAT(conseil_for("02", {"MARIE"}, std::nullopt), HasSubstr("lieu de naissance"));
  EXPECT_THAT(conseil_for("02", {"MARIE", "LOUISE"}, std::nullopt),
              ::testing::Not(HasSubstr("prénoms")));
  EXPECT_THAT(conseil_for("02", {"MARIE", "LOUISE"}, std::string("75056")),
              HasSubstr("carte Vitale"));
}

TEST(RechercheAnswerTest, vitale_advice_is_about_the_card) {
  auto j = body_of(resultat_answer(cr("01", "x", 1), "vitale_envoyee",
                                   {{"assertion_vitale", false}}, kRequeteId));
  const std::string c = j["conseil"].get<std::string>();
  EXPECT_THAT(c, HasSubstr("carte Vitale"));
  EXPECT_THAT(c, ::testing::Not(HasSubstr("autres prénoms")));
  EXPECT_TRUE(j["statut"].is_null());
}

TEST(RechercheAnswerTest, no_identity_has_statut_null) {
  EXPECT_TRUE(body_of(answer(cr("01", "x", 1)))["statut"].is_null());
  EXPECT_TRUE(body_of(answer(cr("02", "x", 1)))["statut"].is_null());
}

TEST(RechercheAnswerTest, every_anomaly_has_a_french_message) {
  for (const auto& a : body_of(answer(hermann()))["anomalies"]) {
    const std::string m = a.value("message", "");
    EXPECT_FALSE(m.empty()) << a;
    EXPECT_EQ(m.back(), '.') << m;
  }
}

}  // namespace
}  // namespace insgate::api
