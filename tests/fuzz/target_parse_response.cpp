// SPDX-License-Identifier: GPL-3.0-or-later
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>

#include "insi/soap_codec.hpp"
#include "targets.hpp"

namespace insgate::fuzz {

int parse_response_one(const std::uint8_t* data, std::size_t size) {
  std::string_view body(reinterpret_cast<const char*>(data), size);
  insi::Response r = insi::parse_response(body);
  // Documented: a RESULTAT always has a CR, and CR 00 always an INDIVIDU.
  if (auto* res = std::get_if<insi::Resultat>(&r)) {
    // Found by this fuzzer: `<CodeCR encoding=>02</CodeCR>` once parsed as a
    // RESULTAT with an empty CR (tests/fuzz/regressions/parse_response/).
    if (res->code_cr.empty()) __builtin_trap();
    if (res->code_cr == "00" && !res->individu) __builtin_trap();
    // Documented (issue 22): no value over its maximum (in characters; at
    // most 6 bytes each as gSOAP writes UTF-8), at most 100 INSHISTO.
    if (const auto& ind = res->individu) {
      auto over = [](const std::optional<std::string>& v, std::size_t chars) {
        return v && v->size() > chars * 6;
      };
      if (ind->ins_histo.size() > 100) __builtin_trap();
      if (ind->ins_actif.matricule.size() > 13 * 6) __builtin_trap();
      if (over(ind->tiq.nom_naissance, 100) || over(ind->tiq.liste_prenoms, 255) ||
          over(ind->tiq.lieu_naissance, 5))
        __builtin_trap();
    }
  }
  return 0;
}

}  // namespace insgate::fuzz
