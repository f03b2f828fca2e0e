// insgate — the monthly snapshot of the qualified-identity rate (Ségur
// indicator "taux d'identités qualifiées": identities qualifiées /
// identities in the active file, ins-identity-rules.md §6).
//
// The rate changes every day; a monthly report must give it as it stood in
// that month and never change afterwards. So the daemon keeps one snapshot
// per FINESS × month ("AAAA-MM", local time like the activity counters) and
// only ever writes the running month's: every minute (with the gauges) and
// at each report of the running month. The last snapshot taken in a month
// is that month's figure; a month the daemon never ran in has none (the
// report then shows an empty cell and a note).
// Thread safety: as the store's (these functions keep no state).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "state/state_store.hpp"

namespace insgate::state {

/// Counts the active file (identities updated within `active_window` of
/// `now`) and writes it as the snapshot of `finess` for the month of `now`.
/// @return what was written. @throw StateError.
QualificationSnapshot take_qualification_snapshot(StateStore& store, const std::string& finess,
                                                  TimePoint now,
                                                  std::chrono::hours active_window);

/// The rate to report for `mois` ("AAAA-MM"): for the running month (month
/// of `now`), a snapshot taken now; for any other month, the stored one, or
/// nullopt when none was taken (a month before the daemon ran, or to come).
/// @throw StateError.
std::optional<QualificationSnapshot> qualification_for_month(StateStore& store,
                                                             const std::string& finess,
                                                             const std::string& mois,
                                                             TimePoint now,
                                                             std::chrono::hours active_window);

}  // namespace insgate::state
