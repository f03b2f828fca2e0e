// insgate — decoding and checking the body of POST /v1/ins/recherche.
//
// Source rule: local-api.md (POST /v1/ins/recherche, Errors). JSON shape and
// types are checked here (unknown members are refused: a misspelt optional
// trait must not be dropped silently); the traits themselves are normalised
// and checked by the identity module (identity/traits.hpp,
// ins-identity-rules.md §2). Pure functions, thread-safe; messages never
// echo caller values.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/problem.hpp"
#include "insi/recherche.hpp"

namespace insgate::api {

struct RechercheInput {
  std::string operateur;
  insi::TraitsRecherche traits;
  bool cache_bypass = false;  ///< "cache": "bypass" forces an INSi call
  std::optional<std::string> finess;  ///< as sent (9 characters), if sent
};


/// Body is not JSON, too deep, has unknown members or wrong top-level
/// types: 400 requete_invalide.
struct BadRequest {
  std::string detail;
};

/// Well-formed JSON whose traits break the rules: 422 traits_invalides.
struct InvalidTraits {
  std::vector<FieldError> errors;
};

using Decoded = std::variant<RechercheInput, BadRequest, InvalidTraits>;

/// Maximum nesting of a request body; deeper documents are refused before
/// they are parsed.
inline constexpr int kMaxJsonDepth = 16;
/// At most this many birth first names.
inline constexpr std::size_t kMaxPrenoms = 10;
/// At most this many characters in a normalised birth name.
inline constexpr std::size_t kMaxNameLength = 100;

/// True when `body` nests arrays/objects deeper than `max_depth` (a linear
/// scan that skips strings).
bool json_too_deep(std::string_view body, int max_depth);

Decoded decode_recherche(std::string_view body);

/// Decodes and checks a `traits` member (shared by recherche and
/// vérification): BadRequest for unknown members, InvalidTraits for rule
/// violations, else the normalised traits.
std::variant<insi::TraitsRecherche, BadRequest, InvalidTraits> decode_traits(
    const nlohmann::json& traits);

/// Parses a body into a JSON object: BadRequest when it is too deep, not
/// JSON, not an object, or has a member outside `allowed`.
std::variant<nlohmann::json, BadRequest> parse_object(std::string_view body,
                                                      std::initializer_list<const char*> allowed);

/// The `operateur` member: required, 1..128 bytes.
std::variant<std::string, BadRequest> decode_operateur(const nlohmann::json& body);
/// The optional `finess` member (its shape is checked by parse_object).
std::optional<std::string> decode_finess(const nlohmann::json& body);
/// The optional `"cache"` member: "normal" (default) or "bypass".
std::variant<bool, BadRequest> decode_cache_bypass(const nlohmann::json& body);

}  // namespace insgate::api
