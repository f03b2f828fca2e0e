// insgate — INSi as the calls saw it (see insi_health.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/insi_health.hpp"

#include <algorithm>


#include "metrics/insi_outcome.hpp"

namespace insgate::api {
namespace {

using K = insi::CallOutcome::Kind;

}  // namespace

bool InsiHealth::note(const insi::CallOutcome& o, const std::string& finess,
                      std::chrono::system_clock::time_point now) {
  // A local saturation or a wait for a pooled connection says nothing
  // about INSi (issue 19).
  using Stage = insi::CallOutcome::Attempt::Stage;
  const bool local_only =
      !o.attempts.empty() && std::all_of(o.attempts.begin(), o.attempts.end(), [](const auto& a) {
        return a.stage == Stage::deadline || a.stage == Stage::saturated;
      });
  if (o.kind == K::saturated || local_only) return false;
  reachable_ = o.kind != K::transport && o.kind != K::timeout && o.kind != K::circuit_open &&
               !(o.kind == K::fault && insi::is_retryable(o.fault));
  const auto family = metrics::fault_family_of(o);
  if (family && metrics::refuses_every_call(*family)) {
    const bool certificate = *family != metrics::InsiFaultFamily::desir_550;
    std::optional<InsiRefusal> current = refusal_;
    if (certificate) {
      auto it = by_structure_.find(finess);
      current = it == by_structure_.end() ? std::nullopt : std::optional(it->second);
    }
    if (current && current->famille == *family) return false;
    InsiRefusal r{*family,
                  *family == metrics::InsiFaultFamily::tls
                      ? std::string("tls")
                      : insi::printable_code(o.fault.erreur_code.empty() ? o.fault.subcode
                                                                         : o.fault.erreur_code),
                  now};
    if (certificate) by_structure_[finess] = r;
    else refusal_ = r;
    return true;
  }
  // INSi took the call past authentication: whatever refused before is fixed.
  if (o.kind == K::resultat || o.kind == K::fault) {
    refusal_.reset();
    by_structure_.erase(finess);
  }
  return false;
}

std::optional<InsiRefusal> InsiHealth::refusal() const {
  if (refusal_) return refusal_;
  if (!by_structure_.empty()) return by_structure_.begin()->second;
  return std::nullopt;
}

std::optional<InsiRefusal> InsiHealth::refusal_of(const std::string& finess) const {
  if (refusal_) return refusal_;
  auto it = by_structure_.find(finess);
  if (it == by_structure_.end()) return std::nullopt;
  return it->second;
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
             "AUTH_CLI doit être INSI-AUTO ou INSI-MANU (insi.certificat).";
    case metrics::InsiFaultFamily::tls:
      return "La négociation TLS avec INSi échoue : chaque appel échouera ; INSi refuse le "
             "certificat client (insi.certificat) ou son certificat n'est pas reconnu par "
             "insi.ca. Voir le journal ([INSI_FAILURE]).";
    default:
      return "INSi refuse les appels (" + r.code + ").";
  }
}

}  // namespace insgate::api
