// insgate — RNIV identity statuses (provisoire, récupérée, validée, qualifiée),
// their attributes (douteuse, fictive, homonyme), transitions and downgrades.
//
// Source rule: ins-identity-rules.md §3 (and §2.2 for the corrected birth
// date). Value types and pure functions, no I/O, thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string_view>
#include <variant>

#include "identity/normalise.hpp"  // Rejection

namespace insgate::identity {

/// Exactly one per local identity (RNIV EXI SI 07).
enum class RnivStatus { provisoire, recuperee, validee, qualifiee };

/// JSON / API name: "provisoire", "recuperee", "validee", "qualifiee".
std::string_view to_api_name(RnivStatus s);
/// Inverse of to_api_name; nullopt for anything else (exact match).
std::optional<RnivStatus> parse_rniv_status(std::string_view name);

/// @brief The status from the two attributes of §3.
/// @param insi I: traits obtained or checked through INSi.
/// @param document C: coherence checked against a high-trust identity document.
RnivStatus status_from(bool insi, bool document);

/// Annotations (not statuses). Valid combinations: none, one alone, or
/// douteuse + homonyme; fictive combines with nothing.
struct RnivAttributes {
  bool douteuse = false;
  bool fictive = false;
  bool homonyme = false;
  bool operator==(const RnivAttributes&) const = default;
};

namespace rule {
inline constexpr std::string_view attributs_incompatibles = codes::motif("attributs_incompatibles");
inline constexpr std::string_view appel_insi_bloque = codes::motif("appel_insi_bloque");  ///< douteuse/fictive
inline constexpr std::string_view statut_force_provisoire = codes::motif("statut_force_provisoire");
inline constexpr std::string_view date_corrigee = codes::motif("date_corrigee");  ///< §2.2: no récupérée/qualifiée
}  // namespace rule

/// True when the combination is allowed (§3).
bool attributes_compatible(const RnivAttributes& a);

/// Events that move an identity between statuses (§3 transitions and downgrades).
enum class RnivEvent {
  insi_match,                ///< I set: provisoire→récupérée, validée→qualifiée
  document_checked,          ///< C set: provisoire→validée, récupérée→qualifiée
  appli_carte_vitale,        ///< I and C set: treated as qualifiée
  document_trust_withdrawn,  ///< C cleared: qualifiée→récupérée, validée→provisoire
  birth_date_corrected,      ///< I cleared and blocked (§2.2): qualifiée→validée, récupérée→provisoire
  strict_trait_edited,       ///< I cleared [U in the spec]
  insi_verification_failed,  ///< I cleared [U in the spec]
  ins_wrongly_attributed,    ///< INS deleted elsewhere; the status itself does not change
};

/// A local identity's RNIV state. The status is derived, never stored apart.
struct RnivIdentity {
  bool insi = false;      ///< I
  bool document = false;  ///< C
  bool birth_date_corrected = false;
  RnivAttributes attributes;

  /// provisoire whenever douteuse or fictive is set; otherwise status_from(I, C).
  RnivStatus status() const;
  /// False when douteuse or fictive: no INSi call may be made for it (§3).
  bool insi_calls_allowed() const;
  /// True only for qualifiée (§0 rule 4): the matricule may leave the gateway.
  bool matricule_exchangeable() const;
};

/// @brief Applies an event.
/// @return the new state, or a Rejection: `appel_insi_bloque` (INSi event on a
///         douteuse/fictive identity), `statut_force_provisoire` (document or
///         Appli carte Vitale on douteuse/fictive), `date_corrigee` (INSi
///         event after a birth-date correction).
std::variant<RnivIdentity, Rejection> apply_event(const RnivIdentity& id, RnivEvent e);

/// @brief Sets the attributes. Setting douteuse or fictive clears I and C (the
/// status becomes provisoire and stays so once the attribute is lifted, until
/// new checks). @return `attributs_incompatibles` for a forbidden combination.
std::variant<RnivIdentity, Rejection> set_attributes(const RnivIdentity& id,
                                                     const RnivAttributes& a);

/// @brief True when §3 lists `from → to` as a transition or a downgrade
/// (any status → provisoire covers the douteuse/fictive downgrade). Same
/// status → false.
bool transition_allowed(RnivStatus from, RnivStatus to);

/// @brief The `statut` of an API answer built from an INSi answer, the same
/// rule on every route (récupération by traits or carte Vitale, vérification;
/// README "Local API"):
/// - nullopt (JSON null) when INSi found no single identity (CR 01/02): the
///   answer says nothing about the local identity's status;
/// - provisoire when INSi returned an identity but the answer cannot support
///   attribute I: anomalies in INSi's answer (§1.5), or a vérification whose
///   INS or traits do not conform;
/// - recuperee otherwise (§3: I set by an INSi match; qualifiée needs the
///   identity-document check, POST /v1/ins/qualification).
std::optional<RnivStatus> answer_status(bool identite_trouvee, bool anomalies,
                                        bool conforme = true);

}  // namespace insgate::identity
