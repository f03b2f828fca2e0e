// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/problem.hpp"

namespace insgate::api {

std::string dump(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiResponse json_response(unsigned status, const nlohmann::json& body) {
  ApiResponse r;
  r.status = status;
  r.body = dump(body);
  return r;
}

ApiResponse problem(unsigned status, const std::string& code, const std::string& title,
                    const std::string& detail, nlohmann::json extra) {
  nlohmann::json j = {{"type", "urn:insgate:problem:" + code},
                      {"title", title},
                      {"status", status},
                      {"detail", detail},
                      {"code", code}};
  if (extra.is_object()) j.update(extra);
  ApiResponse r = json_response(status, j);
  r.content_type = "application/problem+json";
  return r;
}

ApiResponse invalid_traits(const std::vector<FieldError>& errors) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& e : errors) {
    nlohmann::json item = {{"champ", e.champ}, {"message", e.message}};
    if (!e.regle.empty()) item["regle"] = e.regle;
    list.push_back(std::move(item));
  }
  return problem(422, "traits_invalides", "Traits d'identité invalides",
                 "Un ou plusieurs traits ne respectent pas les règles INS; voir errors.",
                 {{"errors", list}});
}

}  // namespace insgate::api
