// Helpers shared by the state unit tests: a temporary state directory, a
// fixed clock, sample INSi answers (fictitious people).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

#include "identity/matricule.hpp"
#include "insi/insi_messages.hpp"
#include "state/records.hpp"

namespace insgate::state::test {

namespace fs = std::filesystem;

/// A fresh directory under the system temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "insgate-state-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    path_ = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

inline std::string read_bytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), {}};
}

/// 2024-03-15T12:00:00Z, mid-month whatever the local time zone.
inline TimePoint t0() { return TimePoint{std::chrono::seconds{1710504000}}; }

inline identity::Ins ins_a() { return {"2800275056123", "41", std::string(identity::oid::nir)}; }
inline identity::Ins ins_b() { return {"1800275056124", "07", std::string(identity::oid::nir)}; }
inline identity::Ins ins_test_oid() {
  return {"2800275056123", "41", std::string(identity::oid::nir_test)};
}

inline insi::Resultat cr00(const identity::Ins& ins) {
  insi::Individu ind;
  ind.ins_actif = {ins.matricule, ins.cle, ins.oid, std::nullopt, std::nullopt};
  ind.tiq = {"DUPONT", "MARIE", "MARIE LOUISE", "F", "1980-02-29", "75056"};
  return {"00", "OK", ind};
}

inline insi::Resultat cr(const char* code) { return {code, "KO", std::nullopt}; }

}  // namespace insgate::state::test
