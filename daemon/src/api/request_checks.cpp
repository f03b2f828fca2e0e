// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/request_checks.hpp"

namespace insgate::api {
namespace {

bool is_json(const Request& req) {
  auto it = req.find(http::field::content_type);
  if (it == req.end()) return true;  // lenient with old clients that send none
  std::string_view v = sv(it->value());
  v = v.substr(0, v.find(';'));
  while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) v.remove_suffix(1);
  return beast::iequals(beast::string_view(v.data(), v.size()), "application/json");
}

}  // namespace

std::optional<ApiResponse> check_json_body(const Request& req) {
  if (!is_json(req))
    return problem(415, "requete_invalide", "Type de contenu non pris en charge",
                   "Content-Type attendu : application/json.");
  if (req.body().find('\0') != std::string::npos)
    return problem(400, "requete_invalide", "Requête invalide", "Le corps contient un octet nul.");
  return std::nullopt;
}

}  // namespace insgate::api
