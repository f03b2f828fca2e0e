// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/recherche.hpp"

#include "insi/soap_codec.hpp"
#include "util/ids.hpp"

namespace insgate::insi {

std::vector<std::string> prenom_attempts(const std::vector<std::string>& prenoms) {
  std::vector<std::string> out(prenoms.begin(), prenoms.end());
  if (prenoms.size() > 1) {
    std::string all;
    for (const auto& p : prenoms) all += (all.empty() ? "" : " ") + p;
    out.push_back(all);
  }
  return out;
}

asio::awaitable<RechercheOutcome> rechercher_par_traits(InsiTransport& transport,
                                                        const CallContext& ctx,
                                                        const TraitsRecherche& traits,
                                                        RechercheLimits limits,
                                                        FaultPolicy policy) {
  RechercheOutcome last;
  std::vector<CallOutcome::Attempt> attempts;  // of every first name
  auto finish = [&attempts](RechercheOutcome out) {
    out.attempts = std::move(attempts);
    out.appels = count_calls(out.attempts);
    return out;
  };
  for (const auto& prenom : prenom_attempts(traits.prenoms)) {
    RechercheTraits body{traits.nom_naissance, prenom, traits.sexe, traits.date_naissance,
                         traits.lieu_naissance};
    auto make_envelope = [&ctx, &body] {
      EnvelopeIds ids{util::new_uuid(), util::new_uuid(), util::new_uuid(),
                      util::utc_timestamp_ms()};
      return build_recherche_traits(ctx, body, ids);
    };
    CallOutcome out = co_await call_with_policy(transport, kActionRechercheTraits, make_envelope,
                                                limits.deadline, limits.call_timeout, policy);
    attempts.insert(attempts.end(), out.attempts.begin(), out.attempts.end());
    if (out.kind != CallOutcome::Kind::resultat) co_return finish(std::move(out));
    const std::string& cr = out.resultat.code_cr;
    if (cr == "00") co_return finish(std::move(out));
    if (cr != "01" && cr != "02") {
      out.kind = CallOutcome::Kind::unreadable;
      out.error = "unknown CodeCR";
      co_return finish(std::move(out));
    }
    last = std::move(out);  // 01/02: try the next first name
  }
  co_return finish(std::move(last));
}

}  // namespace insgate::insi
