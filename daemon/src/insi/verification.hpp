// insgate — vérification of an INS (issue #4, local-api.md POST
// /v1/ins/verification).
//
// The dedicated INSi vérification contract is not public
// (insi-protocol.md §6), so the only implementation today is
// VerificationParComparaison: a récupération with the supplied traits, then
// a comparison of the supplied INS with INSACTIF/INSHISTO and of the supplied
// traits with TIQ. The Verificateur interface lets the real SOAP operation
// replace it when its contract is known, without touching the API.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "insi/recherche.hpp"

namespace insgate::insi {

/// The INS the caller holds (already checked: layout, key, OID policy).
struct InsFourni {
  std::string matricule;  ///< 13 characters
  std::string cle;        ///< 2 digits
  std::string oid;
};

/// Result of the comparison. `ecarts` (identity/codes.hpp, Kind::ecart)
/// names what differs, with the API's field names: "ins.matricule",
/// "ins.cle", "ins.oid", "traits.nom_naissance", "traits.prenoms",
/// "traits.sexe", "traits.date_naissance", "traits.lieu_naissance";
/// "identite" when INSi found no single identity. Any of these makes
/// `conforme` false. "liste_prenoms_incomplete" does not: the supplied first
/// names are the beginning of INSi's list, which conforms (§2) but leaves
/// the record without the full list of birth first names.
struct Verification {
  bool conforme = false;
  std::vector<std::string> ecarts;
  bool ins_historique = false;  ///< the supplied INS is one of INSHISTO, not INSACTIF
};

/// Pure comparison of what the caller holds with INSi's answer (CR 00).
/// First names conform when the supplied list, joined with spaces, is TIQ's
/// list or its beginning, hyphen and apostrophe counting as a space
/// (ins-identity-rules.md §2, "Premier prénom": a local first name must
/// match the start of the list); when it is only the beginning, écart
/// "liste_prenoms_incomplete".
Verification comparer(const InsFourni& ins, const TraitsRecherche& traits, const Individu& insi);

struct VerificationOutcome {
  RechercheOutcome recherche;                ///< the INSi exchange(s)
  std::optional<Verification> verification;  ///< set when INSi answered with a CR
  TraitsRecherche envoyes;                   ///< the traits compared (and sent to INSi)
};

class Verificateur {
 public:
  virtual ~Verificateur() = default;
  /// "comparaison" today; the name of the dedicated operation later.
  virtual const char* methode() const = 0;
  virtual asio::awaitable<VerificationOutcome> verifier(InsiTransport& transport,
                                                        const CallContext& ctx,
                                                        const InsFourni& ins,
                                                        const TraitsRecherche& traits,
                                                        RechercheLimits limits,
                                                        FaultPolicy policy) = 0;
};

class VerificationParComparaison : public Verificateur {
 public:
  const char* methode() const override { return "comparaison"; }
  asio::awaitable<VerificationOutcome> verifier(InsiTransport& transport, const CallContext& ctx,
                                                const InsFourni& ins,
                                                const TraitsRecherche& traits,
                                                RechercheLimits limits,
                                                FaultPolicy policy) override;
};

}  // namespace insgate::insi
