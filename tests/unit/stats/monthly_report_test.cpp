// Unit tests of stats/monthly_report.hpp: mois validation, rows, exact CSV
// bytes (BOM, header, ';', CRLF, quoting) and the JSON shape.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/monthly_report.hpp"

#include <gtest/gtest.h>

namespace insgate::stats {
namespace {

/// `requetes`: API requests that made INSi calls; `recuperations` and
/// `verifications`: the INSi calls to each operation.
state::ActivityMonth activity(std::string finess, std::string mois, std::int64_t requetes,
                              std::int64_t recuperations, std::int64_t verifications,
                              std::int64_t operateurs, std::int64_t personnes) {
  state::ActivityMonth a;
  a.finess = std::move(finess);
  a.mois = std::move(mois);
  a.requetes_insi = requetes;
  a.recuperations = recuperations;
  a.verifications = verifications;
  a.operateurs_distincts = operateurs;
  a.personnes_distinctes = personnes;
  a.cr00 = requetes;
  return a;
}

const Mois kMars{2026, 3};

TEST(ParseMoisTest, accepts_aaaa_mm) {
  const auto r = parse_mois("2026-03");
  ASSERT_TRUE(r);
  EXPECT_EQ(*r.mois, kMars);
  EXPECT_EQ(r.mois->iso(), "2026-03");
  EXPECT_EQ(r.mois->compact(), "202603");
  EXPECT_TRUE(parse_mois("2026-12"));
}

TEST(ParseMoisTest, refuses_anything_else_with_a_reason) {
  for (const char* bad : {"", "2026-3", "2026-13", "2026-00", "202603", "2026/03", "26-03",
                          "2026-03-01", " 2026-03", "1999-12", "２０２６-03", "abcd-ef"}) {
    const auto r = parse_mois(bad);
    EXPECT_FALSE(r) << bad;
    EXPECT_FALSE(r.erreur.empty()) << bad;
  }
}

TEST(MonthlyReportTest, one_row_per_configured_structure_even_without_activity) {
  const auto report = build_report(kMars, {{"750000001", "Clinique", "365"}}, {});
  ASSERT_EQ(report.lignes.size(), 1u);
  const auto& r = report.lignes[0];
  EXPECT_EQ(r.mois, "202603");
  EXPECT_EQ(r.departement, "75 - Paris");
  EXPECT_EQ(r.structure, "Clinique");
  EXPECT_EQ(r.categorie, "365");
  EXPECT_EQ(r.sollicitations, 0);
  EXPECT_FALSE(report.with_taux);
}

TEST(MonthlyReportTest, other_months_are_ignored_and_unconfigured_finess_is_kept) {
  const auto report = build_report(kMars, {{"750000001", "Clinique", "365"}},
                                   {activity("750000001", "2026-02", 9, 9, 9, 9, 9),
                                    activity("750000001", "2026-03", 5, 4, 2, 3, 4),
                                    activity("2A0000012", "2026-03", 1, 1, 0, 1, 1)});
  ASSERT_EQ(report.lignes.size(), 2u);
  EXPECT_EQ(report.lignes[0].finess, "2A0000012");
  EXPECT_EQ(report.lignes[0].structure, "");
  EXPECT_EQ(report.lignes[0].departement, "2A - Corse-du-Sud");
  EXPECT_EQ(report.lignes[1].sollicitations, 6) << "INSi's view: the sum of its operations";
  EXPECT_EQ(report.lignes[1].recuperations, 4);
  EXPECT_EQ(report.lignes[1].verifications, 2);
  EXPECT_EQ(report.lignes[1].utilisateurs_uniques, 3);
}

// Issue #11: a reader comparing with the regional file (built from INSi's
// records) finds sollicitations = récupération calls + vérification calls,
// never a total smaller than one of its parts; the requests are in detail.
TEST(MonthlyReportTest, sollicitations_are_the_insi_calls_of_every_operation) {
  // One request that tried three first names (3 calls), and one request
  // whose connection was refused (no call: it does not reach the store).
  auto a = activity("750000001", "2026-03", 1, 3, 0, 1, 1);
  const auto report = build_report(kMars, {{"750000001", "Clinique", "365"}}, {a});
  const auto& r = report.lignes.at(0);
  EXPECT_EQ(r.sollicitations, 3);
  EXPECT_GE(r.sollicitations, r.recuperations);
  EXPECT_GE(r.sollicitations, r.verifications);
  EXPECT_EQ(to_json(report)["lignes"][0]["detail"]["requetes_insi"], 1);
  a.verifications = 2;
  EXPECT_EQ(build_report(kMars, {}, {a}).lignes.at(0).sollicitations, 5);
}

TEST(MonthlyReportTest, unique_users_can_count_persons_instead_of_operators) {
  const auto report =
      build_report(kMars, {}, {activity("750000001", "2026-03", 5, 4, 2, 3, 4)}, {},
                   {UtilisateursUniques::personnes});
  EXPECT_EQ(report.lignes.at(0).utilisateurs_uniques, 4);
}

TEST(MonthlyReportTest, csv_bytes_are_what_french_spreadsheets_open) {
  const auto report = build_report(
      kMars,
      {{"750000001", "Clinique \"Les Lilas\"; site Nord", "365 - Établissement de soins"},
       {"970421038", "CHU", "101"}},
      {activity("750000001", "2026-03", 12, 10, 3, 4, 9)});
  const std::string expected =
      "\xEF\xBB\xBF"
      "Mois;Département;N° FINESS;Structure;Catégorie FINESS;"
      "Nombre de sollicitations INSi;"
      "Nombre d'appels à l'opération de récupération;"
      "Nombre d'appels à l'opération de vérification;"
      "Nombre d'utilisateurs uniques\r\n"
      "202603;75 - Paris;750000001;\"Clinique \"\"Les Lilas\"\"; site Nord\";"
      "365 - Établissement de soins;13;10;3;4\r\n"
      "202603;974 - La Réunion;970421038;CHU;101;0;0;0;0\r\n";
  EXPECT_EQ(to_csv(report), expected);
}

TEST(MonthlyReportTest, csv_rate_column_is_the_ratio_with_a_decimal_comma) {
  const auto report = build_report(
      kMars, {{"750000001", "A", "1"}, {"750000002", "B\r\nC", "1"}, {"750000003", "D", "1"}},
      {}, {{"750000001", TauxQualification{7, 8, {}}}, {"750000002", TauxQualification{0, 0, {}}}});
  const std::string csv = to_csv(report);
  EXPECT_NE(csv.find(";Nombre d'utilisateurs uniques;Taux d'identités qualifiées (ratio de 0 à 1)\r\n"),
            std::string::npos);
  EXPECT_NE(csv.find("202603;75 - Paris;750000001;A;1;0;0;0;0;0,875\r\n"), std::string::npos);
  EXPECT_NE(csv.find("202603;75 - Paris;750000002;\"B\r\nC\";1;0;0;0;0;\r\n"), std::string::npos);
  EXPECT_NE(csv.find("202603;75 - Paris;750000003;D;1;0;0;0;0;\r\n"), std::string::npos);
}

TEST(MonthlyReportTest, json_shape_for_machines) {
  const auto report =
      build_report(kMars, {{"750000001", "Clinique", "365"}, {"999999999", "X", ""}},
                   {activity("750000001", "2026-03", 12, 10, 3, 4, 9)},
                   {{"750000001", TauxQualification{1, 3, "2026-03-31T21:59:00Z"}}});
  const auto j = to_json(report);
  EXPECT_EQ(j["mois"], "2026-03");
  ASSERT_EQ(j["colonnes"].size(), 10u);
  EXPECT_EQ(j["colonnes"][0], "Mois");
  ASSERT_EQ(j["lignes"].size(), 2u);
  const auto& l = j["lignes"][0];
  EXPECT_EQ(l["mois"], "202603");
  EXPECT_EQ(l["departement"], "75 - Paris");
  EXPECT_EQ(l["finess"], "750000001");
  EXPECT_EQ(l["structure"], "Clinique");
  EXPECT_EQ(l["categorie_finess"], "365");
  EXPECT_EQ(l["sollicitations_insi"], 13);
  EXPECT_EQ(l["appels_recuperation"], 10);
  EXPECT_EQ(l["appels_verification"], 3);
  EXPECT_EQ(l["utilisateurs_uniques"], 4);
  EXPECT_EQ(l["identites_qualifiees"], 1);
  EXPECT_EQ(l["identites_file_active"], 3);
  EXPECT_DOUBLE_EQ(l["ratio_identites_qualifiees"].get<double>(), 1.0 / 3);
  EXPECT_EQ(l["taux_releve_le"], "2026-03-31T21:59:00Z");
  EXPECT_FALSE(l.contains("taux_identites_qualifiees"));
  EXPECT_EQ(l["detail"]["cr00"], 12);
  EXPECT_EQ(l["detail"]["requetes_insi"], 12) << "the per-request count, named for what it is";
  EXPECT_EQ(l["detail"]["requetes_verification"], 0);
  EXPECT_EQ(l["detail"]["personnes_distinctes"], 9);
  const auto& u = j["lignes"][1];
  EXPECT_TRUE(u["departement"].is_null());
  EXPECT_TRUE(u["ratio_identites_qualifiees"].is_null());
  // 999999999 has no snapshot: an empty cell and a note that says why.
  ASSERT_EQ(j["notes"].size(), 1u);
  EXPECT_NE(j["notes"][0].get<std::string>().find("999999999"), std::string::npos);
}

// Issue 17 item 1: a month without a snapshot has an empty rate cell and a
// note, in the CSV too (the rate is never today's figure).
TEST(MonthlyReportTest, month_without_snapshot_has_an_empty_cell_and_a_note) {
  const auto report = build_report(kMars, {{"750000001", "A", "1"}}, {},
                                   {{"750000001", std::nullopt}});
  ASSERT_EQ(report.lignes.size(), 1u);
  EXPECT_FALSE(report.lignes[0].qualification);
  ASSERT_EQ(report.notes.size(), 1u);
  EXPECT_NE(report.notes[0].find("non disponible pour 2026-03"), std::string::npos);
  const std::string csv = to_csv(report);
  EXPECT_NE(csv.find("202603;75 - Paris;750000001;A;1;0;0;0;0;\r\n\r\n"), std::string::npos);
  EXPECT_NE(csv.find("Taux d'identités qualifiées de 750000001 non disponible"), std::string::npos);
  EXPECT_TRUE(to_json(report)["lignes"][0]["ratio_identites_qualifiees"].is_null());
}

}  // namespace
}  // namespace insgate::stats
