// insgate — GET /v1/health (see health.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/health.hpp"

#include <cctype>
#include <ctime>

#include "metrics/insi_outcome.hpp"

namespace insgate::api {
namespace {

using K = insi::CallOutcome::Kind;

std::string iso_date(std::chrono::system_clock::time_point t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

/// INSi's code as it may be shown: [A-Za-z0-9_-], at most 40 characters.
std::string shown_code(std::string_view v) {
  std::string out;
  for (char c : v.substr(0, 40))
    out.push_back(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' ? c : '?');
  return out;
}

}  // namespace

bool InsiHealth::note(const insi::CallOutcome& o, std::chrono::system_clock::time_point now) {
  reachable_ = o.kind != K::transport && o.kind != K::timeout && o.kind != K::circuit_open &&
               !(o.kind == K::fault && insi::is_retryable(o.fault));
  const auto family = metrics::fault_family_of(o);
  if (family && metrics::refuses_every_call(*family)) {
    if (refusal_ && refusal_->famille == *family) return false;
    refusal_ = InsiRefusal{*family,
                           *family == metrics::InsiFaultFamily::tls
                               ? std::string("tls")
                               : shown_code(o.fault.erreur_code.empty() ? o.fault.subcode
                                                                        : o.fault.erreur_code),
                           now};
    return true;
  }
  // INSi took the call past authentication: whatever refused before is fixed.
  if (o.kind == K::resultat || o.kind == K::fault) refusal_.reset();
  return false;
}

std::string refusal_message(const InsiRefusal& r) {
  switch (r.famille) {
    case metrics::InsiFaultFamily::desir_550:
      return "INSi refuse le logiciel (" + r.code +
             " : numéro d'autorisation CNDA inconnu) : chaque appel échouera ; vérifier lps.idam "
             "puis recharger la configuration (systemctl reload insgate).";
    case metrics::InsiFaultFamily::desir_560:
      return "INSi refuse le certificat client (" + r.code +
             " : niveau d'accès insuffisant) : chaque appel échouera ; le CN du certificat ORG "
             "AUTH_CLI doit être INSI-AUTO ou INSI-MANU (insi.certificate).";
    case metrics::InsiFaultFamily::tls:
      return "La négociation TLS avec INSi échoue : chaque appel échouera ; INSi refuse le "
             "certificat client (insi.certificate) ou son certificat n'est pas reconnu par "
             "insi.ca. Voir le journal ([INSI_FAILURE]).";
    default:
      return "INSi refuse les appels (" + r.code + ").";
  }
}

nlohmann::json health_json(const config::Config& cfg, const insi::ClientCertificateInfo& cert,
                           insi::CircuitBreaker::State circuit, int consecutive_failures,
                           const InsiHealth& insi) {
  const std::string etat = circuit != insi::CircuitBreaker::State::closed ? "circuit_ouvert"
                           : insi.reachable()                               ? "ok"
                                                                            : "indisponible";
  nlohmann::json refus = nullptr;
  nlohmann::json raison = nullptr;
  if (const auto& r = insi.refusal()) {
    refus = {{"famille", std::string(metrics::to_label(r->famille))},
             {"code", r->code},
             {"depuis", iso_date(r->depuis)},
             {"message", refusal_message(*r)}};
    raison = refusal_message(*r);
  } else if (etat == "circuit_ouvert") {
    raison = "Circuit INSi ouvert après des échecs de transport répétés : les appels sont "
             "refusés sans être envoyés jusqu'au prochain essai.";
  } else if (etat == "indisponible") {
    raison = "INSi était injoignable au dernier appel (réseau, délai ou service indisponible).";
  }
  return {{"statut", raison.is_null() ? "ok" : "degrade"},
          {"raison", raison},
          {"insi", {{"etat", etat},
                    {"circuit", insi::CircuitBreaker::name(circuit)},
                    {"echecs_consecutifs", consecutive_failures},
                    {"refus", refus},
                    {"environnement", cfg.insi.environment},
                    {"endpoint", cfg.insi.endpoint.url}}},
          {"certificat", {{"expire_le", iso_date(cert.not_after)},
                          {"jours_restants", cert.days_left}}},
          {"version", INSGATE_VERSION}};
}

}  // namespace insgate::api
