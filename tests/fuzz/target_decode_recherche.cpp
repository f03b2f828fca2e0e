// SPDX-License-Identifier: GPL-3.0-or-later
#include <string_view>

#include "api/recherche_input.hpp"
#include "targets.hpp"

namespace insgate::fuzz {

int decode_recherche_one(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  api::Decoded d = api::decode_recherche(body);
  // Documented: operateur 1..128 bytes, at least one and at most 10 first
  // names, every error list non-empty.
  if (auto* in = std::get_if<api::RechercheInput>(&d)) {
    if (in->operateur.empty() || in->operateur.size() > 128) __builtin_trap();
    if (in->traits.prenoms.empty() || in->traits.prenoms.size() > api::kMaxPrenoms) __builtin_trap();
    if (in->traits.nom_naissance.empty()) __builtin_trap();
  } else if (auto* bad = std::get_if<api::InvalidTraits>(&d)) {
    if (bad->errors.empty()) __builtin_trap();
  }
  return 0;
}

}  // namespace insgate::fuzz
