// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_verification.hpp"

#include "api/recherche_answer.hpp"
#include "api/request_checks.hpp"
#include "api/route_context.hpp"
#include "api/route_qualification.hpp"
#include "api/state_gateway.hpp"

namespace insgate::api {
namespace {

using nlohmann::json;

}  // namespace

VerificationDecoded decode_verification(std::string_view body, const identity::OidPolicy& policy) {
  auto parsed = parse_object(body, {"operateur", "ins", "traits", "finess"});
  if (auto* bad = std::get_if<BadRequest>(&parsed)) return *bad;
  const json& j = std::get<json>(parsed);
  auto op = decode_operateur(j);
  if (auto* bad = std::get_if<BadRequest>(&op)) return *bad;

  std::vector<FieldError> errors;
  std::optional<BadRequest> bad;
  auto ins = decode_ins(j, policy, errors, bad);
  if (bad) return *bad;

  auto traits = j.find("traits");
  if (traits == j.end()) return BadRequest{"traits (objet) est obligatoire."};
  auto t = decode_traits(*traits);
  if (auto* bad = std::get_if<BadRequest>(&t)) return *bad;
  if (auto* inv = std::get_if<InvalidTraits>(&t))
    errors.insert(errors.end(), inv->errors.begin(), inv->errors.end());

  VerificationInput in;
  if (ins) in.ins = {ins->matricule, ins->cle, ins->oid};
  if (!errors.empty()) return InvalidTraits{std::move(errors)};
  in.operateur = std::get<std::string>(std::move(op));
  in.finess = decode_finess(j);
  in.traits = std::get<insi::TraitsRecherche>(std::move(t));
  return in;
}

ApiResponse verification_answer(const insi::VerificationOutcome& o, const char* methode,
                                 const std::string& requete_id,
                                 const identity::OidPolicy& policy) {
  if (auto failure = insi_failure_answer(o.recherche)) return *failure;
  const auto& r = o.recherche.resultat;
  const auto& v = o.verification.value_or(insi::Verification{});
  json j = {{"cr", r.code_cr},
            {"libelle_cr", r.libelle_cr},
            {"conforme", v.conforme},
            {"ecarts", v.ecarts},
            {"ins_historique", v.ins_historique},
            {"methode", methode},
            {"ins", nullptr},
            {"traits_ins", nullptr},
            {"anomalies", json::array()},
            {"statut", "provisoire"},
            {"appels_insi", o.recherche.appels},
            {"requete_id", requete_id}};
  if (r.individu) {
    j["ins"] = ins_json(r.individu->ins_actif);
    j["traits_ins"] = traits_ins_json(r.individu->tiq);
    j["anomalies"] = anomalies_json(*r.individu, policy);
    // A conforming INS checked through INSi is at least "récupérée" (RNIV
    // attribute I); anything else leaves the identity provisoire.
    if (v.conforme && j["anomalies"].empty()) j["statut"] = "recuperee";
  }
  return json_response(200, j);
}

asio::awaitable<ApiResponse> route_verification(RouteContext& ctx, const RouteCall& call) {
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(call.req)) co_return *refused;
  auto decoded = decode_verification(call.req.body(), ctx.oid_policy());
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<VerificationInput>(decoded);
  if (auto refused = foreign_finess(input.finess, cfg)) co_return *refused;
  auto started = Clock::now();
  auto outcome = co_await ctx.verificateur().verifier(*setup->transport, cfg.call_context,
                                                      input.ins, input.traits, ctx.limits(cfg),
                                                      ctx.policy(cfg));
  ctx.note_insi_outcome(outcome.recherche, "INSI_VERIFICATION", call.requete_id,
                        metrics::Operation::verification, started);
  RequestRecord record;
  record.operation = state::InsiOperation::verification;
  record.operateur = input.operateur;
  record.outcome = &outcome.recherche;
  // Only a conforming answer confirms the INS (attribute I).
  record.anomalies = has_anomalies(outcome.recherche, ctx.oid_policy()) ||
                     !(outcome.verification && outcome.verification->conforme);
  ctx.state().record(record);
  co_return verification_answer(outcome, ctx.verificateur().methode(), call.requete_id,
                                ctx.oid_policy());
}

}  // namespace insgate::api
