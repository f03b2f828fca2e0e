// insgate — the monthly INSi activity report (see monthly_report.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/monthly_report.hpp"

#include <algorithm>
#include <cstdio>

#include "stats/departements.hpp"

namespace insgate::stats {

namespace {

bool digits(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int to_int(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

std::string two(int v) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d", v);
  return buf;
}

/// RFC 4180 quoting, with ';' as the separator.
std::string csv_field(std::string_view v) {
  if (v.find_first_of(";\"\r\n") == std::string_view::npos) return std::string(v);
  std::string out = "\"";
  for (char c : v) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

/// The ratio, three decimals, decimal comma, rounded half up: 7/8 → "0,875".
std::string ratio_text(const TauxQualification& t) {
  if (t.file_active <= 0) return "";
  const std::int64_t q = std::clamp<std::int64_t>(t.qualifiees, 0, t.file_active);
  const std::int64_t thousandths = (q * 2000 + t.file_active) / (2 * t.file_active);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%lld,%03lld", static_cast<long long>(thousandths / 1000),
                static_cast<long long>(thousandths % 1000));
  return buf;
}

}  // namespace

std::string Mois::iso() const { return std::to_string(annee) + "-" + two(mois); }
std::string Mois::compact() const { return std::to_string(annee) + two(mois); }

MoisOuErreur parse_mois(std::string_view text) {
  MoisOuErreur r;
  if (text.size() != 7 || text[4] != '-' || !digits(text.substr(0, 4)) ||
      !digits(text.substr(5, 2))) {
    r.erreur = "mois doit être au format AAAA-MM (par exemple 2026-03)";
    return r;
  }
  const int annee = to_int(text.substr(0, 4));
  const int mois = to_int(text.substr(5, 2));
  if (annee < 2000) {
    r.erreur = "mois : année antérieure à 2000";
    return r;
  }
  if (mois < 1 || mois > 12) {
    r.erreur = "mois : le mois doit être compris entre 01 et 12";
    return r;
  }
  r.mois = Mois{annee, mois};
  return r;
}

std::optional<double> TauxQualification::ratio() const {
  if (file_active <= 0) return std::nullopt;
  return static_cast<double>(std::clamp<std::int64_t>(qualifiees, 0, file_active)) /
         static_cast<double>(file_active);
}

MonthlyReport build_report(const Mois& mois, const std::vector<StructureInfo>& structures,
                           const std::vector<state::ActivityMonth>& activity,
                           const TauxParFiness& taux, const ReportOptions& options) {
  MonthlyReport report;
  report.mois = mois;
  report.with_taux = !taux.empty();
  const std::string iso = mois.iso();

  auto make_row = [&](const std::string& finess) {
    ReportRow row;
    row.mois = mois.compact();
    row.finess = finess;
    if (auto d = departement_of_finess(finess)) row.departement = d->label();
    row.detail.finess = finess;
    row.detail.mois = iso;
    if (auto it = taux.find(finess); it != taux.end()) row.qualification = it->second;
    return row;
  };

  std::map<std::string, ReportRow> rows;
  for (const auto& s : structures) {
    auto [it, inserted] = rows.try_emplace(s.finess, make_row(s.finess));
    if (inserted) {
      it->second.structure = s.nom;
      it->second.categorie = s.categorie;
    }
  }
  for (const auto& a : activity) {
    if (a.mois != iso) continue;
    auto it = rows.try_emplace(a.finess, make_row(a.finess)).first;
    auto& row = it->second;
    // Several rows of one FINESS cannot come from one store; add them up all the same.
    auto& d = row.detail;
    state::add_activity_counters(d, a);
    d.operateurs_distincts += a.operateurs_distincts;
    d.personnes_distinctes += a.personnes_distinctes;
  }
  for (auto& [finess, row] : rows) {
    row.sollicitations = row.detail.sollicitations;
    row.recuperations = row.detail.recuperations;
    row.verifications = row.detail.verifications;
    row.utilisateurs_uniques = options.utilisateurs == UtilisateursUniques::operateurs
                                   ? row.detail.operateurs_distincts
                                   : row.detail.personnes_distinctes;
    if (report.with_taux && !row.qualification)
      report.notes.push_back("Taux d'identités qualifiées de " + finess + " non disponible pour " +
                             iso + " : aucun relevé de ce mois (insgated relève le taux chaque "
                             "minute pendant le mois en cours ; il ne tournait pas ce mois-là, "
                             "ou le mois n'est pas encore commencé).");
    else if (report.with_taux && !row.qualification->ratio())
      report.notes.push_back("Taux d'identités qualifiées de " + finess + " vide pour " + iso +
                             " : aucune identité dans la file active au relevé.");
    report.lignes.push_back(std::move(row));
  }
  return report;
}

std::vector<std::string> csv_header(bool with_taux) {
  std::vector<std::string> h{"Mois",
                             "Département",
                             "N° FINESS",
                             "Structure",
                             "Catégorie FINESS",
                             "Nombre de sollicitations INSi",
                             "Nombre d'appels à l'opération de récupération",
                             "Nombre d'appels à l'opération de vérification",
                             "Nombre d'utilisateurs uniques"};
  if (with_taux) h.emplace_back("Taux d'identités qualifiées (ratio de 0 à 1)");
  return h;
}

std::string to_csv(const MonthlyReport& report) {
  std::string out = "\xEF\xBB\xBF";
  auto line = [&out](const std::vector<std::string>& fields) {
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i) out += ';';
      out += csv_field(fields[i]);
    }
    out += "\r\n";
  };
  line(csv_header(report.with_taux));
  for (const auto& r : report.lignes) {
    std::vector<std::string> f{r.mois,
                               r.departement.value_or(""),
                               r.finess,
                               r.structure,
                               r.categorie,
                               std::to_string(r.sollicitations),
                               std::to_string(r.recuperations),
                               std::to_string(r.verifications),
                               std::to_string(r.utilisateurs_uniques)};
    if (report.with_taux) f.push_back(r.qualification ? ratio_text(*r.qualification) : "");
    line(f);
  }
  if (!report.notes.empty()) {
    out += "\r\n";
    for (const auto& n : report.notes) line({n});
  }
  return out;
}

