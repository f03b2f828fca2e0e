// insgate — récupération of the INS with carte Vitale data
// (rechercherInsAvecCarteVitale, insi-protocol.md §5; issue #4).
// One operation call under the fault policy; no first-name loop.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>

#include "insi/recherche.hpp"

namespace insgate::insi {

/// `assertion_xml`: the caller's signed Vitale-card assertion, placed in
/// wsse:Security unchanged; never fabricated.
asio::awaitable<RechercheOutcome> rechercher_par_carte_vitale(
    InsiTransport& transport, const CallContext& ctx, const RechercheVitale& carte,
    const std::optional<std::string>& assertion_xml, RechercheLimits limits,
    FaultPolicy policy = {});

}  // namespace insgate::insi
