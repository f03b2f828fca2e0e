// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/recherche_input.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "identity/traits.hpp"

namespace insgate::api {
namespace {

using nlohmann::json;

/// A member name as it may appear in an error message: short and made of
/// [a-z0-9_] only, otherwise not shown.
std::string shown_key(const std::string& k) {
  bool plain = !k.empty() && k.size() <= 40;
  for (char c : k) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  return plain ? k : "(nom non affichable)";
}

std::optional<std::string> unknown_member(const json& obj, const std::set<std::string>& allowed) {
  for (const auto& [k, v] : obj.items())
    if (!allowed.count(k)) return shown_key(k);
  return std::nullopt;
}

/// Reads the JSON types of the traits; type problems are field errors.
class TraitsReader {
 public:
  explicit TraitsReader(const json& t) : t_(t) {}

  std::string text(const char* key, bool required) {
    std::string champ = std::string("traits.") + key;
    auto it = t_.find(key);
    if (it == t_.end() || it->is_null()) {
      if (required) fail(champ, "obligatoire", "obligatoire");
      return {};
    }
    if (!it->is_string()) {
      fail(champ, "doit être une chaîne de caractères", "type_invalide");
      return {};
    }
    return it->get<std::string>();
  }

  std::vector<std::string> prenoms() {
    const std::string champ = "traits.prenoms";
    auto it = t_.find("prenoms");
    std::vector<std::string> out;
    if (it == t_.end() || it->is_null()) {
      fail(champ, "obligatoire", "obligatoire");
    } else if (it->is_string()) {
      out.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& p : *it) {
        if (!p.is_string()) {
          fail(champ, "doit être une liste de chaînes de caractères", "type_invalide");
          return {};
        }
        out.push_back(p.get<std::string>());
      }
      if (out.empty()) fail(champ, "au moins un prénom de naissance est obligatoire", "vide");
    } else {
      fail(champ, "doit être une liste de chaînes de caractères", "type_invalide");
    }
    return out;
  }

  void fail(const std::string& champ, const std::string& message, const std::string& regle) {
    errors.push_back({champ, champ + " : " + message, regle});
  }

  std::vector<FieldError> errors;

 private:
  const json& t_;
};

/// The identity module reports first-name problems for the whole list: name
/// the failing element(s) instead.
void refine_prenom_errors(const std::vector<std::string>& raw, std::vector<FieldError>& errors) {
  std::vector<FieldError> out;
  for (auto& e : errors) {
    if (e.champ != "traits.prenoms") {
      out.push_back(std::move(e));
      continue;
    }
    bool located = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      auto one = identity::normalise_prenoms({raw[i]});
      if (auto* r = std::get_if<identity::Rejection>(&one)) {
        out.push_back({"traits.prenoms[" + std::to_string(i) + "]", r->message, r->rule});
        located = true;
      }
    }
    if (!located) out.push_back(std::move(e));
  }
  errors = std::move(out);
}

}  // namespace

bool json_too_deep(std::string_view body, int max_depth) {
  int depth = 0;
  bool in_string = false, escaped = false;
  for (char c : body) {
    if (in_string) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') in_string = false;
      continue;
    }
    if (c == '"') in_string = true;
    else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::variant<nlohmann::json, BadRequest> parse_object(std::string_view body,
                                                      std::initializer_list<const char*> allowed) {
  if (json_too_deep(body, kMaxJsonDepth)) return BadRequest{"Le JSON est trop imbriqué."};
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) return BadRequest{"Le corps n'est pas du JSON valide (UTF-8)."};
  if (!j.is_object()) return BadRequest{"Le corps doit être un objet JSON."};
  if (auto k = unknown_member(j, std::set<std::string>(allowed.begin(), allowed.end())))
    return BadRequest{"Membre inconnu : " + *k + "."};
  if (auto f = j.find("finess"); f != j.end() && !f->is_null() &&
                                 (!f->is_string() || f->get_ref<const std::string&>().size() != 9))
    return BadRequest{"finess doit être une chaîne de 9 caractères."};
  return j;
}

std::optional<std::string> decode_finess(const json& j) {
  auto f = j.find("finess");  // shape already checked by parse_object
  if (f == j.end() || !f->is_string()) return std::nullopt;
  return f->get<std::string>();
}

