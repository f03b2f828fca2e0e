// SPDX-License-Identifier: GPL-3.0-or-later
// Trait normalisation, ins-identity-rules.md §2.1. Every pass is linear in the
// input; no regular expression touches caller input.
#include "identity/normalise.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf16.h>

namespace insgate::identity {
namespace {

enum class Kind { birth_name, first_name };

std::string_view label(Kind k) {
  return k == Kind::birth_name ? "le nom de naissance" : "un prénom";
}

Rejection reject(std::string_view r, Kind k) {
  return Rejection{std::string(r), codes::phrase(r, label(k))};
}

/// Strict UTF-8 decoding: no overlong forms, no surrogates, nothing above U+10FFFF.
bool decode_utf8(std::string_view s, std::u32string& out) {
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) { out.push_back(b0); ++i; continue; }
    std::size_t len;
    char32_t cp, min;
    if ((b0 & 0xE0) == 0xC0) { len = 2; cp = b0 & 0x1F; min = 0x80; }
    else if ((b0 & 0xF0) == 0xE0) { len = 3; cp = b0 & 0x0F; min = 0x800; }
    else if ((b0 & 0xF8) == 0xF0) { len = 4; cp = b0 & 0x07; min = 0x10000; }
    else return false;
    if (i + len > s.size()) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    out.push_back(cp);
    i += len;
  }
  return true;
}

/// Step 1: mappings that must run before the decomposition.
void map_explicit(char32_t c, std::u32string& out) {
  switch (c) {
    case U'\u0152': case U'\u0153': out += U"OE"; return;  // Œ œ
    case U'\u00C6': case U'\u00E6': out += U"AE"; return;  // Æ æ
    case U'\u00DF': case U'\u1E9E': out += U"SS"; return;  // ß ẞ
    case U'\u00D8': case U'\u00F8': out += U'O'; return;   // Ø ø
    case U'\u0141': case U'\u0142': out += U'L'; return;   // Ł ł
    case U'\u0110': case U'\u0111': out += U'D'; return;   // Đ đ
    case U'\u2019': case U'\u2018': case U'\u02BC': case U'`': case U'\u00B4': case U'\u2032':
      out += U'\''; return;
    case U'\u2212': out += U'-'; return;
    case U'\u00AD': case U'\u200B': case U'\u200C': case U'\u200D': case U'\uFEFF': return;
    default:
      if (c >= 0x2010 && c <= 0x2015) { out += U'-'; return; }
      out += c;
  }
}

/// Steps 1–4 up to the alphabet check: the value in A–Z, space, ' and -.
std::variant<std::string, Rejection> prepare(std::string_view utf8, Kind kind) {
  if (utf8.size() > kMaxNameBytes) return reject(rule::trop_long, kind);
  std::u32string decoded;
  if (!decode_utf8(utf8, decoded)) return reject(rule::utf8_invalide, kind);

  std::u32string mapped;
  mapped.reserve(decoded.size() + 8);
  for (char32_t c : decoded) map_explicit(c, mapped);

  // Step 2: NFKD, combining marks dropped.
  UErrorCode status = U_ZERO_ERROR;
  const icu::Normalizer2* nfkd = icu::Normalizer2::getNFKDInstance(status);
  if (U_FAILURE(status)) return reject(rule::normalisation_impossible, kind);
  const auto src = icu::UnicodeString::fromUTF32(reinterpret_cast<const UChar32*>(mapped.data()),
                                                 static_cast<int32_t>(mapped.size()));
  const icu::UnicodeString nfkd_text = nfkd->normalize(src, status);
  if (U_FAILURE(status)) return reject(rule::normalisation_impossible, kind);

  // Step 3: upper case, white space → one space, none around hyphens, trim.
  std::u32string folded;
  folded.reserve(static_cast<std::size_t>(nfkd_text.length()));
  for (int32_t i = 0; i < nfkd_text.length();) {
    const UChar32 c = nfkd_text.char32At(i);
    i += U16_LENGTH(c);
    if (U_GET_GC_MASK(c) & U_GC_M_MASK) continue;
    if (u_isUWhiteSpace(c)) {
      if (!folded.empty() && folded.back() != U' ' && folded.back() != U'-') folded += U' ';
      continue;
    }
    const auto up = static_cast<char32_t>(u_toupper(c));
    if (up == U'-' && !folded.empty() && folded.back() == U' ') folded.pop_back();
    folded += up;
  }
  if (!folded.empty() && folded.back() == U' ') folded.pop_back();

  // Step 4: the allowed alphabet; never delete what cannot be mapped.
  std::string out;
  out.reserve(folded.size());
  for (char32_t c : folded) {
    const bool ok = (c >= U'A' && c <= U'Z') || c == U' ' || c == U'\'' || c == U'-';
    if (!ok) return reject(rule::caractere_interdit, kind);
    out += static_cast<char>(c);
  }
  if (out.empty()) return reject(rule::vide, kind);
  return out;
}

