// insgate — monthly snapshot of the qualified-identity rate (see qualification_rate.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "state/qualification_rate.hpp"

#include "state/activity.hpp"

namespace insgate::state {

QualificationSnapshot take_qualification_snapshot(StateStore& store, const std::string& finess,
                                                  TimePoint now,
                                                  std::chrono::hours active_window) {
  QualificationSnapshot s;
  s.finess = finess;
  s.mois = ActivityCounter::month_of(now);
  s.releve_le = now;
  for (const auto& [statut, n] : store.identity_counts(now - active_window, finess)) {
    s.file_active += n;
    if (statut == "qualifiee") s.qualifiees += n;
  }
  store.put_qualification_snapshot(s);
  return s;
}

std::optional<QualificationSnapshot> qualification_for_month(StateStore& store,
                                                             const std::string& finess,
                                                             const std::string& mois,
                                                             TimePoint now,
                                                             std::chrono::hours active_window) {
  if (mois == ActivityCounter::month_of(now))
    return take_qualification_snapshot(store, finess, now, active_window);
  return store.qualification_snapshot(finess, mois);
}

}  // namespace insgate::state
