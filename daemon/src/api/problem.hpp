// insgate — API responses and RFC 9457 problem documents (local-api.md, Errors).
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace insgate::api {

/// What a route returns; the server adds X-Request-Id and Content-Length.
struct ApiResponse {
  unsigned status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  ///< extra, e.g. Retry-After
};

/// One failing field of a 422: the field's JSON path and the rule it breaks.
/// Never the value.
struct FieldError {
  std::string champ;
  std::string message;
  std::string regle;  ///< the rule broken (ins-identity-rules.md names), may be empty
};

/// Serialises JSON for the wire; invalid UTF-8 from anywhere is replaced,
/// never thrown.
std::string dump(const nlohmann::json& j);

ApiResponse json_response(unsigned status, const nlohmann::json& body);

/// A problem+json response. `code` is the stable machine-readable code of
/// local-api.md (requete_invalide, traits_invalides, insi_erreur, ...).
/// `extra` members are merged into the document.
ApiResponse problem(unsigned status, const std::string& code, const std::string& title,
                    const std::string& detail, nlohmann::json extra = nlohmann::json::object());

ApiResponse invalid_traits(const std::vector<FieldError>& errors);

}  // namespace insgate::api
