// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/recherche_vitale.hpp"

#include "insi/soap_codec.hpp"
#include "util/ids.hpp"

namespace insgate::insi {

asio::awaitable<RechercheOutcome> rechercher_par_carte_vitale(
    InsiTransport& transport, const CallContext& ctx, const RechercheVitale& carte,
    const std::optional<std::string>& assertion_xml, RechercheLimits limits, FaultPolicy policy) {
  auto make_envelope = [&] {
    EnvelopeIds ids{util::new_uuid(), util::new_uuid(), util::new_uuid(),
                    util::utc_timestamp_ms()};
    return build_recherche_vitale(ctx, carte, ids, assertion_xml);
  };
  CallOutcome out = co_await call_with_policy(transport, kActionRechercheVitale, make_envelope,
                                              limits.deadline, limits.call_timeout, policy);
  if (out.kind == CallOutcome::Kind::resultat) {
    const auto& cr = out.resultat.code_cr;
    if (cr != "00" && cr != "01" && cr != "02") {
      out.kind = CallOutcome::Kind::unreadable;
      out.error = "unknown CodeCR";
    }
  }
  co_return out;
}

}  // namespace insgate::insi
