// insgate — the monthly INSi activity report, in the columns of the
// regional INSi usage file (GET /v1/stats/mensuel, `insgatectl stats`).
//
// Columns, in this order: Mois (AAAAMM); Département ("DD - Libellé", from
// the FINESS); N° FINESS; Structure; Catégorie FINESS; Nombre de
// sollicitations INSi; Nombre d'appels à l'opération de récupération;
// Nombre d'appels à l'opération de vérification; Nombre d'utilisateurs
// uniques; then, when the caller gives it, Taux d'identités qualifiées.
// One row per configured structure (zeros when it had no activity, so a
// month without INSi call shows), then one per FINESS that had activity but
// is no longer configured (Structure and Catégorie empty); FINESS order.
// "Utilisateurs uniques" is ambiguous in the source (usagers or operators,
// ins-identity-rules.md §6): the report counts distinct operators by
// default; ReportOptions::utilisateurs selects distinct persons instead.
// The qualified-identity rate has one unit everywhere: a ratio, identities
// qualifiées / identities in the active file (0.875 in JSON, "0,875" in the
// CSV, 0.875 shown as "87,5 %" in the xlsx, the gauge
// insgate_qualified_identity_ratio). It is the month's snapshot
// (state/qualification_rate.hpp); without one the cell is empty and a note
// says why.
// Source rule: ins-identity-rules.md §6; local-api.md GET /v1/stats/mensuel.
// Pure functions; thread-safe.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "state/records.hpp"  // ActivityMonth

namespace insgate::stats {

/// A calendar month.
struct Mois {
  int annee = 0;  ///< 2000..9999
  int mois = 0;   ///< 1..12
  std::string iso() const;      ///< "AAAA-MM" (state store key)
  std::string compact() const;  ///< "AAAAMM" (Mois column)
  bool operator==(const Mois&) const = default;
};

/// parse_mois() result: `mois` set, or `erreur` says why (French, for a
/// problem+json detail; never echoes more than the input's first 32 bytes).
struct MoisOuErreur {
  std::optional<Mois> mois;
  std::string erreur;
  explicit operator bool() const { return mois.has_value(); }
};

/// Validates the `mois=AAAA-MM` query parameter: exactly 4 digits, '-', 2
/// digits, year 2000..9999, month 01..12.
MoisOuErreur parse_mois(std::string_view text);

/// One configured structure (configuration `structure:` keys).
struct StructureInfo {
  std::string finess;     ///< 9 characters
  std::string nom;        ///< Structure column
  std::string categorie;  ///< Catégorie FINESS column, verbatim from the configuration
};

/// The qualified-identity rate of one FINESS for the month, as the
/// month's snapshot gave it.
struct TauxQualification {
  std::int64_t qualifiees = 0;  ///< identities with status qualifiée in the active file
  std::int64_t file_active = 0; ///< identities in the active file (window from the configuration)
  std::string releve_le;        ///< when the snapshot was taken, "AAAA-MM-JJTHH:MM:SSZ"; "" unknown
  /// qualifiees / file_active in [0, 1]; nullopt when the file is empty.
  std::optional<double> ratio() const;
};

/// Per FINESS, its rate for the month; nullopt when no snapshot exists.
using TauxParFiness = std::map<std::string, std::optional<TauxQualification>>;

enum class UtilisateursUniques { operateurs, personnes };

struct ReportOptions {
  UtilisateursUniques utilisateurs = UtilisateursUniques::operateurs;
};

/// One row of the report.
struct ReportRow {
  std::string mois;                        ///< "AAAAMM"
  std::optional<std::string> departement;  ///< "DD - Libellé"; nullopt if the FINESS encodes none
  std::string finess;
  std::string structure;
  std::string categorie;
  std::int64_t sollicitations = 0;
  std::int64_t recuperations = 0;
  std::int64_t verifications = 0;
  std::int64_t utilisateurs_uniques = 0;
  std::optional<TauxQualification> qualification;  ///< nullopt: no snapshot for the month
  state::ActivityMonth detail;  ///< every counter, for the JSON form
};

struct MonthlyReport {
  Mois mois;
  std::vector<ReportRow> lignes;
  bool with_taux = false;  ///< whether the rate column is present (a rate was given)
  /// Readers' notes (French), one sentence each: why a rate cell is empty.
  std::vector<std::string> notes;
};

/// @param activity rows of the state store for `mois` (others are ignored).
/// @param taux per FINESS; when empty the report has no rate column. A
/// FINESS mapped to nullopt, or missing from a non-empty map, gets an empty
/// rate cell and a note.
MonthlyReport build_report(const Mois& mois, const std::vector<StructureInfo>& structures,
                           const std::vector<state::ActivityMonth>& activity,
                           const TauxParFiness& taux = {}, const ReportOptions& options = {});

/// The column headers, in order (the rate column last, when wanted).
std::vector<std::string> csv_header(bool with_taux);

/// CSV as French spreadsheets open it: UTF-8 with BOM, ';' separator, CRLF
/// line endings, a field quoted with '"' (inner '"' doubled) when it holds
/// ';', '"', CR or LF. The rate is the ratio with three decimals and a
/// decimal comma ("0,875"), empty when unknown. Notes, if any, follow the
/// rows after an empty line, one per line. The FINESS is a plain field: a
/// spreadsheet that guesses types drops its leading zero unless the column
/// is imported as text (README), or use the xlsx form.
std::string to_csv(const MonthlyReport& report);

/// {"mois": "AAAA-MM", "colonnes": [...], "lignes": [{"mois": "AAAAMM",
///  "departement": "75 - Paris"|null, "finess", "structure",
///  "categorie_finess", "sollicitations_insi", "appels_recuperation",
///  "appels_verification", "utilisateurs_uniques",
///  ["identites_qualifiees": N|null, "identites_file_active": N|null,
///   "ratio_identites_qualifiees": 0..1|null,
///   "taux_releve_le": "AAAA-MM-JJTHH:MM:SSZ"|null,]
///  "detail": {"cr00", "cr01", "cr02", "erreurs", "cache_hits",
///             "operateurs_distincts", "personnes_distinctes"}}],
///  "notes": ["..."]}
nlohmann::json to_json(const MonthlyReport& report);

}  // namespace insgate::stats
