// insgate — récupération of the INS by traits: the first-name strategy.
//
// Source rule: insi-protocol.md §8. One `Prenom` per call, in order; stop at
// CR 00 or at the first fault or transport problem; on CR 01/02 go on; if
// there were several first names and none gave 00, one last call with all of
// them joined by single spaces. Every call gets fresh UUIDs (MessageID too).
// Each attempt runs under the fault policy of fault_policy.hpp (§7).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "insi/fault_policy.hpp"
#include "insi/insi_client.hpp"
#include "insi/insi_messages.hpp"

namespace insgate::insi {

/// Normalised traits of a récupération (what INSi receives).
struct TraitsRecherche {
  std::string nom_naissance;
  std::vector<std::string> prenoms;  ///< birth first names, in order, ≥ 1
  std::string sexe;
  std::string date_naissance;
  std::optional<std::string> lieu_naissance;
};

/// Outcome of the whole strategy. `kind` is that of the last call; for
/// `resultat` the RESULTAT is the CR 00 one, or the last 01/02.
using RechercheOutcome = CallOutcome;

struct RechercheLimits {
  Clock::time_point deadline;              ///< overall, for all calls and retries
  std::chrono::milliseconds call_timeout;  ///< per call, capped by deadline
};

/// The first names to try, in order (§8 steps 1 and 3).
std::vector<std::string> prenom_attempts(const std::vector<std::string>& prenoms);

/// Runs the strategy over `transport`. `attempts` of the outcome lists the
/// attempts of every first name in order, and `appels` counts the INSi
/// calls among them (messages written completely, fault_policy.hpp).
asio::awaitable<RechercheOutcome> rechercher_par_traits(InsiTransport& transport,
                                                        const CallContext& ctx,
                                                        const TraitsRecherche& traits,
                                                        RechercheLimits limits,
                                                        FaultPolicy policy = {});

}  // namespace insgate::insi
