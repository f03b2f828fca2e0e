// insgate — the monthly INSi activity report as an Office Open XML
// spreadsheet (.xlsx), written with libxlsxwriter (Debian libxlsxwriter).
//
// Why a real spreadsheet: a CSV leaves the cell types to the spreadsheet's
// guess, and LibreOffice Calc or Excel turn the FINESS "010000001" into the
// number 10000001 (every structure of départements 01 to 09). Here the
// types are in the file:
//  - Mois (AAAAMM), Département, N° FINESS, Structure, Catégorie FINESS:
//    text cells (cell format "@", so a later edit stays text too);
//  - the four counts: number cells;
//  - the qualified-identity rate: the ratio (0.875) as a number cell with
//    the percentage format "0.0%" (shown "87,5 %" in a French locale);
//    empty when unknown, with the report's notes below the table.
// One sheet, "Activité INSi AAAA-MM"; the header row is frozen.
// Source rule: ins-identity-rules.md §6 (regional usage file columns).
// Thread safety: [any-thread] (each call has its own workbook and file).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <stdexcept>
#include <string>

#include "stats/monthly_report.hpp"

namespace insgate::stats {

class XlsxError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The bytes of the .xlsx file. libxlsxwriter writes to a file: it goes to
/// a private temporary directory (mode 0700 under $TMPDIR or /tmp), is read
/// back and removed. The report holds counts only, no identity data.
/// @throw XlsxError when the file cannot be written.
std::string to_xlsx(const MonthlyReport& report);

/// Media type of the .xlsx file.
inline constexpr const char* kXlsxContentType =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

}  // namespace insgate::stats
