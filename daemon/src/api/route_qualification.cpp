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

#include <algorithm>

namespace insgate::api {
namespace {

using nlohmann::json;

std::string champ_of(std::string_view anomaly) {
  if (anomaly == identity::anomaly::cle_invalide) return "ins.cle";
  if (anomaly.rfind("oid", 0) == 0) return "ins.oid";
  return "ins.matricule";
}

}  // namespace

std::optional<identity::Ins> read_ins(BodyReader& body, const identity::OidPolicy& policy) {
  const json* ins = body.get("ins", JsonType::object, true);
  if (!ins) return std::nullopt;
  BodyReader r(*ins, "ins.", body.findings);
  r.only({"matricule", "cle", "oid"});
  auto matricule = r.non_empty_text("matricule", true);
  auto cle = r.non_empty_text("cle", true);
  auto oid = r.non_empty_text("oid", true);
  if (!matricule || !cle || !oid) return std::nullopt;
  auto verdict =
      identity::check_matricule(*matricule, *cle, *oid, policy, identity::MatriculeParsing::lenient);
  // The anomaly names of identity/matricule.hpp are rules of the catalogue too.
  for (const auto& a : verdict.anomalies) body.findings.values.push_back(field_error(champ_of(a), a));
  if (!verdict.valid()) return std::nullopt;
  return identity::Ins{verdict.matricule, verdict.cle, verdict.oid};
}

std::variant<QualificationInput, BadRequest, InvalidTraits> decode_qualification(
    std::string_view body, const identity::OidPolicy& policy, std::string_view today) {
  auto parsed = parse_object(body);
  if (auto* b = std::get_if<BadRequest>(&parsed)) return *b;
  const json& j = std::get<json>(parsed);
  Findings f;
  BodyReader r(j, "", f);
  r.only({"operateur", "ins", "piece_identite", "identifiant_local", "finess"});
  QualificationInput in;
  auto op = read_operateur(r);
  auto ins = read_ins(r, policy);
  if (const json* piece = r.get("piece_identite", JsonType::object, true)) {
    BodyReader p(*piece, "piece_identite.", f);
    p.only({"type", "verifiee_le"});
    if (auto type = p.non_empty_text("type", true)) {
      if (auto pt = state::parse_piece_type(*type)) in.piece.type = *pt;
      else p.fail("type", identity::rule::piece_inconnue);
    }
    if (auto d = p.non_empty_text("verifiee_le", true)) {
      // A real calendar day (no unknown part: the check happened on a known
      // day), not in the future.
      auto kind = identity::classify_date_naissance(*d);
      if (!std::holds_alternative<identity::DateKind>(kind) ||
          std::get<identity::DateKind>(kind) != identity::DateKind::calendrier)
        p.fail("verifiee_le", identity::rule::format_invalide);
      else if (*d > today)
        p.fail("verifiee_le", identity::rule::date_future);
      else
        in.piece.verifiee_le = *d;
    }
  }
  if (auto local = r.non_empty_text("identifiant_local", true)) {
    const bool control = std::any_of(local->begin(), local->end(), [](unsigned char c) {
      return c < 0x20 || c == 0x7f;
    });
    if (local->size() > 64) r.fail("identifiant_local", identity::rule::trop_long);
    else if (control) r.fail("identifiant_local", identity::rule::caractere_de_controle);
    else in.identifiant_local = *local;
  }
  in.finess = read_finess(r);
  if (auto bad = f.bad_request()) return *bad;
  if (auto inv = f.invalid()) return *inv;
  in.operateur = std::move(*op);
  in.ins = *ins;
  return in;
}

ApiResponse qualification_answer(const state::QualifyOutcome& o, const identity::Ins& ins,
                                 const std::string& requete_id) {
  using identity::codes::Kind;
  if (o.result == state::QualifyResult::not_retrieved_via_insi)
    return problem(409, "statut_incompatible", "Qualification impossible",
                   std::string(*identity::codes::texte(Kind::motif,
                                                       identity::motif::ins_non_recupere)),
                   {{"motif", identity::motif::ins_non_recupere}, {"requete_id", requete_id}});
  if (o.result == state::QualifyResult::refused)
    return problem(409, "statut_incompatible", "Qualification refusée",
                   std::string(identity::codes::texte(Kind::motif, o.motif)
                                   .value_or("L'identité ne peut pas être qualifiée.")),
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
  if (auto* bad = std::get_if<BadRequest>(&decoded)) co_return bad_request(*bad);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  auto& input = std::get<QualificationInput>(decoded);
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  auto resolved = setup->structures.resolve(input.finess, call.caller);
  if (auto* refused = std::get_if<ApiResponse>(&resolved)) co_return *refused;
  const StructurePtr structure = std::get<StructurePtr>(resolved);
  auto outcome = co_await ctx.state().qualify(structure->cfg.finess, input.ins, input.piece,
                                              input.identifiant_local, input.operateur);
  spdlog::info("[IDENTITY_QUALIFICATION] request {}: {}", call.requete_id,
               outcome.result == state::QualifyResult::qualified ? "qualifiee" : "refusee");
  co_return qualification_answer(outcome, input.ins, call.requete_id);
}

}  // namespace insgate::api