nlohmann::json to_json(const MonthlyReport& report) {
  nlohmann::json lignes = nlohmann::json::array();
  for (const auto& r : report.lignes) {
    nlohmann::json l{{"mois", r.mois},
                     {"departement", r.departement ? nlohmann::json(*r.departement)
                                                   : nlohmann::json(nullptr)},
                     {"finess", r.finess},
                     {"structure", r.structure},
                     {"categorie_finess", r.categorie},
                     {"sollicitations_insi", r.sollicitations},
                     {"appels_recuperation", r.recuperations},
                     {"appels_verification", r.verifications},
                     {"utilisateurs_uniques", r.utilisateurs_uniques}};
    if (report.with_taux) {
      const auto& q = r.qualification;
      const auto ratio = q ? q->ratio() : std::nullopt;
      l["identites_qualifiees"] = q ? nlohmann::json(q->qualifiees) : nlohmann::json(nullptr);
      l["identites_file_active"] = q ? nlohmann::json(q->file_active) : nlohmann::json(nullptr);
      l["ratio_identites_qualifiees"] = ratio ? nlohmann::json(*ratio) : nlohmann::json(nullptr);
      l["taux_releve_le"] = q && !q->releve_le.empty() ? nlohmann::json(q->releve_le)
                                                       : nlohmann::json(nullptr);
    }
    const auto& d = r.detail;
    l["detail"] = {{"cr00", d.cr00},
                   {"cr01", d.cr01},
                   {"cr02", d.cr02},
                   {"erreurs", d.erreurs},
                   {"cache_hits", d.cache_hits},
                   {"operateurs_distincts", d.operateurs_distincts},
                   {"personnes_distinctes", d.personnes_distinctes}};
    lignes.push_back(std::move(l));
  }
  return {{"mois", report.mois.iso()},
          {"colonnes", csv_header(report.with_taux)},
          {"lignes", std::move(lignes)},
          {"notes", report.notes}};
}

}  // namespace insgate::stats
