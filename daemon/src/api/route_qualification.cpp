// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_qualification.hpp"

#include <spdlog/spdlog.h>

#include <ctime>

#include "api/recherche_answer.hpp"
#include "api/request_checks.hpp"
#include "api/route_context.hpp"
#include "api/state_gateway.hpp"
#include "identity/representations.hpp"
#include "identity/traits.hpp"

namespace insgate::api {
namespace {

using nlohmann::json;

std::string champ_of(std::string_view anomaly) {
  if (anomaly == "cle_invalide") return "ins.cle";
  if (anomaly.rfind("oid", 0) == 0) return "ins.oid";
  return "ins.matricule";
}

bool printable_id(const std::string& v) {
  if (v.empty() || v.size() > 64) return false;
  for (unsigned char c : v)
    if (c < 0x20 || c == 0x7f) return false;
  return true;
}

}  // namespace

std::optional<identity::Ins> decode_ins(const json& j, const identity::OidPolicy& policy,
                                        std::vector<FieldError>& errors,
                                        std::optional<BadRequest>& bad) {
  auto ins = j.find("ins");
  if (ins == j.end() || !ins->is_object()) {
    bad = BadRequest{"ins (objet) est obligatoire."};
    return std::nullopt;
  }
  for (const auto& [k, v] : ins->items())
    if (k != "matricule" && k != "cle" && k != "oid") {
      bad = BadRequest{"Membre inconnu dans ins."};
      return std::nullopt;
    }
  std::size_t before = errors.size();
  auto text = [&](const char* key) -> std::string {
    auto it = ins->find(key);
    if (it == ins->end() || !it->is_string() || it->get_ref<const std::string&>().empty()) {
      errors.push_back({std::string("ins.") + key,
                        std::string("ins.") + key + " : chaîne obligatoire", "obligatoire"});
      return {};
    }
    return it->get<std::string>();
  };
  std::string matricule = text("matricule"), cle = text("cle"), oid = text("oid");
  if (errors.size() != before) return std::nullopt;
  auto verdict =
      identity::check_matricule(matricule, cle, oid, policy, identity::MatriculeParsing::lenient);
  for (const auto& a : verdict.anomalies)
    errors.push_back({champ_of(a), champ_of(a) + " : INS refusé (" + a + ")", a});
  if (!verdict.valid()) return std::nullopt;
  return identity::Ins{verdict.matricule, verdict.cle, verdict.oid};
}

std::variant<QualificationInput, BadRequest, InvalidTraits> decode_qualification(
    std::string_view body, const identity::OidPolicy& policy, std::string_view today) {
  auto parsed =
      parse_object(body, {"operateur", "ins", "piece_identite", "identifiant_local", "finess"});
  if (auto* b = std::get_if<BadRequest>(&parsed)) return *b;
  const json& j = std::get<json>(parsed);
  auto op = decode_operateur(j);
  if (auto* b = std::get_if<BadRequest>(&op)) return *b;

  std::vector<FieldError> errors;
  std::optional<BadRequest> bad;
  auto ins = decode_ins(j, policy, errors, bad);
  if (bad) return *bad;

  QualificationInput in;
  auto piece = j.find("piece_identite");
  if (piece == j.end() || !piece->is_object()) return BadRequest{"piece_identite (objet) est obligatoire."};
  for (const auto& [k, v] : piece->items())
    if (k != "type" && k != "verifiee_le") return BadRequest{"Membre inconnu dans piece_identite."};
  auto type = piece->find("type");
  std::optional<state::PieceType> pt;
  if (type != piece->end() && type->is_string())
    pt = state::parse_piece_type(type->get_ref<const std::string&>());
  if (!pt)
    errors.push_back({"piece_identite.type",
                      "piece_identite.type : CNI, PASSEPORT, TITRE_SEJOUR ou LIVRET_FAMILLE_ACTE",
                      "piece_inconnue"});
  else
    in.piece.type = *pt;
  auto date = piece->find("verifiee_le");
  bool date_ok = date != piece->end() && date->is_string();
  if (date_ok) {
    const auto& d = date->get_ref<const std::string&>();
    auto kind = identity::classify_date_naissance(d);
    date_ok = std::holds_alternative<identity::DateKind>(kind) &&
              std::get<identity::DateKind>(kind) == identity::DateKind::calendrier && d <= today;
    if (date_ok) in.piece.verifiee_le = d;
  }
  if (!date_ok)
    errors.push_back({"piece_identite.verifiee_le",
                      "piece_identite.verifiee_le : date réelle AAAA-MM-JJ, pas dans le futur",
                      "date_invalide"});
  auto local = j.find("identifiant_local");
  if (local == j.end() || !local->is_string() || !printable_id(local->get<std::string>()))
    errors.push_back({"identifiant_local",
                      "identifiant_local : chaîne de 1 à 64 caractères imprimables", "obligatoire"});
  else
    in.identifiant_local = local->get<std::string>();
  if (!errors.empty()) return InvalidTraits{std::move(errors)};
  in.operateur = std::get<std::string>(std::move(op));
  in.finess = decode_finess(j);
  in.ins = *ins;
  return in;
}

ApiResponse qualification_answer(const state::QualifyOutcome& o, const identity::Ins& ins,
                                 const std::string& requete_id) {
  if (o.result == state::QualifyResult::not_retrieved_via_insi)
    return problem(409, "statut_incompatible", "Qualification impossible",
                   "Cet INS n'a été ni récupéré ni vérifié via INSi par ce démon : faites "
                   "d'abord une récupération ou une vérification.",
                   {{"motif", "ins_non_recupere"}, {"requete_id", requete_id}});
  if (o.result == state::QualifyResult::refused)
    return problem(409, "statut_incompatible", "Qualification refusée",
                   "L'identité ne peut pas être qualifiée (" + o.motif + ").",
                   {{"motif", o.motif}, {"requete_id", requete_id}});
  auto status = identity::RnivStatus::qualifiee;
  json j = {{"statut", identity::to_api_name(status)},
            {"ins", {{"matricule", ins.matricule}, {"cle", ins.cle}, {"oid", ins.oid}}},
            {"evenement_emis", o.event_queued},
            {"requete_id", requete_id}};
  if (auto addr = identity::mssante_address(ins, status)) j["mssante"] = *addr;
  return json_response(200, j);
}

asio::awaitable<ApiResponse> route_qualification(RouteContext& ctx, const RouteCall& call) {
  if (auto refused = check_json_body(call.req)) co_return *refused;
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  localtime_r(&now, &tm);
  char today[16];
  std::strftime(today, sizeof today, "%Y-%m-%d", &tm);
  auto decoded = decode_qualification(call.req.body(), ctx.oid_policy(), today);
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  auto& input = std::get<QualificationInput>(decoded);
  if (auto refused = foreign_finess(input.finess, *ctx.setup()->cfg)) co_return *refused;
  auto outcome = co_await ctx.state().qualify(input.ins, input.piece, input.identifiant_local,
                                              input.operateur);
  spdlog::info("[IDENTITY_QUALIFICATION] request {}: {}", call.requete_id,
               outcome.result == state::QualifyResult::qualified ? "qualifiee" : "refusee");
  co_return qualification_answer(outcome, input.ins, call.requete_id);
}

}  // namespace insgate::api
