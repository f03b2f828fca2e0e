// SPDX-License-Identifier: GPL-3.0-or-later
#include "identity/matricule.hpp"

namespace insgate::identity {

std::optional<int> matricule_key(std::string_view m) {
  if (m.size() != 13) return std::nullopt;
  unsigned long long n = 0;
  for (std::size_t i = 0; i < m.size(); ++i) {
    char c = m[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (i == 6 && (c == 'A' || c == 'B') && m[5] == '2') {
      // "2A" counts as 19 and "2B" as 18: the 2 already added becomes a 1.
      n -= 1;
      digit = c == 'A' ? 9 : 8;
    } else {
      return std::nullopt;
    }
    n = n * 10 + static_cast<unsigned long long>(digit);
  }
  return static_cast<int>(97 - (n % 97));
}

bool key_matches(std::string_view matricule, std::string_view cle) {
  auto key = matricule_key(matricule);
  if (!key || cle.size() != 2 || cle[0] < '0' || cle[0] > '9' || cle[1] < '0' || cle[1] > '9')
    return false;
  return *key == (cle[0] - '0') * 10 + (cle[1] - '0');
}

OidInfo classify_oid(std::string_view oid) {
  if (oid == "1.2.250.1.213.1.4.8") return {true, "NIR", false};
  if (oid == "1.2.250.1.213.1.4.9") return {true, "NIA", false};
  if (oid == "1.2.250.1.213.1.4.10") return {true, "NIR", true};
  if (oid == "1.2.250.1.213.1.4.11") return {true, "NIR", true};
  return {};
}

std::optional<Environment> parse_environment(std::string_view name) {
  if (name == "production") return Environment::production;
  if (name == "qualification") return Environment::qualification;
  if (name == "test") return Environment::test;
  return std::nullopt;
}

OidPolicy OidPolicy::for_environment(Environment env) {
  OidPolicy p;
  p.production = env == Environment::production;
  p.accepted = {std::string(oid::nir), std::string(oid::nia)};
  if (!p.production) {
    p.accepted.emplace_back(oid::nir_test);
    p.accepted.emplace_back(oid::nir_demo);
  }
  return p;
}

bool OidPolicy::accepts(std::string_view o) const {
  for (const auto& a : accepted)
    if (a == o) return true;
  return false;
}

namespace {

// Longer than any acceptable typed form; stops the clean-up of hostile input.
constexpr std::size_t kMaxTyped = 64;

std::string clean(std::string_view s, MatriculeParsing parsing) {
  if (parsing == MatriculeParsing::strict || s.size() > kMaxTyped) return std::string(s);
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '\t') continue;
    out += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c;
  }
  return out;
}

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

void add(std::vector<std::string>& list, std::string_view name) { list.emplace_back(name); }

void check_oid(MatriculeVerdict& v, const OidPolicy& policy) {
  const OidInfo info = classify_oid(v.oid);
  if (!info.known) {
    const bool ins_c = v.oid == "1.2.250.1.213.1.4.2" || v.oid == "1.2.250.1.213.1.4.6" ||
                       v.oid == "1.2.250.1.213.1.4.7";
    add(v.anomalies, ins_c ? anomaly::oid_ins_c : anomaly::oid_inconnu);
    return;
  }
  v.type = info.type;
  v.test = info.test;
  if (policy.accepts(v.oid)) return;
  add(v.anomalies, policy.production && info.test ? anomaly::oid_interdit_en_production
                                                  : anomaly::oid_non_accepte);
}

void check_layout_and_key(MatriculeVerdict& v) {
  if (v.matricule.size() != 13 || v.cle.size() != 2) {
    add(v.anomalies, anomaly::longueur_invalide);
    return;
  }
  if (!matricule_key(v.matricule) || !all_digits(v.cle)) {
    add(v.anomalies, anomaly::format_invalide);
    return;
  }
  if (!key_matches(v.matricule, v.cle)) add(v.anomalies, anomaly::cle_invalide);
  const std::string_view m = v.matricule;
  if (m.substr(5, 2) == "20") add(v.warnings, anomaly::departement_20);
  const int month = (m[3] - '0') * 10 + (m[4] - '0');
  if (month == 0 || (month >= 13 && month <= 19) || (month >= 43 && month <= 49))
    add(v.warnings, anomaly::mois_inhabituel);
}

}  // namespace

MatriculeVerdict check_matricule(std::string_view matricule13, std::string_view cle,
                                 std::string_view oid, const OidPolicy& policy,
                                 MatriculeParsing parsing) {
  MatriculeVerdict v;
  v.matricule = clean(matricule13, parsing);
  v.cle = clean(cle, parsing);
  v.oid = std::string(oid);
  check_layout_and_key(v);
  check_oid(v, policy);
  return v;
}

MatriculeVerdict check_ins15(std::string_view ins15, std::string_view oid,
                             const OidPolicy& policy, MatriculeParsing parsing) {
  const std::string all = clean(ins15, parsing);
  if (all.size() != 15) {
    MatriculeVerdict v;
    v.oid = std::string(oid);
    add(v.anomalies, anomaly::longueur_invalide);
    check_oid(v, policy);
    return v;
  }
  return check_matricule(std::string_view(all).substr(0, 13), std::string_view(all).substr(13),
                         oid, policy, MatriculeParsing::strict);
}

}  // namespace insgate::identity
