// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/recherche_input.hpp"

#include <algorithm>

namespace insgate::api {
namespace {

using nlohmann::json;

/// A member name as it may appear in an answer: short and made of
/// [a-z0-9_] only, otherwise not shown.
std::string shown_key(const std::string& k) {
  bool plain = !k.empty() && k.size() <= 40;
  for (char c : k) plain = plain && ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_');
  return plain ? k : "(nom non affichable)";
}

bool has_type(const json& v, JsonType t) {
  switch (t) {
    case JsonType::string: return v.is_string();
    case JsonType::object: return v.is_object();
    case JsonType::integer: return v.is_number_integer();
    case JsonType::string_or_array: return v.is_string() || v.is_array();
    case JsonType::string_or_integer: return v.is_string() || v.is_number_unsigned();
  }
  return false;
}

/// The identity module reports first-name problems for the whole list: name
/// the failing element(s) instead.
void refine_prenom_errors(const std::vector<std::string>& raw,
                          std::vector<identity::FieldError>& errors) {
  std::vector<identity::FieldError> out;
  for (auto& e : errors) {
    if (e.champ != "traits.prenoms") {
      out.push_back(std::move(e));
      continue;
    }
    bool located = false;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      auto one = identity::normalise_prenoms({raw[i]});
      if (auto* r = std::get_if<identity::Rejection>(&one)) {
        out.push_back({"traits.prenoms[" + std::to_string(i) + "]", r->rule, r->message});
        located = true;
      }
    }
    if (!located) out.push_back(std::move(e));
  }
  errors = std::move(out);
}

}  // namespace

std::optional<BadRequest> Findings::bad_request() const {
  if (shape.empty()) return std::nullopt;
  const FieldError& first = shape.front();
  std::string detail;
  if (first.regle == identity::rule::type_invalide)
    detail = "Le membre " + (first.champ.empty() ? std::string("racine") : first.champ) +
             " doit être " + std::string(type_attendu(first.champ)) + ".";
  else
    detail = "Le membre " + first.champ +
             " est inconnu de cette route : vérifiez son nom dans proto/openapi.yaml.";
  if (shape.size() > 1)
    detail += " Voir errors pour les " + std::to_string(shape.size()) + " membres en cause.";
  return BadRequest{std::move(detail), shape};
}

std::optional<InvalidTraits> Findings::invalid() const {
  if (values.empty()) return std::nullopt;
  return InvalidTraits{values};
}

BodyReader::BodyReader(const json& object, std::string prefix, Findings& f)
    : findings(f), object_(object), prefix_(std::move(prefix)) {}

void BodyReader::only(std::initializer_list<std::string_view> allowed) {
  for (const auto& [k, v] : object_.items())
    if (std::find(allowed.begin(), allowed.end(), k) == allowed.end())
      findings.shape.push_back(field_error(prefix_ + shown_key(k), identity::rule::membre_inconnu));
}

const json* BodyReader::get(std::string_view key, JsonType type, bool required) {
  auto it = object_.find(key);
  if (it == object_.end() || it->is_null()) {
    if (required) fail(key, identity::rule::obligatoire);
    return nullptr;
  }
  if (!has_type(*it, type)) {
    findings.shape.push_back(field_error(champ(key), identity::rule::type_invalide));
    return nullptr;
  }
  return &*it;
}

std::optional<std::string> BodyReader::text(std::string_view key, bool required) {
  const json* v = get(key, JsonType::string, required);
  if (!v) return std::nullopt;
  return v->get<std::string>();
}

std::optional<std::string> BodyReader::non_empty_text(std::string_view key, bool required) {
  auto v = text(key, required);
  if (v && v->empty()) {
    fail(key, identity::rule::obligatoire);
    return std::nullopt;
  }
  return v;
}

void BodyReader::fail(std::string_view key, std::string_view regle, std::string_view attendu) {
  findings.values.push_back(field_error(champ(key), regle, attendu));
}

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

std::variant<nlohmann::json, BadRequest> parse_object(std::string_view body) {
  if (json_too_deep(body, kMaxJsonDepth))
    return BadRequest{"Le JSON envoyé est trop imbriqué (au plus 16 niveaux).", {}};
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded())
    return BadRequest{"Le corps de la requête n'est pas du JSON valide (UTF-8).", {}};
  if (!j.is_object()) {
    Findings f;
    f.shape.push_back(field_error("", identity::rule::type_invalide));
    return BadRequest{"Le corps de la requête doit être un objet JSON.", f.shape};
  }
  return j;
}

