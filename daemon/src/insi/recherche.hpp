// insgate — récupération of the INS by traits: the first-name strategy.
//
// Source rule: insi-protocol.md §8. One `Prenom` per call, in order; stop at
// CR 00 or at the first fault or transport problem; on CR 01/02 go on; if
// there were several first names and none gave 00, one last call with all of
// them joined by single spaces. Every call gets fresh UUIDs (MessageID too).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

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

/// Outcome of the whole strategy.
struct RechercheOutcome {
  enum class Kind {
    resultat,    ///< INSi answered with a CR (00, or the last 01/02)
    fault,       ///< a SOAP fault ended the search
    unreadable,  ///< an answer that is neither a RESULTAT nor a fault
    transport,   ///< connection/TLS failure or HTTP 502/503/504
    timeout,     ///< the call or overall deadline was reached
  };
  Kind kind = Kind::unreadable;
  Resultat resultat;
  Fault fault;
  std::string error;  ///< technical detail for unreadable/transport/timeout
  int appels = 0;     ///< INSi calls made (attempted)
};

struct RechercheLimits {
  Clock::time_point deadline;          ///< overall, for all calls
  std::chrono::milliseconds call_timeout;  ///< per call, capped by deadline
};

/// The first names to try, in order (§8 steps 1 and 3).
std::vector<std::string> prenom_attempts(const std::vector<std::string>& prenoms);

/// Runs the strategy over `transport`.
asio::awaitable<RechercheOutcome> rechercher_par_traits(InsiTransport& transport,
                                                        const CallContext& ctx,
                                                        const TraitsRecherche& traits,
                                                        RechercheLimits limits);

}  // namespace insgate::insi
