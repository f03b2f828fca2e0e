// Conformance: the envelopes whose bytes are pinned in golden/ (fixed ids,
// fixed call context). They were produced by the codec before the optional
// XML signature existed (issue #4); with `insi.signature_xml` off, the codec
// must still produce exactly these bytes.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "insi/soap_codec.hpp"

namespace insgate::testing {

/// (golden file name, envelope built now).
inline std::vector<std::pair<std::string, std::string>> golden_cases() {
  using namespace insgate::insi;
  CallContext ctx;
  ctx.emetteur = "010000001";
  ctx.lps = {"IDAM-TEST", "insgate", "0.1.0", "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"};
  EnvelopeIds ids{"0d5b5f7e-1111-4aaa-8bbb-222222222222", "0d5b5f7e-3333-4aaa-8bbb-444444444444",
                  "0d5b5f7e-5555-4aaa-8bbb-666666666666", "2026-11-30T08:15:03.120Z"};
  std::vector<std::pair<std::string, std::string>> out;

  RechercheTraits t{"ECETINSI", "PIERRE-ALAIN", "M", "2009-07-14", std::nullopt};
  out.emplace_back("recherche_traits.xml", build_recherche_traits(ctx, t, ids));
  RechercheTraits a{"D'ARTAGNAN DE L'HERAULT", "PIERRE-ALAIN", "M", "2001-06-17",
                    std::string("2A004")};
  out.emplace_back("recherche_traits_lieu.xml", build_recherche_traits(ctx, a, ids));

  RechercheVitale v;
  v.nir_individu = NirCarte{"1090763220834", std::string("89")};
  v.nir_ouvrant_droit = NirCarte{"1750763220112", std::nullopt};
  v.nom_naissance = "ECETINSI";
  v.date_naissance = "2009-07-14";
  v.rang_naissance = "1";
  v.couverture = {std::string("01"), std::string("631"), std::string("0001")};
  out.emplace_back("recherche_vitale.xml", build_recherche_vitale(ctx, v, ids, std::nullopt));
  const std::string assertion =
      R"(<saml2:Assertion xmlns:saml2="urn:oasis:names:tc:SAML:2.0:assertion" ID="_a1">x</saml2:Assertion>)";
  out.emplace_back("recherche_vitale_assertion.xml",
                   build_recherche_vitale(ctx, v, ids, assertion));

  Resultat r;
  r.code_cr = "00";
  r.libelle_cr = "OK";
  Individu ind;
  ind.ins_actif = {"1090763220834", std::string("89"), "1.2.250.1.213.1.4.8", std::nullopt,
                   std::nullopt};
  ind.ins_histo.push_back({"2090763220834", std::string("70"), "1.2.250.1.213.1.4.8",
                           std::string("2009-07-14"), std::string("2012-01-01")});
  ind.tiq.nom_naissance = "ECETINSI";
  ind.tiq.liste_prenoms = "PIERRE-ALAIN JEAN";
  ind.tiq.sexe = "M";
  ind.tiq.date_naissance = "2009-07-14";
  ind.tiq.lieu_naissance = "63220";
  r.individu = ind;
  out.emplace_back("resultat.xml", build_resultat(r));

  Fault f;
  f.code = "Sender";
  f.subcode = "siram_100";
  f.reason = "Requête invalide";
  f.erreur_code = "desir_550";
  f.erreur_severite = "erreur";
  f.erreur_message = "IDAM inconnu";
  f.message_id = "uuid:0d5b5f7e-5555-4aaa-8bbb-666666666666";
  out.emplace_back("fault.xml", build_fault(f));
  return out;
}

}  // namespace insgate::testing
