// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/verification.hpp"

#include <sstream>

#include "identity/codes.hpp"

namespace insgate::insi {
namespace {

namespace ecart = identity::ecart;

std::vector<std::string> tokens(const std::string& s) {
  std::vector<std::string> out;
  std::istringstream in(s);
  for (std::string t; in >> t;) out.push_back(t);
  return out;
}

/// ins-identity-rules.md §2 ("Premier prénom"): a local first name must
/// match the start of INSi's list, hyphen and apostrophe treated as space.
std::string spaced(const std::string& s) {
  std::string out = s;
  for (char& c : out)
    if (c == '-' || c == '\'') c = ' ';
  return out;
}

enum class Prenoms { conformes, debut_de_liste, differents };

Prenoms compare_prenoms(const std::vector<std::string>& fournis, const TraitsTiq& tiq) {
  auto liste = tiq.liste_prenoms ? tiq.liste_prenoms : tiq.prenom;
  if (!liste || fournis.empty()) return Prenoms::differents;
  std::string joined;
  for (const auto& p : fournis) joined += (joined.empty() ? "" : " ") + p;
  auto mine = tokens(spaced(joined));
  auto insi = tokens(spaced(*liste));
  if (mine.empty() || mine.size() > insi.size()) return Prenoms::differents;
  for (std::size_t i = 0; i < mine.size(); ++i)
    if (mine[i] != insi[i]) return Prenoms::differents;
  return mine.size() == insi.size() ? Prenoms::conformes : Prenoms::debut_de_liste;
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
    if (actif.matricule != ins.matricule) v.ecarts.emplace_back(ecart::ins_matricule);
    if (actif.cle.value_or("") != ins.cle) v.ecarts.emplace_back(ecart::ins_cle);
    if (actif.oid != ins.oid) v.ecarts.emplace_back(ecart::ins_oid);
  }
  const auto& t = insi.tiq;
  if (t.nom_naissance.value_or("") != traits.nom_naissance)
    v.ecarts.emplace_back(ecart::nom_naissance);
  const Prenoms prenoms = compare_prenoms(traits.prenoms, t);
  if (prenoms == Prenoms::differents) v.ecarts.emplace_back(ecart::prenoms);
  if (t.sexe.value_or("") != traits.sexe) v.ecarts.emplace_back(ecart::sexe);
  if (t.date_naissance.value_or("") != traits.date_naissance)
    v.ecarts.emplace_back(ecart::date_naissance);
  if (traits.lieu_naissance && t.lieu_naissance.value_or("") != *traits.lieu_naissance)
    v.ecarts.emplace_back(ecart::lieu_naissance);
  v.conforme = v.ecarts.empty();
  // Conforming, but the record holds only the first first names: the RNIV's
  // trait is the full list of birth first names (§2), so the software
  // should complete it from traits_ins.liste_prenoms.
  if (prenoms == Prenoms::debut_de_liste) v.ecarts.emplace_back(ecart::liste_prenoms_incomplete);
  return v;
}

asio::awaitable<VerificationOutcome> VerificationParComparaison::verifier(
    InsiTransport& transport, const CallContext& ctx, const InsFourni& ins,
    const TraitsRecherche& traits, RechercheLimits limits, FaultPolicy policy) {
  VerificationOutcome out;
  out.envoyes = traits;
  out.recherche = co_await rechercher_par_traits(transport, ctx, traits, limits, policy);
  if (out.recherche.kind != CallOutcome::Kind::resultat) co_return out;
  const auto& r = out.recherche.resultat;
  if (r.code_cr == "00" && r.individu) {
    out.verification = comparer(ins, traits, *r.individu);
  } else {
    Verification none;
    none.ecarts.emplace_back(ecart::identite);  // INSi found no single identity for these traits
    out.verification = none;
  }
  co_return out;
}

}  // namespace insgate::insi
