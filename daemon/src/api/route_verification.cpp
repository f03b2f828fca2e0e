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

VerificationDecoded decode_verification(std::string_view body, const identity::OidPolicy& policy,
                                        std::string_view today) {
  auto parsed = parse_object(body);
  if (auto* bad = std::get_if<BadRequest>(&parsed)) return *bad;
  const json& j = std::get<json>(parsed);
  Findings f;
  BodyReader r(j, "", f);
  r.only({"operateur", "ins", "traits", "finess"});
  auto op = read_operateur(r);
  auto ins = read_ins(r, policy);
  auto traits = read_traits(r, today);
  auto finess = read_finess(r);
  if (auto bad = f.bad_request()) return *bad;
  if (auto inv = f.invalid()) return *inv;
  VerificationInput in;
  in.operateur = std::move(*op);
  in.finess = std::move(finess);
  in.ins = {ins->matricule, ins->cle, ins->oid};
  in.traits = std::move(*traits);
  return in;
}

namespace {

/// Advice of a vérification, from its outcome and what was sent.
std::optional<std::string> conseil_verification(const std::string& cr, const insi::Verification& v,
                                                const insi::TraitsRecherche& envoyes) {
  const bool lieu = envoyes.lieu_naissance.has_value();
  if (cr == "02") {
    const bool un_prenom = envoyes.prenoms.size() <= 1;
    std::string s = "Plusieurs identités correspondent à ces traits : l'INS ne peut pas être "
                    "vérifié ; ";
    if (un_prenom && !lieu)
      s += "ajoutez les autres prénoms de naissance et le lieu de naissance (code officiel "
           "géographique, COG)";
    else if (un_prenom)
      s += "ajoutez les autres prénoms de naissance";
    else if (!lieu)
      s += "ajoutez le lieu de naissance (code officiel géographique, COG)";
    else
      s += "tous les prénoms et le lieu de naissance ont été envoyés, vérifiez les traits sur "
           "une pièce d'identité";
    return s + ", puis refaites la vérification.";
  }
  if (cr != "00")
    return std::string("INSi ne trouve aucune identité avec ces traits : l'INS ne peut pas être "
                       "vérifié ; vérifiez sur une pièce d'identité le nom de naissance, les "
                       "prénoms, le sexe et la date de naissance") +
           (lieu ? ", et que le lieu de naissance est le code officiel géographique (COG) et "
                   "non le code postal"
                 : "") +
           ", puis refaites la vérification.";
  if (v.ins_historique)
    return "L'INS transmis est un ancien INS de cette personne : remplacez-le dans le dossier "
           "par l'INS actif (ins).";
  if (!v.conforme)
    return "L'INS ou des traits diffèrent de ceux d'INSi (voir ecarts) : contrôlez l'identité "
           "sur une pièce d'identité ; si INSi a raison, mettez à jour le dossier avec ins et "
           "traits_ins, sinon ne rattachez pas cet INS à ce dossier.";
  for (const auto& e : v.ecarts)
    if (e == identity::ecart::liste_prenoms_incomplete)
      return "INS et traits conformes ; complétez les prénoms de naissance du dossier avec la "
             "liste d'INSi (traits_ins.liste_prenoms).";
  return std::nullopt;
}

}  // namespace

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
            {"statut", nullptr},
            {"appels_insi", o.recherche.appels},
            {"requete_id", requete_id}};
  const bool trouvee = r.code_cr == "00" && r.individu.has_value();
  if (trouvee) {
    j["ins"] = ins_json(r.individu->ins_actif);
    j["traits_ins"] = traits_ins_json(r.individu->tiq);
    j["anomalies"] = anomalies_json(*r.individu, policy);
  }
  // The same rule as the récupérations (identity::answer_status): a
  // conforming INS checked through INSi supports "récupérée" (attribute I).
  j["statut"] = statut_json(trouvee, !j["anomalies"].empty(), v.conforme);
  if (auto c = conseil_verification(r.code_cr, v, o.envoyes)) j["conseil"] = *c;
  return json_response(200, j);
}

asio::awaitable<ApiResponse> route_verification(RouteContext& ctx, const RouteCall& call) {
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(call.req)) co_return *refused;
  auto decoded = decode_verification(call.req.body(), ctx.oid_policy());
  if (auto* bad = std::get_if<BadRequest>(&decoded)) co_return bad_request(*bad);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<VerificationInput>(decoded);
  auto resolved = setup->structures.resolve(input.finess, call.caller);
  if (auto* refused = std::get_if<ApiResponse>(&resolved)) co_return *refused;
  const StructurePtr structure = std::get<StructurePtr>(resolved);
  auto started = Clock::now();
  auto outcome = co_await ctx.verificateur().verifier(*structure->transport, structure->call_context,
                                                      input.ins, input.traits, ctx.limits(cfg),
                                                      ctx.policy(cfg, *structure));
  ctx.note_insi_outcome(outcome.recherche, "INSI_VERIFICATION", call.requete_id,
                        structure->cfg.finess,
                        metrics::Operation::verification, started);
  RequestRecord record;
  record.operation = state::InsiOperation::verification;
  record.finess = structure->cfg.finess;
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
