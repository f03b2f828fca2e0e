// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/route_recherche_vitale.hpp"

#include <libxml/parser.h>
#include <openssl/evp.h>

#include "api/recherche_answer.hpp"
#include "api/request_checks.hpp"
#include "api/route_context.hpp"
#include "api/state_gateway.hpp"
#include "identity/matricule.hpp"
#include "identity/normalise.hpp"
#include "identity/traits.hpp"
#include "insi/recherche_vitale.hpp"

namespace insgate::api {
namespace {

using nlohmann::json;

bool digits(std::string_view v, std::size_t min, std::size_t max) {
  if (v.size() < min || v.size() > max) return false;
  for (char c : v)
    if (c < '0' || c > '9') return false;
  return true;
}

bool nir_layout(std::string_view m) {
  // \d{6}[AB0-9]\d{6} as in the CTXBAM XSD
  if (m.size() != 13) return false;
  for (std::size_t i = 0; i < 13; ++i) {
    char c = m[i];
    bool ok = (c >= '0' && c <= '9') || (i == 6 && (c == 'A' || c == 'B'));
    if (!ok) return false;
  }
  return true;
}

/// A NIR of the card: {"matricule", "cle"?}, layout and key checked.
std::optional<insi::NirCarte> read_nir(BodyReader& vitale, std::string_view key, bool required) {
  const json* obj = vitale.get(key, JsonType::object, required);
  if (!obj) return std::nullopt;
  BodyReader r(*obj, vitale.champ(key) + ".", vitale.findings);
  r.only({"matricule", "cle"});
  auto m = r.non_empty_text("matricule", true);
  auto c = r.text("cle", false);
  if (!m) return std::nullopt;
  if (!nir_layout(*m)) {
    r.fail("matricule", identity::rule::format_invalide);
    return std::nullopt;
  }
  insi::NirCarte n;
  n.matricule = *m;
  if (c) {
    if (!digits(*c, 2, 2)) {
      r.fail("cle", identity::rule::format_invalide);
      return std::nullopt;
    }
    if (!identity::key_matches(n.matricule, *c)) {
      r.fail("cle", identity::rule::cle_invalide);
      return std::nullopt;
    }
    n.cle = *c;
  }
  return n;
}

/// One well-formed XML element, XML declaration removed.
std::optional<std::string> assertion_element(std::string xml) {
  if (xml.size() > kMaxAssertionBytes) return std::nullopt;
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) return std::nullopt;
  bool has_dtd = doc->intSubset != nullptr;
  xmlFreeDoc(doc);
  if (has_dtd) return std::nullopt;  // no DOCTYPE inside a SOAP envelope
  if (xml.rfind("<?xml", 0) == 0) {
    auto end = xml.find("?>");
    xml.erase(0, end + 2);
  }
  auto first = xml.find_first_not_of(" \t\r\n");
  return xml.substr(first == std::string::npos ? 0 : first);
}

}  // namespace

std::optional<std::string> decode_base64(std::string_view text) {
  if (text.empty() || text.size() % 4 != 0) return std::nullopt;
  std::string out(text.size() / 4 * 3, '\0');
  int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                          reinterpret_cast<const unsigned char*>(text.data()),
                          static_cast<int>(text.size()));
  if (n < 0) return std::nullopt;
  std::size_t pad = 0;
  if (text.back() == '=') ++pad;
  if (text.size() > 1 && text[text.size() - 2] == '=') ++pad;
  out.resize(static_cast<std::size_t>(n) - pad);
  return out;
}

