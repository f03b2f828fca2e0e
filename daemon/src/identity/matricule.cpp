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

}  // namespace insgate::identity
