// The monthly report over a scenario spanning two months and a restart:
// activity recorded in the state store (SQLite) in October and November,
// the store closed and reopened (as after a daemon restart), then each
// month's CSV compared byte for byte with an expected file
// (tests/unit/stats/expected/). Issue #6; ins-identity-rules.md §6.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "state/activity.hpp"
#include "state/sqlite_store.hpp"
#include "stats/monthly_report.hpp"

namespace {

namespace fs = std::filesystem;
using namespace insgate;

state::TimePoint local_noon(int year, int month, int day) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = 12;
  tm.tm_isdst = -1;
  return state::Clock::from_time_t(std::mktime(&tm));
}

std::string read(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void record(state::ActivityCounter& a, state::TimePoint when, state::InsiOperation op,
            const char* operateur, const char* personne,
            state::RequestOutcome outcome = state::RequestOutcome::cr00) {
  state::ActivityEvent e;
  e.finess = "010000001";
  e.when = when;
  e.operation = op;
  // One INSi call each; the vérifications here are calls to INSi's
  // vérification operation (a vérification by comparison would make a
  // récupération call instead).
  (op == state::InsiOperation::verification ? e.appels_verification : e.appels_recuperation) = 1;
  e.outcome = outcome;
  e.operateur = operateur;
  e.personne = personne;
  a.record(e);
}

std::string csv_of(state::StateStore& store, const char* mois) {
  auto m = stats::parse_mois(mois);
  EXPECT_TRUE(m) << m.erreur;
  auto report = stats::build_report(*m.mois, {{"010000001", "EHPAD \"Les Tilleuls\"; Ain", "500"}},
                                    store.activity_month(m.mois->iso()));
  return stats::to_csv(report);
}

}  // namespace

TEST(TwoMonthsTest, report_survives_a_restart_and_matches_the_expected_files) {
  fs::path dir = fs::temp_directory_path() / ("insgate-two-months-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  const std::string key = "0123456789abcdef0123456789abcdef";
  {
    state::SqliteStore store(state::SqliteOptions{dir, {}});
    state::ActivityCounter activity(store, key);
    record(activity, local_noon(2026, 10, 3), state::InsiOperation::recuperation, "u-1", "p-1");
    record(activity, local_noon(2026, 10, 3), state::InsiOperation::recuperation, "u-1", "p-2",
           state::RequestOutcome::cr01);
    record(activity, local_noon(2026, 10, 30), state::InsiOperation::verification, "u-2", "p-1");
    record(activity, local_noon(2026, 11, 2), state::InsiOperation::recuperation, "u-3", "p-3");
  }
  // "Restart": a new store on the same file; November goes on.
  state::SqliteStore store(state::SqliteOptions{dir, {}});
  state::ActivityCounter activity(store, key);
  record(activity, local_noon(2026, 11, 20), state::InsiOperation::recuperation, "u-3", "p-4");
  record(activity, local_noon(2026, 11, 28), state::InsiOperation::verification, "u-4", "p-3");

  const fs::path expected = fs::path(INSGATE_SOURCE_DIR) / "tests/unit/stats/expected";
  EXPECT_EQ(csv_of(store, "2026-10"), read(expected / "activite-2026-10.csv"));
  EXPECT_EQ(csv_of(store, "2026-11"), read(expected / "activite-2026-11.csv"));
  fs::remove_all(dir);
}
