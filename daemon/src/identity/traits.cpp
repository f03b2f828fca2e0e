// SPDX-License-Identifier: GPL-3.0-or-later
// Birth date, sex and COG checks, ins-identity-rules.md §2 and §2.2.
#include "identity/traits.hpp"

#include <ctime>

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

/// The sentence of the catalogue (identity/codes.hpp) for the trait `label`.
Rejection reject(std::string_view r, std::string_view label) {
  return Rejection{std::string(r), codes::phrase(r, label)};
}

constexpr std::string_view kDate = "la date de naissance";
constexpr std::string_view kSexe = "le sexe";
constexpr std::string_view kLieu = "le lieu de naissance";

}  // namespace

std::variant<DateKind, Rejection> classify_date_naissance(std::string_view d) {
  bool layout = d.size() == 10 && d[4] == '-' && d[7] == '-';
  for (std::size_t i = 0; layout && i < d.size(); ++i)
    if (i != 4 && i != 7 && !is_digit(d[i])) layout = false;
  if (!layout)
    return reject(rule::date_format_invalide, kDate);
  const int year = two_digits(d, 0) * 100 + two_digits(d, 2);
  const int month = two_digits(d, 5);
  const int day = two_digits(d, 8);
  const auto invalid = [] { return reject(rule::date_invalide, kDate); };
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
    return reject(rule::sexe_indetermine, kSexe);
  return reject(rule::sexe_invalide, kSexe);
}

std::optional<Rejection> check_date_bounds(std::string_view d, std::string_view today) {
  if (d.size() != 10 || today.size() != 10) return std::nullopt;
  const int year = two_digits(d, 0) * 100 + two_digits(d, 2);
  if (year < kAnneeMin) return reject(rule::date_trop_ancienne, kDate);
  // The earliest real day the value can designate (§2.2), as AAAA-MM-JJ.
  std::string earliest(d.substr(0, 4));
  const int month = two_digits(d, 5), day = two_digits(d, 8);
  if (month < 1 || month > 12) {
    earliest += "-01-01";
  } else {
    earliest += std::string(d.substr(4, 4));
    earliest += (day >= 1 && day <= days_in_month(year, month)) ? std::string(d.substr(8, 2)) : "01";
  }
  if (earliest > today) return reject(rule::date_future, kDate);
  return std::nullopt;
}

std::variant<std::string, Rejection> normalise_lieu_naissance(std::string_view c) {
  if (c.size() != 5) return reject(rule::cog_invalide, kLieu);
  std::string cog(c);
  if (cog[0] == '2' && (cog[1] == 'a' || cog[1] == 'b')) cog[1] = static_cast<char>(cog[1] - 32);
  for (std::size_t i = 2; i < 5; ++i)
    if (!is_digit(cog[i])) return reject(rule::cog_invalide, kLieu);
  const bool corse = cog[0] == '2' && (cog[1] == 'A' || cog[1] == 'B');
  if (!corse && (!is_digit(cog[0]) || !is_digit(cog[1]))) return reject(rule::cog_invalide, kLieu);
  const auto inexistant = [] { return reject(rule::cog_inexistant, kLieu); };
  const int commune3 = std::stoi(cog.substr(2, 3));
  if (corse) return commune3 >= 1 ? std::variant<std::string, Rejection>(cog) : inexistant();
  const int dept = two_digits(cog, 0);
  if (dept >= 1 && dept <= 95 && dept != 20)
    return commune3 >= 1 ? std::variant<std::string, Rejection>(cog) : inexistant();
  const int dept3 = dept * 10 + (cog[2] - '0');
  const int commune2 = two_digits(cog, 3);
  const bool outre_mer = (dept3 >= 971 && dept3 <= 978) || (dept3 >= 984 && dept3 <= 989);
  if (outre_mer) return commune2 >= 1 ? std::variant<std::string, Rejection>(cog) : inexistant();
  if (dept == 99 && cog[2] >= '1' && cog[2] <= '5') return cog;
  return inexistant();
}

std::string today_local() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::variant<TraitsIns, std::vector<FieldError>> validate_traits(const TraitsInput& in,
                                                                 std::string_view today) {
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
  } else if (auto bound = check_date_bounds(in.date_naissance, today)) {
    fail("traits.date_naissance", std::move(*bound));
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
