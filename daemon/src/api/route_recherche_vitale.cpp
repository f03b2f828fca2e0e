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

class CardReader {
 public:
  explicit CardReader(const json& v) : v_(v) {}

  std::optional<insi::NirCarte> nir(const char* key, bool required) {
    std::string champ = std::string("vitale.") + key;
    auto it = v_.find(key);
    if (it == v_.end() || it->is_null()) {
      if (required) fail(champ, "obligatoire", "obligatoire");
      return std::nullopt;
    }
    if (!it->is_object()) {
      fail(champ, "doit être un objet {matricule, cle}", "type_invalide");
      return std::nullopt;
    }
    insi::NirCarte n;
    auto m = it->find("matricule");
    if (m == it->end() || !m->is_string() || !nir_layout(m->get_ref<const std::string&>())) {
      fail(champ + ".matricule", "13 caractères attendus (6 chiffres, chiffre ou A/B, 6 chiffres)",
           "format_invalide");
      return std::nullopt;
    }
    n.matricule = m->get<std::string>();
    if (auto c = it->find("cle"); c != it->end() && !c->is_null()) {
      if (!c->is_string() || !digits(c->get_ref<const std::string&>(), 2, 2)) {
        fail(champ + ".cle", "2 chiffres attendus", "format_invalide");
        return std::nullopt;
      }
      if (!identity::key_matches(n.matricule, c->get_ref<const std::string&>())) {
        fail(champ + ".cle", "la clé ne correspond pas au NIR", "cle_invalide");
        return std::nullopt;
      }
      n.cle = c->get<std::string>();
    }
    return n;
  }

  std::string text(const char* key, bool required) {
    std::string champ = std::string("vitale.") + key;
    auto it = v_.find(key);
    if (it == v_.end() || it->is_null()) {
      if (required) fail(champ, "obligatoire", "obligatoire");
      return {};
    }
    if (it->is_number_unsigned()) return std::to_string(it->get<unsigned long>());
    if (!it->is_string()) {
      fail(champ, "doit être une chaîne de caractères", "type_invalide");
      return {};
    }
    return it->get<std::string>();
  }

  void fail(const std::string& champ, const std::string& message, const std::string& regle) {
    errors.push_back({champ, champ + " : " + message, regle});
  }

  std::vector<FieldError> errors;

 private:
  const json& v_;
};

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

std::variant<VitaleInput, BadRequest, InvalidTraits> decode_recherche_vitale(std::string_view body) {
  auto parsed = parse_object(body, {"operateur", "vitale", "assertion_vitale", "finess", "cache"});
  if (auto* bad = std::get_if<BadRequest>(&parsed)) return *bad;
  const json& j = std::get<json>(parsed);
  auto op = decode_operateur(j);
  if (auto* bad = std::get_if<BadRequest>(&op)) return *bad;
  auto v = j.find("vitale");
  if (v == j.end() || !v->is_object()) return BadRequest{"vitale (objet) est obligatoire."};
  for (const auto& [k, _] : v->items())
    if (k != "nir_individu" && k != "nir_ouvrant_droit" && k != "date_naissance" &&
        k != "rang_naissance" && k != "nom_naissance" && k != "couverture")
      return BadRequest{"Membre inconnu dans vitale."};

  VitaleInput in;
  CardReader read(*v);
  in.carte.nir_individu = read.nir("nir_individu", false);
  if (auto od = read.nir("nir_ouvrant_droit", true)) in.carte.nir_ouvrant_droit = *od;
  in.carte.date_naissance = read.text("date_naissance", true);
  if (!in.carte.date_naissance.empty()) {
    auto kind = identity::classify_date_naissance(in.carte.date_naissance);
    if (auto* r = std::get_if<identity::Rejection>(&kind))
      read.fail("vitale.date_naissance", r->message, r->rule);
  }
  in.carte.rang_naissance = read.text("rang_naissance", true);
  if (!in.carte.rang_naissance.empty() && !digits(in.carte.rang_naissance, 1, 2))
    read.fail("vitale.rang_naissance", "1 ou 2 chiffres attendus", "format_invalide");
  std::string nom = read.text("nom_naissance", false);
  if (!nom.empty()) {
    auto n = identity::normalise_nom_naissance(nom);
    if (auto* r = std::get_if<identity::Rejection>(&n))
      read.fail("vitale.nom_naissance", r->message, r->rule);
    else
      in.carte.nom_naissance = std::get<std::string>(n);
  }
  if (auto c = v->find("couverture"); c != v->end() && !c->is_null()) {
    if (!c->is_object()) return BadRequest{"vitale.couverture doit être un objet."};
    auto field = [&](const char* key, std::size_t max) -> std::optional<std::string> {
      auto it = c->find(key);
      if (it == c->end() || it->is_null()) return std::nullopt;
      if (!it->is_string() || !digits(it->get_ref<const std::string&>(), 1, max)) {
        read.fail(std::string("vitale.couverture.") + key, "chiffres attendus", "format_invalide");
        return std::nullopt;
      }
      return it->get<std::string>();
    };
    for (const auto& [k, _] : c->items())
      if (k != "grand_regime" && k != "organisme" && k != "code_centre")
        return BadRequest{"Membre inconnu dans vitale.couverture."};
    in.carte.couverture = {field("grand_regime", 2), field("organisme", 3), field("code_centre", 4)};
  }
  if (auto a = j.find("assertion_vitale"); a != j.end() && !a->is_null()) {
    std::optional<std::string> xml;
    if (a->is_string())
      if (auto raw = decode_base64(a->get_ref<const std::string&>())) xml = assertion_element(*raw);
    if (!xml)
      read.fail("assertion_vitale",
                "base64 d'une assertion XML bien formée (32 Kio au plus, sans DOCTYPE) attendu",
                "assertion_invalide");
    else
      in.assertion_xml = std::move(xml);
  }
  if (!read.errors.empty()) return InvalidTraits{std::move(read.errors)};
  auto bypass = decode_cache_bypass(j);
  if (auto* bad = std::get_if<BadRequest>(&bypass)) return *bad;
  in.cache_bypass = std::get<bool>(bypass);
  in.operateur = std::get<std::string>(std::move(op));
  in.finess = decode_finess(j);
  return in;
}