std::variant<VitaleInput, BadRequest, InvalidTraits> decode_recherche_vitale(
    std::string_view body, std::string_view today) {
  auto parsed = parse_object(body);
  if (auto* bad = std::get_if<BadRequest>(&parsed)) return *bad;
  const json& j = std::get<json>(parsed);
  Findings f;
  BodyReader r(j, "", f);
  r.only({"operateur", "vitale", "assertion_vitale", "finess", "cache"});
  VitaleInput in;
  auto op = read_operateur(r);
  if (const json* v = r.get("vitale", JsonType::object, true)) {
    BodyReader card(*v, "vitale.", f);
    card.only({"nir_individu", "nir_ouvrant_droit", "date_naissance", "rang_naissance",
               "nom_naissance", "couverture"});
    in.carte.nir_individu = read_nir(card, "nir_individu", false);
    if (auto od = read_nir(card, "nir_ouvrant_droit", true)) in.carte.nir_ouvrant_droit = *od;
    if (auto d = card.non_empty_text("date_naissance", true)) {
      auto kind = identity::classify_date_naissance(*d);
      if (auto* rej = std::get_if<identity::Rejection>(&kind))
        card.fail("date_naissance", rej->rule);
      else if (auto bound = identity::check_date_bounds(*d, today))
        card.fail("date_naissance", bound->rule);
      else
        in.carte.date_naissance = *d;
    }
    if (const json* rang = card.get("rang_naissance", JsonType::string_or_integer, true)) {
      std::string v = rang->is_string() ? rang->get<std::string>()
                                        : std::to_string(rang->get<std::uint64_t>());
      if (!digits(v, 1, 2)) card.fail("rang_naissance", identity::rule::format_invalide);
      else in.carte.rang_naissance = v;
    }
    if (auto nom = card.text("nom_naissance", false); nom && !nom->empty()) {
      auto n = identity::normalise_nom_naissance(*nom);
      if (auto* rej = std::get_if<identity::Rejection>(&n))
        card.fail("nom_naissance", rej->rule);
      else
        in.carte.nom_naissance = std::get<std::string>(n);
    }
    if (const json* c = card.get("couverture", JsonType::object, false)) {
      BodyReader cov(*c, "vitale.couverture.", f);
      cov.only({"grand_regime", "organisme", "code_centre"});
      auto field = [&cov](const char* key, std::size_t max) -> std::optional<std::string> {
        auto v = cov.text(key, false);
        if (v && !digits(*v, 1, max)) {
          cov.fail(key, identity::rule::format_invalide);
          return std::nullopt;
        }
        return v;
      };
      in.carte.couverture = {field("grand_regime", 2), field("organisme", 3),
                             field("code_centre", 4)};
    }
  }
  if (const json* a = r.get("assertion_vitale", JsonType::string, false)) {
    std::optional<std::string> xml;
    if (auto raw = decode_base64(a->get_ref<const std::string&>())) xml = assertion_element(*raw);
    if (!xml) r.fail("assertion_vitale", identity::rule::assertion_invalide);
    else in.assertion_xml = std::move(xml);
  }
  in.finess = read_finess(r);
  in.cache_bypass = read_cache_bypass(r);
  if (auto bad = f.bad_request()) return *bad;
  if (auto inv = f.invalid()) return *inv;
  in.operateur = std::move(*op);
  return in;
}

asio::awaitable<ApiResponse> route_recherche_vitale(RouteContext& ctx, const RouteCall& call) {
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(call.req)) co_return *refused;
  auto decoded = decode_recherche_vitale(call.req.body());
  if (auto* bad = std::get_if<BadRequest>(&decoded)) co_return bad_request(*bad);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<VitaleInput>(decoded);
  auto resolved = setup->structures.resolve(input.finess, call.caller);
  if (auto* refused = std::get_if<ApiResponse>(&resolved)) co_return *refused;
  const StructurePtr structure = std::get<StructurePtr>(resolved);
  // Two wsse:Security headers without a role are not allowed (WS-Security):
  // the caller's assertion and our signature cannot travel together.
  if (input.assertion_xml && structure->call_context.signer)
    co_return problem(400, "requete_invalide", "Assertion Vitale incompatible avec la signature",
                      "assertion_vitale ne peut pas être transmise quand la signature XML "
                      "(insi.signature_xml) est activée : envoyez la demande sans assertion, "
                      "ou désactivez la signature.");
  json envoyee = {{"assertion_vitale", input.assertion_xml.has_value()}};
  RequestRecord record;
  record.finess = structure->cfg.finess;
  record.operateur = input.operateur;
  record.cache_key = state::ResultCache::key_in(structure->cfg.finess, state::ResultCache::key_for(input.carte));
  if (auto cached = co_await ctx.from_cache(record, input.cache_bypass, call.requete_id))
    co_return resultat_answer(*cached, "vitale_envoyee", envoyee, call.requete_id,
                              ctx.oid_policy(), "cache");
  auto started = Clock::now();
  auto outcome = co_await insi::rechercher_par_carte_vitale(
      *structure->transport, structure->call_context, input.carte, input.assertion_xml, ctx.limits(cfg),
      ctx.policy(cfg, *structure));
  ctx.note_insi_outcome(outcome, "INSI_RECHERCHE_VITALE", call.requete_id, structure->cfg.finess,
                        metrics::Operation::recuperation_vitale, started);
  record.outcome = &outcome;
  record.anomalies = has_anomalies(outcome, ctx.oid_policy());
  ctx.state().record(record);
  co_return resultat_answer(outcome, "vitale_envoyee", envoyee, call.requete_id, ctx.oid_policy());
}

}  // namespace insgate::api