std::optional<std::string> read_operateur(BodyReader& body) {
  auto op = body.non_empty_text("operateur", true);
  if (op && op->size() > kMaxOperateurBytes) {
    body.fail("operateur", identity::rule::trop_long);
    return std::nullopt;
  }
  return op;
}

std::optional<std::string> read_finess(BodyReader& body) {
  auto f = body.text("finess", false);
  if (f && f->size() != 9) {
    body.fail("finess", identity::rule::format_invalide);
    return std::nullopt;
  }
  return f;
}

bool read_cache_bypass(BodyReader& body) {
  auto c = body.text("cache", false);
  if (!c || *c == "normal") return false;
  if (*c == "bypass") return true;
  body.fail("cache", identity::rule::format_invalide);
  return false;
}

std::optional<insi::TraitsRecherche> read_traits(BodyReader& body, std::string_view today) {
  const json* traits = body.get("traits", JsonType::object, true);
  if (!traits) return std::nullopt;
  Findings& f = body.findings;
  const std::size_t shape_before = f.shape.size(), values_before = f.values.size();
  BodyReader t(*traits, "traits.", f);
  t.only({"nom_naissance", "prenoms", "sexe", "date_naissance", "lieu_naissance"});

  identity::TraitsInput raw;
  bool present = true;
  auto take = [&present](std::optional<std::string> v) {
    present = present && v.has_value();
    return v.value_or(std::string());
  };
  raw.nom_naissance = take(t.text("nom_naissance", true));
  if (const json* p = t.get("prenoms", JsonType::string_or_array, true)) {
    if (p->is_string()) {
      raw.prenoms.push_back(p->get<std::string>());
    } else {
      for (std::size_t i = 0; i < p->size(); ++i) {
        if ((*p)[i].is_string()) raw.prenoms.push_back((*p)[i].get<std::string>());
        else
          f.shape.push_back(field_error("traits.prenoms[" + std::to_string(i) + "]",
                                        identity::rule::type_invalide));
      }
      if (p->empty()) t.fail("prenoms", identity::rule::obligatoire);
    }
  } else {
    present = false;
  }
  raw.sexe = take(t.text("sexe", true));
  raw.date_naissance = take(t.text("date_naissance", true));
  if (auto lieu = t.text("lieu_naissance", false); lieu && !lieu->empty())
    raw.lieu_naissance = std::move(*lieu);
  if (raw.prenoms.size() > kMaxPrenoms) t.fail("prenoms", identity::rule::trop_de_prenoms);
  if (!present || f.shape.size() != shape_before || f.values.size() != values_before)
    return std::nullopt;

  auto checked = identity::validate_traits(raw, today);
  if (auto* errs = std::get_if<std::vector<identity::FieldError>>(&checked)) {
    refine_prenom_errors(raw.prenoms, *errs);
    for (auto& e : *errs) f.values.push_back(field_error(e.champ, e.rule));
    return std::nullopt;
  }
  auto& out = std::get<identity::TraitsIns>(checked);
  if (out.nom_naissance.size() > kMaxNameLength) {
    t.fail("nom_naissance", identity::rule::trop_long);
    return std::nullopt;
  }
  if (out.prenoms.size() > kMaxPrenoms) {
    t.fail("prenoms", identity::rule::trop_de_prenoms);
    return std::nullopt;
  }
  return insi::TraitsRecherche{std::move(out.nom_naissance), std::move(out.prenoms),
                               std::move(out.sexe), std::move(out.date_naissance),
                               std::move(out.lieu_naissance)};
}

Decoded decode_recherche(std::string_view body, std::string_view today) {
  auto parsed = parse_object(body);
  if (auto* bad = std::get_if<BadRequest>(&parsed)) return *bad;
  const json& j = std::get<json>(parsed);
  Findings f;
  BodyReader r(j, "", f);
  r.only({"operateur", "traits", "finess", "cache"});
  auto op = read_operateur(r);
  auto traits = read_traits(r, today);
  auto finess = read_finess(r);
  bool bypass = read_cache_bypass(r);
  if (auto bad = f.bad_request()) return *bad;
  if (auto inv = f.invalid()) return *inv;
  return RechercheInput{std::move(*op), std::move(*traits), bypass, std::move(finess)};
}

}  // namespace insgate::api