asio::awaitable<ApiResponse> route_recherche_vitale(RouteContext& ctx, const RouteCall& call) {
  const auto setup = ctx.setup();  // kept alive for this request, across reloads
  const config::Config& cfg = *setup->cfg;
  if (auto refused = check_json_body(call.req)) co_return *refused;
  auto decoded = decode_recherche_vitale(call.req.body());
  if (auto* bad = std::get_if<BadRequest>(&decoded))
    co_return problem(400, "requete_invalide", "Requête invalide", bad->detail);
  if (auto* inv = std::get_if<InvalidTraits>(&decoded)) co_return invalid_traits(inv->errors);
  const auto& input = std::get<VitaleInput>(decoded);
  if (auto refused = foreign_finess(input.finess, cfg)) co_return *refused;
  // Two wsse:Security headers without a role are not allowed (WS-Security):
  // the caller's assertion and our signature cannot travel together.
  if (input.assertion_xml && cfg.call_context.signer)
    co_return problem(400, "requete_invalide", "Assertion Vitale incompatible avec la signature",
                      "assertion_vitale ne peut pas être transmise quand la signature XML "
                      "(insi.signature_xml) est activée : envoyez la demande sans assertion, "
                      "ou désactivez la signature.");
  json envoyee = {{"assertion_vitale", input.assertion_xml.has_value()}};
  RequestRecord record;
  record.operateur = input.operateur;
  record.cache_key = state::ResultCache::key_for(input.carte);
  if (auto cached = co_await ctx.from_cache(record, input.cache_bypass, call.requete_id))
    co_return resultat_answer(*cached, "vitale_envoyee", envoyee, call.requete_id,
                              ctx.oid_policy(), "cache");
  auto started = Clock::now();
  auto outcome = co_await insi::rechercher_par_carte_vitale(
      *setup->transport, cfg.call_context, input.carte, input.assertion_xml, ctx.limits(cfg),
      ctx.policy(cfg));
  ctx.note_insi_outcome(outcome, "INSI_RECHERCHE_VITALE", call.requete_id,
                        metrics::Operation::recuperation_vitale, started);
  record.outcome = &outcome;
  record.anomalies = has_anomalies(outcome, ctx.oid_policy());
  ctx.state().record(record);
  co_return resultat_answer(outcome, "vitale_envoyee", envoyee, call.requete_id, ctx.oid_policy());
}

}  // namespace insgate::api
