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

namespace {

/// Interprets one HTTP reply. Returns an outcome when the search must stop.
std::optional<RechercheOutcome> interpret(const HttpReply& reply, RechercheOutcome& last) {
  RechercheOutcome out;
  if (reply.status == 502 || reply.status == 503 || reply.status == 504) {
    out.kind = RechercheOutcome::Kind::transport;
    out.error = "INSi answered HTTP " + std::to_string(reply.status);
    return out;
  }
  if (reply.status != 200 && reply.status != 500) {
    out.kind = RechercheOutcome::Kind::unreadable;
    out.error = "unexpected HTTP status " + std::to_string(reply.status);
    return out;
  }
  Response parsed = parse_response(reply.body);
  if (auto* u = std::get_if<Unreadable>(&parsed)) {
    out.kind = RechercheOutcome::Kind::unreadable;
    out.error = u->reason;
    return out;
  }
  if (auto* f = std::get_if<Fault>(&parsed)) {
    out.kind = RechercheOutcome::Kind::fault;
    out.fault = std::move(*f);
    return out;
  }
  auto& r = std::get<Resultat>(parsed);
  if (r.code_cr == "00") {
    out.kind = RechercheOutcome::Kind::resultat;
    out.resultat = std::move(r);
    return out;
  }
  if (r.code_cr == "01" || r.code_cr == "02") {
    last.kind = RechercheOutcome::Kind::resultat;
    last.resultat = std::move(r);
    return std::nullopt;  // try the next first name
  }
  out.kind = RechercheOutcome::Kind::unreadable;
  out.error = "unknown CodeCR";
  return out;
}

}  // namespace

asio::awaitable<RechercheOutcome> rechercher_par_traits(InsiTransport& transport,
                                                        const CallContext& ctx,
                                                        const TraitsRecherche& traits,
                                                        RechercheLimits limits) {
  RechercheOutcome last;
  int appels = 0;
  for (const auto& prenom : prenom_attempts(traits.prenoms)) {
    auto now = Clock::now();
    if (now >= limits.deadline) {
      RechercheOutcome out;
      out.kind = RechercheOutcome::Kind::timeout;
      out.error = "request deadline reached";
      out.appels = appels;
      co_return out;
    }
    RechercheTraits body{traits.nom_naissance, prenom, traits.sexe, traits.date_naissance,
                         traits.lieu_naissance};
    EnvelopeIds ids{util::new_uuid(), util::new_uuid(), util::new_uuid(),
                    util::utc_timestamp_ms()};
    std::string envelope = build_recherche_traits(ctx, body, ids);
    ++appels;
    auto call_deadline = std::min(limits.deadline, now + limits.call_timeout);
    PostResult posted = co_await transport.post(kActionRechercheTraits, std::move(envelope),
                                                call_deadline);
    if (auto* err = std::get_if<TransportError>(&posted)) {
      RechercheOutcome out;
      out.kind = err->kind == TransportError::Kind::timeout ? RechercheOutcome::Kind::timeout
                                                            : RechercheOutcome::Kind::transport;
      out.error = err->message;
      out.appels = appels;
      co_return out;
    }
    if (auto stop = interpret(std::get<HttpReply>(posted), last)) {
      stop->appels = appels;
      co_return *stop;
    }
  }
  last.appels = appels;
  co_return last;
}

}  // namespace insgate::insi
