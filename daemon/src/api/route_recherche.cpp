// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_recherche.hpp"

#include "api/recherche_answer.hpp"
#include "api/recherche_input.hpp"
#include "api/request_checks.hpp"
#include "api/route_context.hpp"
#include "api/state_gateway.hpp"
#include "insi/recherche.hpp"

namespace insgate::api {

asio::awaitable<ApiResponse> route_recherche(RouteContext& ctx, const RouteCall& call) {
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(call.req)) co_return *refused;
  Decoded decoded = decode_recherche(call.req.body());
  if (auto* bad = std::get_if<BadRequest>(&decoded)) co_return bad_request(*bad);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<RechercheInput>(decoded);
  auto resolved = setup->structures.resolve(input.finess, call.caller);
  if (auto* refused = std::get_if<ApiResponse>(&resolved)) co_return *refused;
  const StructurePtr structure = std::get<StructurePtr>(resolved);

  RequestRecord record;
  record.finess = structure->cfg.finess;
  record.operateur = input.operateur;
  record.cache_key = state::ResultCache::key_in(structure->cfg.finess, state::ResultCache::key_for(input.traits));
  if (auto cached = co_await ctx.from_cache(record, input.cache_bypass, call.requete_id))
    co_return recherche_answer(*cached, input.traits, call.requete_id, ctx.oid_policy(), "cache");
  auto started = Clock::now();
  auto outcome = co_await insi::rechercher_par_traits(*structure->transport, structure->call_context,
                                                      input.traits, ctx.limits(cfg), ctx.policy(cfg, *structure));
  ctx.note_insi_outcome(outcome, "INSI_RECHERCHE", call.requete_id, structure->cfg.finess,
                        metrics::Operation::recuperation_traits, started);
  record.outcome = &outcome;
  record.anomalies = has_anomalies(outcome, ctx.oid_policy());
  ctx.state().record(record);
  co_return recherche_answer(outcome, input.traits, call.requete_id, ctx.oid_policy());
}

}  // namespace insgate::api
