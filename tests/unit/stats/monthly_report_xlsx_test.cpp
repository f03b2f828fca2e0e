// The monthly report as .xlsx (issue 17 item 2): written with libxlsxwriter,
// read back with an independent reader (openpyxl), then converted headless
// by LibreOffice Calc — the spreadsheet that dropped the FINESS's leading
// zero from the CSV. Neither tool is optional: a missing one fails the test
// (scripts/install-deps installs both).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/monthly_report_xlsx.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "../state/state_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using namespace insgate::stats;
using insgate::state::test::TempDir;

/// stdout of `command` (run by /bin/sh), and its exit status.
std::pair<std::string, int> run(const std::string& command) {
  std::string out;
  FILE* p = ::popen(command.c_str(), "r");
  if (!p) return {"", -1};
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  return {out, ::pclose(p)};
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

MonthlyReport sample() {
  auto m = parse_mois("2026-03");
  insgate::state::ActivityMonth a;
  a.finess = "010000001";
  a.mois = "2026-03";
  a.sollicitations = 12;
  a.recuperations = 10;
  a.verifications = 3;
  a.operateurs_distincts = 4;
  return build_report(*m.mois,
                      {{"010000001", "EHPAD Les Tilleuls", "500"}, {"2A0000012", "Clinique", "365"}},
                      {a},
                      {{"010000001", TauxQualification{7, 8, "2026-03-31T21:59:00Z"}},
                       {"2A0000012", std::nullopt}});
}

class MonthlyReportXlsxTest : public ::testing::Test {
 protected:
  TempDir dir;
  fs::path file = dir.path() / "insi-activite-2026-03.xlsx";
  void SetUp() override {
    const std::string bytes = to_xlsx(sample());
    ASSERT_EQ(bytes.rfind("PK\x03\x04", 0), 0u) << "an .xlsx is a zip file";
    std::ofstream(file, std::ios::binary) << bytes;
  }
};

TEST_F(MonthlyReportXlsxTest, openpyxl_reads_text_number_and_percentage_cells) {
  auto [out, status] = run("/usr/bin/python3 " INSGATE_SOURCE_DIR "/tests/unit/stats/read_xlsx.py '" +
                           file.string() + "'");
  ASSERT_EQ(status, 0) << out;
  const auto j = nlohmann::json::parse(out);
  EXPECT_EQ(j["sheets"][0], "Activité INSi 2026-03");
  const auto& c = j["cells"];
  EXPECT_EQ(c["A1"]["value"], "Mois");
  EXPECT_EQ(c["C1"]["value"], "N° FINESS");
  EXPECT_EQ(c["J1"]["value"], "Taux d'identités qualifiées (ratio de 0 à 1)");
  // Row 2: 010000001 (FINESS order puts it before 2A0000012).
  EXPECT_EQ(c["A2"]["value"], "202603");
  EXPECT_EQ(c["A2"]["type"], "s");
  EXPECT_EQ(c["C2"]["value"], "010000001") << "the leading zero stays";
  EXPECT_EQ(c["C2"]["type"], "s");
  EXPECT_EQ(c["C2"]["format"], "@");
  EXPECT_EQ(c["B2"]["value"], "01 - Ain");
  EXPECT_EQ(c["F2"]["value"], 12);
  EXPECT_EQ(c["F2"]["type"], "n");
  EXPECT_EQ(c["G2"]["value"], 10);
  EXPECT_EQ(c["H2"]["value"], 3);
  EXPECT_EQ(c["I2"]["value"], 4);
  EXPECT_DOUBLE_EQ(c["J2"]["value"].get<double>(), 0.875);
  EXPECT_EQ(c["J2"]["type"], "n");
  EXPECT_EQ(c["J2"]["format"], "0.0%");
  // Row 3: no snapshot, an empty rate cell; the note below the table.
  EXPECT_EQ(c["C3"]["value"], "2A0000012");
  EXPECT_FALSE(c.contains("J3"));
  ASSERT_TRUE(c.contains("A5"));
  EXPECT_NE(c["A5"]["value"].get<std::string>().find("2A0000012 non disponible pour 2026-03"),
            std::string::npos);
}

TEST_F(MonthlyReportXlsxTest, libreoffice_calc_keeps_the_finess_as_text) {
  auto [which, found] = run("command -v soffice");
  ASSERT_EQ(found, 0) << "LibreOffice (soffice) is missing: install libreoffice-calc-nogui "
                         "(scripts/install-deps); this test does not skip";
  // Its own profile directory: no clash with a user's or a parallel test's.
  const std::string cmd = "cd '" + dir.path().string() +
                          "' && HOME='" + dir.path().string() +
                          "' soffice -env:UserInstallation=file://" + dir.path().string() +
                          "/profile --headless --norestore --convert-to csv:Text\\ -\\ txt\\ -\\ "
                          "csv\\ \\(StarCalc\\):59,34,76,1 --outdir '" + dir.path().string() +
                          "/out' '" + file.string() + "' 2>&1";
  auto [log, status] = run(cmd);
  ASSERT_EQ(status, 0) << log;
  std::string csv = read(dir.path() / "out" / "insi-activite-2026-03.csv");
  ASSERT_FALSE(csv.empty()) << log;
  // Calc quotes the text cells that look like numbers: drop the quotes.
  std::erase(csv, '"');
  EXPECT_NE(csv.find("202603;01 - Ain;010000001;EHPAD Les Tilleuls;500;12;10;3;4;87"),
            std::string::npos)
      << csv;
  EXPECT_EQ(csv.find(";10000001;"), std::string::npos) << csv;
  EXPECT_NE(csv.find("2A0000012"), std::string::npos) << csv;
}

}  // namespace
