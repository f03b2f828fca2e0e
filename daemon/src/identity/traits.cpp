// SPDX-License-Identifier: GPL-3.0-or-later
// Birth date, sex and COG checks, ins-identity-rules.md §2 and §2.2.
#include "identity/traits.hpp"

namespace insgate::identity {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

int two_digits(std::string_view s, std::size_t at) {
  return (s[at] - '0') * 10 + (s[at + 1] - '0');
}

bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

Rejection reject(std::string_view r, std::string message) {
  return Rejection{std::string(r), std::move(message)};
}

}  // namespace

std::variant<DateKind, Rejection> classify_date_naissance(std::string_view d) {
  bool layout = d.size() == 10 && d[4] == '-' && d[7] == '-';
  for (std::size_t i = 0; layout && i < d.size(); ++i)
    if (i != 4 && i != 7 && !is_digit(d[i])) layout = false;
  if (!layout)
    return reject(rule::date_format_invalide,
                  "La date de naissance doit avoir la forme AAAA-MM-JJ.");
  const int year = two_digits(d, 0) * 100 + two_digits(d, 2);
  const int month = two_digits(d, 5);
  const int day = two_digits(d, 8);
  const auto invalid = [] {
    return reject(rule::date_invalide,
                  "La date de naissance n'est ni une date réelle, ni une date partiellement "
                  "inconnue (jour ou mois 00), ni une date lunaire admise.");
  };
  if (year == 0 || day > 35) return invalid();
  if (month == 0) return day <= 31 ? std::variant<DateKind, Rejection>(DateKind::partiellement_inconnue)
                                   : invalid();
  if (month > 12) return DateKind::lunaire;
  if (day == 0) return DateKind::partiellement_inconnue;
  if (day <= days_in_month(year, month)) return DateKind::calendrier;
  if (day >= 31) return DateKind::lunaire;  // week 1–5 of a known month
  return invalid();
}

std::variant<std::string, Rejection> normalise_sexe(std::string_view s) {
  if (s == "M" || s == "m") return std::string("M");
  if (s == "F" || s == "f") return std::string("F");
  if (s == "I" || s == "i" || s == "U" || s == "u")
    return reject(rule::sexe_indetermine,
                  "Le sexe indéterminé ne peut pas être transmis à INSi : M ou F attendu.");
  return reject(rule::sexe_invalide, "Le sexe doit valoir M ou F.");
}

std::variant<std::string, Rejection> normalise_lieu_naissance(std::string_view c) {
  const auto invalid = [] {
    return reject(rule::cog_invalide,
                  "Le lieu de naissance doit être un code COG de 5 caractères (commune, 2A/2B "
                  "pour la Corse, 99 suivi du code pays pour l'étranger).");
  };
  if (c.size() != 5) return invalid();
  std::string cog(c);
  if (cog[0] == '2' && (cog[1] == 'a' || cog[1] == 'b')) cog[1] = static_cast<char>(cog[1] - 32);
  for (std::size_t i = 2; i < 5; ++i)
    if (!is_digit(cog[i])) return invalid();
  if (cog[0] == '2' && (cog[1] == 'A' || cog[1] == 'B')) return cog;
  if (!is_digit(cog[0]) || !is_digit(cog[1])) return invalid();
  const int dept = two_digits(cog, 0);
  if (dept >= 1 && dept <= 95) return cog;
  if (dept == 97 && cog[2] >= '1' && cog[2] <= '8') return cog;
  if (dept == 98 && cog[2] >= '4' && cog[2] <= '9') return cog;
  if (dept == 99 && cog.compare(2, 3, "000") != 0) return cog;
  return invalid();
}

std::variant<TraitsIns, std::vector<FieldError>> validate_traits(const TraitsInput& in) {
  TraitsIns out;
  std::vector<FieldError> errors;
  const auto fail = [&errors](std::string_view champ, Rejection r) {
    errors.push_back(FieldError{std::string(champ), std::move(r.rule), std::move(r.message)});
  };

  auto nom = normalise_nom_naissance(in.nom_naissance);
  if (auto* r = std::get_if<Rejection>(&nom)) fail("traits.nom_naissance", std::move(*r));
  else out.nom_naissance = std::move(std::get<std::string>(nom));

  auto prenoms = normalise_prenoms(in.prenoms);
  if (auto* r = std::get_if<Rejection>(&prenoms)) fail("traits.prenoms", std::move(*r));
  else out.prenoms = std::move(std::get<std::vector<std::string>>(prenoms));

  auto sexe = normalise_sexe(in.sexe);
  if (auto* r = std::get_if<Rejection>(&sexe)) fail("traits.sexe", std::move(*r));
  else out.sexe = std::move(std::get<std::string>(sexe));

  auto date = classify_date_naissance(in.date_naissance);
  if (auto* r = std::get_if<Rejection>(&date)) {
    fail("traits.date_naissance", std::move(*r));
  } else {
    out.date_naissance = in.date_naissance;
    out.date_kind = std::get<DateKind>(date);
  }

  if (in.lieu_naissance) {
    auto lieu = normalise_lieu_naissance(*in.lieu_naissance);
    if (auto* r = std::get_if<Rejection>(&lieu)) fail("traits.lieu_naissance", std::move(*r));
    else out.lieu_naissance = std::move(std::get<std::string>(lieu));
  }

  if (!errors.empty()) return errors;
  return out;
}

std::vector<TraitAnomaly> check_traits_insi(const TraitsInsiView& t) {
  std::vector<TraitAnomaly> out;
  const auto add = [&out](std::string_view trait, std::string_view r) {
    out.push_back(TraitAnomaly{std::string(trait), std::string(r)});
  };
  if (t.nom_naissance)
    if (auto r = check_nom_naissance_insi(*t.nom_naissance)) add("nom_naissance", r->rule);
  if (t.liste_prenoms)
    if (auto r = check_liste_prenoms_insi(*t.liste_prenoms)) add("liste_prenoms", r->rule);
  if (t.prenom)
    if (auto r = check_liste_prenoms_insi(*t.prenom)) add("prenom", r->rule);
  if (t.sexe && *t.sexe != "M" && *t.sexe != "F") add("sexe", rule::sexe_invalide);
  if (t.date_naissance) {
    auto d = classify_date_naissance(*t.date_naissance);
    if (auto* r = std::get_if<Rejection>(&d)) add("date_naissance", r->rule);
  }
  if (t.lieu_naissance) {
    auto l = normalise_lieu_naissance(*t.lieu_naissance);
    const auto* cog = std::get_if<std::string>(&l);
    if (cog == nullptr || *cog != *t.lieu_naissance) add("lieu_naissance", rule::cog_invalide);
  }
  return out;
}

}  // namespace insgate::identity
