// insgate — the monthly report as .xlsx (see monthly_report_xlsx.hpp).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "stats/monthly_report_xlsx.hpp"

#include <stdlib.h>
#include <xlsxwriter.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>

namespace insgate::stats {
namespace {

namespace fs = std::filesystem;

/// A private directory removed with everything in it on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "insgate-xlsx-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr)
      throw XlsxError("xlsx: cannot create a temporary directory under " +
                      fs::temp_directory_path().string());
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct WorkbookCloser {
  void operator()(lxw_workbook* wb) const {
    if (wb) workbook_close(wb);
  }
};

void check(lxw_error e, const char* what) {
  if (e != LXW_NO_ERROR)
    throw XlsxError(std::string("xlsx: ") + what + ": " + lxw_strerror(e));
}

}  // namespace

std::string to_xlsx(const MonthlyReport& report) {
  TempDir dir;
  const std::string file = (dir.path() / "rapport.xlsx").string();
  const std::string tmpdir = dir.path().string();
  lxw_workbook_options options{};
  options.tmpdir = const_cast<char*>(tmpdir.c_str());
  std::unique_ptr<lxw_workbook, WorkbookCloser> wb(workbook_new_opt(file.c_str(), &options));
  if (!wb) throw XlsxError("xlsx: cannot create the workbook");

  const std::string sheet_name = "Activité INSi " + report.mois.iso();
  lxw_worksheet* ws = workbook_add_worksheet(wb.get(), sheet_name.c_str());
  if (ws == nullptr) throw XlsxError("xlsx: cannot add the worksheet");

  lxw_format* header = workbook_add_format(wb.get());
  format_set_bold(header);
  format_set_text_wrap(header);
  format_set_align(header, LXW_ALIGN_VERTICAL_TOP);
  lxw_format* text = workbook_add_format(wb.get());
  format_set_num_format(text, "@");
  lxw_format* count = workbook_add_format(wb.get());
  format_set_num_format(count, "0");
  lxw_format* ratio = workbook_add_format(wb.get());
  format_set_num_format(ratio, "0.0%");

  const auto headers = csv_header(report.with_taux);
  for (std::size_t c = 0; c < headers.size(); ++c)
    check(worksheet_write_string(ws, 0, static_cast<lxw_col_t>(c), headers[c].c_str(), header),
          "header");
  lxw_row_t row = 1;
  for (const auto& r : report.lignes) {
    const std::string texts[] = {r.mois, r.departement.value_or(""), r.finess, r.structure,
                                 r.categorie};
    lxw_col_t col = 0;
    for (const auto& t : texts) {
      if (t.empty()) check(worksheet_write_blank(ws, row, col, text), "blank cell");
      else check(worksheet_write_string(ws, row, col, t.c_str(), text), "text cell");
      ++col;
    }
    for (std::int64_t n : {r.sollicitations, r.recuperations, r.verifications,
                           r.utilisateurs_uniques})
      check(worksheet_write_number(ws, row, col++, static_cast<double>(n), count), "count cell");
    if (report.with_taux) {
      const auto value = r.qualification ? r.qualification->ratio() : std::nullopt;
      if (value) check(worksheet_write_number(ws, row, col, *value, ratio), "rate cell");
      else check(worksheet_write_blank(ws, row, col, ratio), "rate cell");
    }
    ++row;
  }
  if (!report.notes.empty()) ++row;  // an empty row between the table and the notes
  for (const auto& n : report.notes)
    check(worksheet_write_string(ws, row++, 0, n.c_str(), nullptr), "note");

  // Widths in characters: the header texts are long, the values short.
  const double widths[] = {9, 24, 12, 32, 24, 16, 18, 18, 14, 18};
  for (std::size_t c = 0; c < headers.size() && c < std::size(widths); ++c)
    worksheet_set_column(ws, static_cast<lxw_col_t>(c), static_cast<lxw_col_t>(c), widths[c],
                         nullptr);
  worksheet_freeze_panes(ws, 1, 0);

  lxw_doc_properties props{};
  const std::string title = "Activité INSi " + report.mois.iso();
  props.title = const_cast<char*>(title.c_str());
  props.author = const_cast<char*>("insgate");
  workbook_set_properties(wb.get(), &props);

  check(workbook_close(wb.release()), "writing the file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw XlsxError("xlsx: cannot read back the file written");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

}  // namespace insgate::stats
