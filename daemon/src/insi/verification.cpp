// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/verification.hpp"

#include <sstream>

namespace insgate::insi {
namespace {

std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

bool prenoms_conform(const std::vector<std::string>& fournis, const TraitsTiq& tiq) {
  auto liste = tiq.liste_prenoms ? tiq.liste_prenoms : tiq.prenom;
  if (!liste) return false;
  auto insi = tokens(*liste);
  if (fournis.empty() || fournis.size() > insi.size()) return false;
  for (std::size_t i = 0; i < fournis.size(); ++i)
    if (fournis[i] != insi[i]) return false;
  return true;
}

bool same(const InsIdentifier& a, const InsFourni& b) {
  return a.matricule == b.matricule && a.cle.value_or("") == b.cle && a.oid == b.oid;
}

}  // namespace

Verification comparer(const InsFourni& ins, const TraitsRecherche& traits, const Individu& insi) {
  Verification v;
  const auto& actif = insi.ins_actif;
  if (!same(actif, ins)) {
    for (const auto& h : insi.ins_histo)
      if (same(h, ins)) v.ins_historique = true;
    if (actif.matricule != ins.matricule) v.ecarts.push_back("ins.matricule");
    if (actif.cle.value_or("") != ins.cle) v.ecarts.push_back("ins.cle");
    if (actif.oid != ins.oid) v.ecarts.push_back("ins.oid");
  }
  const auto& t = insi.tiq;
  if (t.nom_naissance.value_or("") != traits.nom_naissance)
    v.ecarts.push_back("traits.nom_naissance");
  if (!prenoms_conform(traits.prenoms, t)) v.ecarts.push_back("traits.prenoms");
  if (t.sexe.value_or("") != traits.sexe) v.ecarts.push_back("traits.sexe");
  if (t.date_naissance.value_or("") != traits.date_naissance)
    v.ecarts.push_back("traits.date_naissance");
  if (traits.lieu_naissance && t.lieu_naissance.value_or("") != *traits.lieu_naissance)
    v.ecarts.push_back("traits.lieu_naissance");
  v.conforme = v.ecarts.empty();
  return v;
}

asio::awaitable<VerificationOutcome> VerificationParComparaison::verifier(
    InsiTransport& transport, const CallContext& ctx, const InsFourni& ins,
    const TraitsRecherche& traits, RechercheLimits limits, FaultPolicy policy) {
  VerificationOutcome out;
  out.recherche = co_await rechercher_par_traits(transport, ctx, traits, limits, policy);
  if (out.recherche.kind != CallOutcome::Kind::resultat) co_return out;
  const auto& r = out.recherche.resultat;
  if (r.code_cr == "00" && r.individu) {
    out.verification = comparer(ins, traits, *r.individu);
  } else {
    Verification none;
    none.ecarts.push_back("identite");  // INSi found no single identity for these traits
    out.verification = none;
  }
  co_return out;
}

}  // namespace insgate::insi
