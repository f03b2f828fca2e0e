// SPDX-License-Identifier: GPL-3.0-or-later
// RNIV status model, ins-identity-rules.md §3.
#include "identity/rniv.hpp"

#include <string>

namespace insgate::identity {

std::string_view to_api_name(RnivStatus s) {
  switch (s) {
    case RnivStatus::provisoire: return "provisoire";
    case RnivStatus::recuperee: return "recuperee";
    case RnivStatus::validee: return "validee";
    case RnivStatus::qualifiee: return "qualifiee";
  }
  return "provisoire";
}

std::optional<RnivStatus> parse_rniv_status(std::string_view name) {
  for (auto s : {RnivStatus::provisoire, RnivStatus::recuperee, RnivStatus::validee,
                 RnivStatus::qualifiee})
    if (to_api_name(s) == name) return s;
  return std::nullopt;
}

RnivStatus status_from(bool insi, bool document) {
  if (insi) return document ? RnivStatus::qualifiee : RnivStatus::recuperee;
  return document ? RnivStatus::validee : RnivStatus::provisoire;
}

bool attributes_compatible(const RnivAttributes& a) {
  if (a.fictive) return !a.douteuse && !a.homonyme;
  return true;  // none, douteuse, homonyme, douteuse + homonyme
}

RnivStatus RnivIdentity::status() const {
  if (attributes.douteuse || attributes.fictive) return RnivStatus::provisoire;
  return status_from(insi, document);
}

bool RnivIdentity::insi_calls_allowed() const {
  return !attributes.douteuse && !attributes.fictive;
}

bool RnivIdentity::matricule_exchangeable() const {
  return status() == RnivStatus::qualifiee;
}

namespace {
/// `message` is the catalogue's sentence for the motif (identity/codes.hpp).
Rejection reject(std::string_view r) {
  return Rejection{std::string(r), std::string(codes::texte(codes::Kind::motif, r).value_or(r))};
}
}  // namespace

std::variant<RnivIdentity, Rejection> apply_event(const RnivIdentity& id, RnivEvent e) {
  RnivIdentity next = id;
  const bool blocked = !id.insi_calls_allowed();
  switch (e) {
    case RnivEvent::insi_match:
      if (blocked)
        return reject(rule::appel_insi_bloque);
      if (id.birth_date_corrected)
        return reject(rule::date_corrigee);
      next.insi = true;
      break;
    case RnivEvent::document_checked:
    case RnivEvent::appli_carte_vitale:
      if (blocked)
        return reject(rule::statut_force_provisoire);
      if (e == RnivEvent::appli_carte_vitale) {
        if (id.birth_date_corrected)
          return reject(rule::date_corrigee);
        next.insi = true;
      }
      next.document = true;
      break;
    case RnivEvent::document_trust_withdrawn:
      next.document = false;
      break;
    case RnivEvent::birth_date_corrected:
      next.birth_date_corrected = true;
      next.insi = false;
      break;
    case RnivEvent::strict_trait_edited:
    case RnivEvent::insi_verification_failed:
      next.insi = false;
      break;
    case RnivEvent::ins_wrongly_attributed:
      break;
  }
  return next;
}

std::variant<RnivIdentity, Rejection> set_attributes(const RnivIdentity& id,
                                                     const RnivAttributes& a) {
  if (!attributes_compatible(a))
    return reject(rule::attributs_incompatibles);
  RnivIdentity next = id;
  next.attributes = a;
  if (a.douteuse || a.fictive) {
    next.insi = false;
    next.document = false;
  }
  return next;
}

bool transition_allowed(RnivStatus from, RnivStatus to) {
  using S = RnivStatus;
  if (from == to) return false;
  if (to == S::provisoire) return true;            // douteuse/fictive, or I/C lost
  switch (from) {
    case S::provisoire: return true;               // → récupérée, validée; Appli CV → qualifiée
    case S::recuperee: return to == S::qualifiee;  // document check
    case S::validee: return to == S::qualifiee;    // INSi match
    case S::qualifiee: return to == S::recuperee || to == S::validee;  // C or I withdrawn
  }
  return false;
}

std::optional<RnivStatus> answer_status(bool identite_trouvee, bool anomalies, bool conforme) {
  if (!identite_trouvee) return std::nullopt;
  if (anomalies || !conforme) return RnivStatus::provisoire;
  return RnivStatus::recuperee;
}

}  // namespace insgate::identity
