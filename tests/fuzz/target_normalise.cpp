// SPDX-License-Identifier: GPL-3.0-or-later
#include <string>
#include <string_view>
#include <vector>

#include "identity/normalise.hpp"
#include "targets.hpp"

namespace insgate::fuzz {
namespace {

/// A normalised value: non-empty, only A–Z, space, ' and -; normalising it
/// again gives it back (idempotence) when it fits the input cap.
template <class F>
void check_value(const std::string& v, F again) {
  if (v.empty()) __builtin_trap();
  for (char c : v)
    if (!((c >= 'A' && c <= 'Z') || c == ' ' || c == '\'' || c == '-')) __builtin_trap();
  // NFKD may expand (U+3389 "㎉", 3 bytes → "KCAL"): a result over the raw
  // input cap cannot be fed back.
  if (v.size() > identity::kMaxNameBytes) return;
  auto r = again(v);
  auto* s = std::get_if<std::string>(&r);
  if (!s || *s != v) __builtin_trap();
}

}  // namespace

int normalise_one(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const unsigned mode = data[0] % 3;
  std::string_view in(reinterpret_cast<const char*>(data + 1), size - 1);
  if (mode == 0) {
    auto r = identity::normalise_nom_naissance(in);
    if (auto* s = std::get_if<std::string>(&r))
      check_value(*s, [](const std::string& v) { return identity::normalise_nom_naissance(v); });
  } else if (mode == 1) {
    auto r = identity::normalise_prenom(in);
    if (auto* s = std::get_if<std::string>(&r)) {
      if (s->find(' ') != std::string::npos) __builtin_trap();
      check_value(*s, [](const std::string& v) { return identity::normalise_prenom(v); });
    }
  } else {
    std::vector<std::string> list;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= in.size(); ++i)
      if (i == in.size() || in[i] == '\n') {
        list.emplace_back(in.substr(start, i - start));
        start = i + 1;
      }
    auto r = identity::normalise_prenoms(list);
    if (auto* v = std::get_if<std::vector<std::string>>(&r)) {
      if (v->empty()) __builtin_trap();
      for (const auto& p : *v) {
        if (p.find(' ') != std::string::npos) __builtin_trap();
        check_value(p, [](const std::string& x) { return identity::normalise_prenom(x); });
      }
    }
  }
  return 0;
}

}  // namespace insgate::fuzz
