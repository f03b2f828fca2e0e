// insgate — plain value types of the INSi messages, independent of gSOAP.
//
// Source rule: ../shared/spec/insi-protocol.md §3 (headers), §4.1 (request by
// traits), §4.2 (RESULTAT), §7 (faults). All strings are UTF-8.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace insgate::insi {

class XmlSigner;  // xml_signature.hpp

/// SOAP actions of the two INSi operations (insi-protocol.md §1).
inline constexpr const char* kActionRechercheTraits =
    "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecTraitsIdentite";
inline constexpr const char* kActionRechercheVitale =
    "urn:ServiceIdentiteCertifiee:1.0.0:rechercherInsAvecCarteVitale";

/// Whether `action` addresses one of the two récupération operations. INSi
/// counts a message under the operation it addresses; any other action is
/// its vérification operation (§6, not implemented: a vérification by
/// comparison sends récupérations by traits).
inline bool is_recuperation_action(std::string_view action) {
  return action == kActionRechercheTraits || action == kActionRechercheVitale;
}

/// Software identification sent in ContexteLPS (§3). `idam` is the CNDA
/// authorisation number; `instance` a UUID constant per installation.
struct LpsContext {
  std::string idam;
  std::string software_name;
  std::string software_version;
  std::string instance;
};

/// What every call carries in its headers besides the per-call ids.
struct CallContext {
  std::string emetteur;  ///< Emetteur of ContexteBAM/ContexteLPS (FINESS by default)
  LpsContext lps;
  /// Set only when `insi.signature_xml` is on: every request envelope is then
  /// signed with WS-Security (xml_signature.hpp). Null: unsigned envelopes.
  std::shared_ptr<const XmlSigner> signer = nullptr;
};

/// Per-call identifiers: fresh UUIDs and the UTC timestamp of the call
/// (xs:dateTime with milliseconds, e.g. 2024-05-02T09:15:03.120Z).
struct EnvelopeIds {
  std::string bam_id;
  std::string lps_id;
  std::string message_id;  ///< bare UUID; the envelope carries "uuid:" + this
  std::string temps;
};

/// Body of rechercherInsAvecTraitsIdentite (§4.1): exactly one first name per
/// call (§8), traits already normalised by the caller.
struct RechercheTraits {
  std::string nom_naissance;
  std::string prenom;
  std::string sexe;            ///< "M" or "F"
  std::string date_naissance;  ///< AAAA-MM-JJ
  std::optional<std::string> lieu_naissance;  ///< COG, 5 characters
};

/// A NIR as read on a carte Vitale: 13 characters, key optional.
struct NirCarte {
  std::string matricule;
  std::optional<std::string> cle;
};

/// ContexteBAM/COUVERTURE data read on the card (§3, §5).
struct Couverture {
  std::optional<std::string> grand_regime;
  std::optional<std::string> organisme;
  std::optional<std::string> code_centre;
};

/// Body of rechercherInsAvecCarteVitale (§5) and the card data that goes
/// into ContexteBAM/COUVERTURE: ASSURE = the insured person ("ouvrant
/// droit"), BENEFICIAIRE = the selected beneficiary.
struct RechercheVitale {
  std::optional<NirCarte> nir_individu;  ///< the beneficiary's own NIR, if the card has one
  NirCarte nir_ouvrant_droit;
  std::optional<std::string> nom_naissance;
  std::string date_naissance;  ///< as read on the card (may be lunar)
  std::string rang_naissance;  ///< birth rank ("rang gémellaire")
  Couverture couverture;
};

/// IdentifiantNationalSante (§4.2). `cle` is optional in the XSD.
struct InsIdentifier {
  std::string matricule;  ///< NumIdentifiant, 13 characters
  std::optional<std::string> cle;
  std::string oid;
  std::optional<std::string> date_debut;
  std::optional<std::string> date_fin;
};

/// TIQ: the traits INS of the national reference bases, verbatim.
struct TraitsTiq {
  std::optional<std::string> nom_naissance;
  std::optional<std::string> prenom;
  std::optional<std::string> liste_prenoms;
  std::optional<std::string> sexe;
  std::optional<std::string> date_naissance;
  std::optional<std::string> lieu_naissance;
};

struct Individu {
  InsIdentifier ins_actif;
  std::vector<InsIdentifier> ins_histo;
  TraitsTiq tiq;
};

/// RESULTAT: CR 00 carries exactly one INDIVIDU, CR 01/02 none.
struct Resultat {
  std::string code_cr;
  std::string libelle_cr;
  std::optional<Individu> individu;
};

/// A SOAP 1.2 fault with its siram:Erreur detail (§7). QName values hold
/// their local part only (`siram_40`, `Sender`), whatever the prefix was.
struct Fault {
  std::string code;      ///< Sender | Receiver
  std::string subcode;   ///< e.g. siram_100, siram_40 (may be empty)
  std::string reason;    ///< Reason/Text, user-facing
  std::string erreur_code;      ///< siram:Erreur@code, e.g. desir_550 (may be empty)
  std::string erreur_severite;  ///< siram:Erreur@severite, verbatim
  std::string erreur_message;   ///< siram:Erreur text, technical
  std::optional<std::string> message_id;
};

/// An answer that cannot be read as a SOAP 1.2 RESULTAT or fault.
struct Unreadable {
  std::string reason;  ///< never contains identity data
};

using Response = std::variant<Resultat, Fault, Unreadable>;

}  // namespace insgate::insi