/// The alphabet check of step 4 on a value that is not normalised.
std::optional<Rejection> check_alphabet(std::string_view s, Kind kind) {
  if (s.size() > kMaxNameBytes) return reject(rule::trop_long, kind);
  if (s.empty()) return reject(rule::vide, kind);
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || c == ' ' || c == '\'' || c == '-';
    if (!ok) return reject(rule::caractere_interdit, kind);
  }
  return std::nullopt;
}

/// Syntax checks of §2.1 on one value already in the allowed alphabet.
std::optional<Rejection> check_syntax(std::string_view s, Kind kind) {
  if (s.front() == '-' || s.front() == '\'' || s.front() == ' ') return reject(rule::debut_invalide, kind);
  if (s.back() == '-' || s.back() == '\'' || s.back() == ' ') return reject(rule::fin_invalide, kind);
  std::size_t hyphens = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    hyphens = s[i] == '-' ? hyphens + 1 : 0;
    if (hyphens >= 3) return reject(rule::tirets_multiples, kind);
    if (hyphens == 2 && kind == Kind::first_name) return reject(rule::double_tiret_prenom, kind);
    if (i == 0) continue;
    const char a = s[i - 1], b = s[i];
    if ((a == '\'' && b == '-') || (a == '-' && b == '\'')) return reject(rule::apostrophe_tiret, kind);
    if (a == '\'' && b == '\'') return reject(rule::apostrophes_doubles, kind);
    if ((a == '\'' && b == ' ') || (a == ' ' && b == '\'')) return reject(rule::espace_apostrophe, kind);
  }
  return std::nullopt;
}

}  // namespace

std::variant<std::string, Rejection> normalise_nom_naissance(std::string_view utf8) {
  auto prepared = prepare(utf8, Kind::birth_name);
  if (auto* r = std::get_if<Rejection>(&prepared)) return std::move(*r);
  auto& s = std::get<std::string>(prepared);
  if (auto r = check_syntax(s, Kind::birth_name)) return std::move(*r);
  return std::move(s);
}

std::variant<std::string, Rejection> normalise_prenom(std::string_view utf8) {
  auto prepared = prepare(utf8, Kind::first_name);
  if (auto* r = std::get_if<Rejection>(&prepared)) return std::move(*r);
  auto& s = std::get<std::string>(prepared);
  if (auto r = check_syntax(s, Kind::first_name)) return std::move(*r);
  if (s.find(' ') != std::string::npos) return reject(rule::espace_dans_prenom, Kind::first_name);
  return std::move(s);
}

std::variant<std::vector<std::string>, Rejection> normalise_prenoms(
    const std::vector<std::string>& inputs) {
  std::size_t total = 0;
  for (const auto& in : inputs) {
    total += in.size();
    if (total > kMaxNameBytes) return reject(rule::trop_long, Kind::first_name);
  }
  if (inputs.empty()) return reject(rule::vide, Kind::first_name);

  std::vector<std::string> names;
  for (const auto& in : inputs) {
    auto prepared = prepare(in, Kind::first_name);
    if (auto* r = std::get_if<Rejection>(&prepared)) return std::move(*r);
    const auto& s = std::get<std::string>(prepared);
    // Checked on the whole element first: "D' ARTAGNAN" is a misplaced space,
    // not two first names.
    for (std::size_t i = 1; i < s.size(); ++i) {
      if ((s[i - 1] == '\'' && s[i] == ' ') || (s[i - 1] == ' ' && s[i] == '\''))
        return reject(rule::espace_apostrophe, Kind::first_name);
    }
    std::size_t start = 0;
    while (start <= s.size()) {
      std::size_t end = s.find(' ', start);
      if (end == std::string::npos) end = s.size();
      std::string_view one(s.data() + start, end - start);
      if (one.empty()) return reject(rule::vide, Kind::first_name);
      if (auto r = check_syntax(one, Kind::first_name)) return std::move(*r);
      names.emplace_back(one);
      start = end + 1;
    }
  }
  return names;
}

std::optional<Rejection> check_nom_naissance_insi(std::string_view value) {
  if (auto r = check_alphabet(value, Kind::birth_name)) return r;
  return check_syntax(value, Kind::birth_name);
}

std::optional<Rejection> check_liste_prenoms_insi(std::string_view value) {
  if (auto r = check_alphabet(value, Kind::first_name)) return r;
  std::size_t start = 0;
  while (start <= value.size()) {
    std::size_t end = value.find(' ', start);
    if (end == std::string_view::npos) end = value.size();
    const std::string_view one = value.substr(start, end - start);
    // An empty first name: a leading, trailing or doubled space.
    if (one.empty()) return reject(start == 0 ? rule::debut_invalide : rule::fin_invalide, Kind::first_name);
    if (auto r = check_syntax(one, Kind::first_name)) return r;
    start = end + 1;
  }
  return std::nullopt;
}

}  // namespace insgate::identity
