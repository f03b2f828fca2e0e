// Shared helpers of the bundled-plugin tests: a sample qualifiée event (the
// ins-identity-rules.md §5 person) and a private temporary directory.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <vector>

#include "plugin_host/plugin_loader.hpp"

namespace insgate::plugin_test {

namespace fs = std::filesystem;

inline plugin_host::IdentityEvent sample_event() {
  plugin_host::IdentityEvent ev;
  ev.kind = plugin_host::EventKind::qualifiee;
  ev.idempotency_key = "evt-0001";
  ev.event_time = "2024-01-15T10:30:00Z";
  ev.local_id = "IPP000123";
  ev.rniv_status = "qualifiee";
  ev.ins = {"292032A004012", "33", "1.2.250.1.213.1.4.8"};
  ev.nom_naissance = "DE LA FONTAINE";
  ev.liste_prenoms = "BERENICE ANNE-SOPHIE";
  ev.premier_prenom = "BERENICE";
  ev.sexe = "F";
  ev.date_naissance = "1992-03-15";
  ev.lieu_naissance = "2A004";
  // ABI minor 1: how the identity was established.
  ev.insi_call_time = "2024-01-15T10:25:12Z";
  ev.identity_document_type = "CNI";
  ev.identity_document_checked_on = "2024-01-15";
  // ABI minor 2: the structure.
  ev.finess = "010000024";
  return ev;
}

/// Identity data that must never appear in an error text.
inline std::vector<std::string> identity_data(const plugin_host::IdentityEvent& ev) {
  return {ev.ins.matricule, ev.nom_naissance, ev.premier_prenom, ev.local_id};
}

/// mkdtemp directory removed (recursively) on destruction.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "insgate_plugins_XXXXXX").string();
    if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

}  // namespace insgate::plugin_test