std::variant<std::string, BadRequest> decode_operateur(const json& j) {
  auto op = j.find("operateur");
  if (op == j.end() || !op->is_string() || op->get_ref<const std::string&>().empty())
    return BadRequest{"operateur (chaîne non vide) est obligatoire."};
  if (op->get_ref<const std::string&>().size() > 128)
    return BadRequest{"operateur dépasse 128 octets."};
  return op->get<std::string>();
}

std::variant<insi::TraitsRecherche, BadRequest, InvalidTraits> decode_traits(const json& traits) {
  if (!traits.is_object()) return BadRequest{"traits (objet) est obligatoire."};
  if (auto k = unknown_member(
          traits, {"nom_naissance", "prenoms", "sexe", "date_naissance", "lieu_naissance"}))
    return BadRequest{"Membre inconnu dans traits : " + *k + "."};

  TraitsReader read(traits);
  identity::TraitsInput raw;
  raw.nom_naissance = read.text("nom_naissance", true);
  raw.prenoms = read.prenoms();
  raw.sexe = read.text("sexe", true);
  raw.date_naissance = read.text("date_naissance", true);
  std::string lieu = read.text("lieu_naissance", false);
  if (!lieu.empty()) raw.lieu_naissance = lieu;
  if (raw.prenoms.size() > kMaxPrenoms)
    read.fail("traits.prenoms", "au plus 10 prénoms de naissance", "trop_de_prenoms");
  if (!read.errors.empty()) return InvalidTraits{std::move(read.errors)};

  auto checked = identity::validate_traits(raw);
  if (auto* errs = std::get_if<std::vector<identity::FieldError>>(&checked)) {
    std::vector<FieldError> out;
    for (auto& e : *errs) out.push_back({e.champ, e.message, e.rule});
    refine_prenom_errors(raw.prenoms, out);
    return InvalidTraits{std::move(out)};
  }
  auto& t = std::get<identity::TraitsIns>(checked);
  if (t.nom_naissance.size() > kMaxNameLength)
    return InvalidTraits{{{"traits.nom_naissance",
                           "traits.nom_naissance : au plus 100 caractères", "trop_long"}}};
  if (t.prenoms.size() > kMaxPrenoms)
    return InvalidTraits{{{"traits.prenoms", "traits.prenoms : au plus 10 prénoms de naissance",
                           "trop_de_prenoms"}}};
  return insi::TraitsRecherche{std::move(t.nom_naissance), std::move(t.prenoms),
                               std::move(t.sexe), std::move(t.date_naissance),
                               std::move(t.lieu_naissance)};
}

std::variant<bool, BadRequest> decode_cache_bypass(const json& j) {
  auto c = j.find("cache");
  if (c == j.end() || c->is_null()) return false;
  if (c->is_string() && c->get_ref<const std::string&>() == "bypass") return true;
  if (c->is_string() && c->get_ref<const std::string&>() == "normal") return false;
  return BadRequest{"cache vaut \"normal\" ou \"bypass\"."};
}

Decoded decode_recherche(std::string_view body) {
  auto parsed = parse_object(body, {"operateur", "traits", "finess", "cache"});
  if (auto* bad = std::get_if<BadRequest>(&parsed)) return *bad;
  const json& j = std::get<json>(parsed);
  auto op = decode_operateur(j);
  if (auto* bad = std::get_if<BadRequest>(&op)) return *bad;
  auto traits = j.find("traits");
  if (traits == j.end()) return BadRequest{"traits (objet) est obligatoire."};
  auto t = decode_traits(*traits);
  if (auto* bad = std::get_if<BadRequest>(&t)) return *bad;
  if (auto* inv = std::get_if<InvalidTraits>(&t)) return *inv;
  auto bypass = decode_cache_bypass(j);
  if (auto* bad = std::get_if<BadRequest>(&bypass)) return *bad;
  return RechercheInput{std::get<std::string>(std::move(op)),
                        std::get<insi::TraitsRecherche>(std::move(t)), std::get<bool>(bypass),
                        decode_finess(j)};
}

}  // namespace insgate::api
