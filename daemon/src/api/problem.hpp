// insgate — API responses and RFC 9457 problem documents (local-api.md, Errors).
//
// The rule for errors (README, "Local API"): 400 requete_invalide when the
// body cannot be read as the route's JSON document (not JSON, too deep, not
// an object, an unknown member, a member of the wrong JSON type — the detail
// and `errors` name the member and the expected type); 422 traits_invalides
// when the document is well formed but a value is missing or breaks a rule
// (one `errors` entry per field). Every `errors[]` entry has `champ` (the
// member's path), `regle` (identity/codes.hpp) and `message` (a French
// sentence built from the rule and the field, never the value).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "identity/codes.hpp"

namespace insgate::api {

/// What a route returns; the server adds X-Request-Id and Content-Length.
struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra, e.g. Retry-After
};

/// One failing field: the field's JSON path, the sentence, the rule it
/// breaks. Never the value. Build it with field_error().
struct FieldError {
  std::string champ;
  std::string message;
  std::string regle;  ///< a rule of identity/codes.hpp
};

/// Body is not JSON, too deep, has unknown members or members of the wrong
/// JSON type: 400 requete_invalide. `errors` names the members when known.
struct BadRequest {
  std::string detail;  ///< a French sentence
  std::vector<FieldError> errors;
};

/// Well-formed JSON whose values are missing or break a rule: 422.
struct InvalidTraits {
  std::vector<FieldError> errors;
};

/// @brief The French label of a field path ("traits.sexe" → "le sexe",
/// "traits.prenoms[1]" → "le 2e prénom de naissance"); an unknown path is
/// shown quoted.
std::string label_of(std::string_view champ);
/// The JSON type a member must have, in French ("une chaîne de caractères").
std::string_view type_attendu(std::string_view champ);
/// The expected form of a member's value for format_invalide / trop_long
/// ("9 caractères"); empty when the field has none.
std::string_view forme_attendue(std::string_view champ);

/// @brief A field error whose message is the catalogue's sentence for
/// `regle` on `champ` (identity::codes::phrase). `attendu` replaces
/// `{attendu}`; by default the field's type (type_invalide) or expected form.
FieldError field_error(std::string champ, std::string_view regle, std::string_view attendu = {});

/// Serialises JSON for the wire; invalid UTF-8 from anywhere is replaced,
/// never thrown.
std::string dump(const nlohmann::json& j);

ApiResponse json_response(unsigned status, const nlohmann::json& body);

/// A problem+json response. `code` is a problem code of identity/codes.hpp
/// (checked at compile time). `extra` members are merged into the document.
ApiResponse problem(unsigned status, identity::codes::Probleme code, const std::string& title,
                    const std::string& detail, nlohmann::json extra = nlohmann::json::object());

/// 422 traits_invalides; the title names what is wrong (traits, INS,
/// identity document, carte Vitale data…).
ApiResponse invalid_traits(const std::vector<FieldError>& errors);

/// 400 requete_invalide with the detail and, when known, `errors`.
ApiResponse bad_request(const BadRequest& bad);

}  // namespace insgate::api
