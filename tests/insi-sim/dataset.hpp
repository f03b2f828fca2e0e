// insi-sim — the simulator's dataset: test persons and what INSi answers for
// them (insi-protocol.md §4.2 RESULTAT, §7 faults, §9 test persons), loaded
// from YAML (format documented at the top of dataset.yaml).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "insi/insi_messages.hpp"

namespace insgate::insi_sim {

/// What the simulator sends back for a matched person.
struct Answer {
  enum class Kind { resultat, fault, replay };
  Kind kind = Kind::resultat;
  insi::Resultat resultat;   ///< Kind::resultat (CR 00, 01 or 02)
  insi::Fault fault;         ///< Kind::fault; message_id is set per request
  std::string replay_body;   ///< Kind::replay: the file content, served verbatim
  unsigned replay_status = 200;  ///< 200 for a RESULTAT, 500 for a Fault
  std::string replay_path;   ///< for logs only
  /// Kind::replay: Content-Encoding header to send with the file (e.g.
  /// "gzip" for a file that is gzip data; "" = none).
  std::string replay_content_encoding;
  /// Kind::replay: the file is a whole HTTP response (status line, headers,
  /// body), written verbatim, and the connection closed after it.
  bool replay_raw_http = false;
};

/// One dataset entry: the traits it answers to and its answer.
struct Person {
  std::string nom_naissance;
  std::vector<std::string> prenoms;  ///< Prenom values answered by this entry
  std::string sexe;
  std::string date_naissance;
  std::optional<std::string> lieu_naissance;
  Answer answer;
  std::chrono::milliseconds delay{0};
  bool reset = false;  ///< close the TCP connection abruptly, no answer
  /// Send the answer's header and only part of its body, then reset the
  /// connection (an answer cut off in transit).
  bool truncate = false;
  /// Card data this entry answers a carte Vitale search for (optional):
  /// the insured person's NIR on the card and the beneficiary's birth rank.
  std::optional<std::string> vitale_matricule_od;
  std::string vitale_rang = "1";
};

class Dataset {
 public:
  /// Loads a dataset; replay paths are resolved against `recorded_dir`
  /// (current directory when empty) and read now.
  /// @throw std::runtime_error with the entry index on any format error.
  static Dataset load(const std::string& path, const std::string& recorded_dir);

  /// The entry answering this traits search (exact string equality on
  /// NomNaissance, Prenom, Sexe, DateNaissance; LieuNaissance compared only
  /// when both sides have one), or nullptr (→ CR 01).
  const Person* match(const insi::RechercheTraits& traits) const;

  /// The entry answering a carte Vitale search: same insured NIR
  /// (MatriculeOD), birth date and rank; or nullptr (→ CR 01).
  const Person* match(const insi::RechercheVitale& vitale) const;

  size_t size() const { return persons_.size(); }

 private:
  std::vector<Person> persons_;
};

/// The RESULTAT of a CR without INDIVIDU ("01" or "02") with its exact
/// LibelleCR (§4.2).
insi::Resultat resultat_without_individu(const std::string& code_cr);

}  // namespace insgate::insi_sim
