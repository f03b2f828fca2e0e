// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/http_exchange.hpp"

#include <algorithm>
#include <cctype>

#include "api/route_table.hpp"
#include "metrics/metrics.hpp"
#include "util/ids.hpp"

namespace insgate::api {

std::string request_id_of(const Request& req) {
  auto it = req.find("X-Request-Id");
  if (it != req.end()) {
    std::string_view v = sv(it->value());
    bool ok = !v.empty() && v.size() <= 128;
    for (char c : v)
      ok = ok && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' ||
                  c == '.' || c == ':');
    if (ok) return std::string(v);
  }
  return util::new_uuid();
}

std::string loggable(const Request& req) {
  std::string_view target = sv(req.target());
  std::string_view path = target.substr(0, target.find('?'));
  bool known_path = route_label(path) != metrics::kAutre;
  bool known_method = req.method() != http::verb::unknown;
  return std::string(known_method ? sv(req.method_string()) : "(methode inconnue)") + " " +
         (known_path ? std::string(path) : "(chemin inconnu)");
}

Response to_http(const ApiResponse& r, unsigned version, bool keep_alive,
                 const std::string& requete_id) {
  Response res{static_cast<http::status>(r.status), version};
  res.set(http::field::server, "insgated/" INSGATE_VERSION);
  res.set(http::field::content_type, r.content_type + "; charset=utf-8");
  res.set("X-Request-Id", requete_id);
  for (const auto& [k, v] : r.headers) res.set(k, v);
  res.keep_alive(keep_alive);
  res.body() = r.body;
  res.prepare_payload();
  return res;
}

ApiResponse not_allowed() {
  return problem(403, "appelant_non_autorise", "Appelant non autorisé",
                 "Le compte du logiciel appelant n'est pas autorisé par la configuration du "
                 "démon (api.utilisateurs_autorises, api.groupes_autorises).");
}

ApiResponse saturated() {
  auto busy = problem(503, "service_sature", "Trop de connexions",
                      "Le démon a atteint api.connexions_max ; réessayez plus tard.");
  busy.headers.emplace_back("Retry-After", "1");
  return busy;
}

ApiResponse stopping_now() {
  auto answer = problem(503, "arret_en_cours", "Arrêt du démon",
                        "insgated s'arrête : la requête n'a pas pu aboutir à temps ; "
                        "réessayez après son redémarrage.");
  answer.headers.emplace_back("Retry-After", "5");
  return answer;
}

ApiResponse read_failure(const boost::system::error_code& ec) {
  if (ec == http::error::body_limit)
    return problem(413, "requete_invalide", "Corps trop volumineux",
                   "Le corps de la requête dépasse 64 Kio.");
  if (ec == http::error::header_limit)
    return problem(431, "requete_invalide", "En-têtes trop volumineux",
                   "Les en-têtes de la requête dépassent 16 Kio, ou ses trailers (après le "
                   "dernier bloc) 8 Kio.");
  if (ec == http::error::bad_chunk_extension || ec == http::error::bad_chunk)
    return problem(400, "requete_invalide", "Bloc (chunked) invalide",
                   "Une ligne de taille de bloc est mal formée ou dépasse 4 Kio (extensions "
                   "comprises).");
  if (ec == beast::error::timeout)
    return problem(408, "requete_invalide", "Délai de réception dépassé",
                   "La requête n'a pas été reçue en entier dans le délai.");
  return problem(400, "requete_invalide", "Requête HTTP invalide",
                 "La requête HTTP est mal formée.");
}

bool answerable(const boost::system::error_code& ec) {
  return ec == beast::error::timeout ||
         (ec.category() == http::make_error_code(http::error::bad_version).category() &&
          ec != http::error::end_of_stream && ec != http::error::partial_message);
}

bool unsupported_transfer_coding(const Request& req) {
  auto it = req.find(http::field::transfer_encoding);
  if (it == req.end()) return false;
  std::string v(sv(it->value()));
  for (auto& c : v) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  v.erase(std::remove(v.begin(), v.end(), ' '), v.end());
  return v != "chunked";
}

}  // namespace insgate::api
