// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/recherche_input.hpp"

#include <nlohmann/json.hpp>

namespace insgate::api {
namespace {

using nlohmann::json;

constexpr std::size_t kMaxNameLength = 100;

bool is_digit(char c) { return c >= '0' && c <= '9'; }

/// Trims, collapses runs of spaces and upper-cases ASCII letters. Returns
/// false (and leaves `out` unspecified) when a character is outside the INS
/// alphabet: A-Z, space, hyphen, apostrophe.
bool normalise_name(std::string_view in, std::string& out) {
  out.clear();
  bool pending_space = false;
  for (unsigned char c : in) {
    if (c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (c >= 'a' && c <= 'z') c = static_cast<unsigned char>(c - 'a' + 'A');
    if (!((c >= 'A' && c <= 'Z') || c == '-' || c == '\'')) return false;
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.push_back(static_cast<char>(c));
  }
  return true;
}

bool valid_date(const std::string& d) {
  // AAAA-MM-JJ; 00 for an unknown month or day is let through (partial dates).
  if (d.size() != 10 || d[4] != '-' || d[7] != '-') return false;
  for (int i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!is_digit(d[i])) return false;
  int month = (d[5] - '0') * 10 + (d[6] - '0');
  int day = (d[8] - '0') * 10 + (d[9] - '0');
  return month <= 12 && day <= 31 && d.compare(0, 4, "0000") != 0;
}

bool valid_cog(const std::string& c) {
  if (c.size() != 5) return false;
  bool corsica = c[0] == '2' && (c[1] == 'A' || c[1] == 'B');
  if (!corsica && !(is_digit(c[0]) && is_digit(c[1]))) return false;
  return is_digit(c[2]) && is_digit(c[3]) && is_digit(c[4]);
}

class TraitsChecker {
 public:
  explicit TraitsChecker(const json& traits) : t_(traits) {}

  void name(const char* key, std::string& out) {
    std::string champ = std::string("traits.") + key;
    auto it = t_.find(key);
    if (it == t_.end() || it->is_null()) return fail(champ, "obligatoire");
    if (!it->is_string()) return fail(champ, "doit être une chaîne");
    check_name(champ, it->get_ref<const std::string&>(), out);
  }

  void prenoms(std::vector<std::string>& out) {
    const std::string champ = "traits.prenoms";
    auto it = t_.find("prenoms");
    if (it == t_.end() || it->is_null()) return fail(champ, "obligatoire");
    std::vector<std::string> raw;
    if (it->is_string()) {
      raw.push_back(it->get<std::string>());
    } else if (it->is_array()) {
      for (const auto& p : *it) {
        if (!p.is_string()) return fail(champ, "doit être une liste de chaînes");
        raw.push_back(p.get<std::string>());
      }
    } else {
      return fail(champ, "doit être une liste de chaînes");
    }
    for (std::size_t i = 0; i < raw.size(); ++i) {
      std::string norm;
      std::string item = champ + "[" + std::to_string(i) + "]";
      if (!check_name(item, raw[i], norm)) return;
      // A caller may send "MARIE LOUISE" as one element: split on spaces.
      std::size_t start = 0;
      while (start <= norm.size()) {
        auto sp = norm.find(' ', start);
        if (sp == std::string::npos) sp = norm.size();
        if (sp > start) out.push_back(norm.substr(start, sp - start));
        start = sp + 1;
      }
    }
    if (out.empty()) fail(champ, "au moins un prénom de naissance est obligatoire");
    if (out.size() > 10) fail(champ, "au plus 10 prénoms");
  }

  void sexe(std::string& out) {
    const std::string champ = "traits.sexe";
    auto it = t_.find("sexe");
    if (it == t_.end() || it->is_null()) return fail(champ, "obligatoire");
    if (!it->is_string()) return fail(champ, "doit être une chaîne");
    const auto& v = it->get_ref<const std::string&>();
    if (v == "M" || v == "m") out = "M";
    else if (v == "F" || v == "f") out = "F";
    else fail(champ, "doit valoir M ou F (INSi ne connaît pas d'autre valeur)");
  }

  void date(std::string& out) {
    const std::string champ = "traits.date_naissance";
    auto it = t_.find("date_naissance");
    if (it == t_.end() || it->is_null()) return fail(champ, "obligatoire");
    if (!it->is_string()) return fail(champ, "doit être une chaîne");
    out = it->get<std::string>();
    if (!valid_date(out)) fail(champ, "format attendu AAAA-MM-JJ");
  }

  void lieu(std::optional<std::string>& out) {
    const std::string champ = "traits.lieu_naissance";
    auto it = t_.find("lieu_naissance");
    if (it == t_.end() || it->is_null()) return;
    if (!it->is_string()) return fail(champ, "doit être une chaîne");
    std::string v = it->get<std::string>();
    if (v.empty()) return;
    for (auto& c : v)
      if (c == 'a' || c == 'b') c = static_cast<char>(c - 'a' + 'A');
    if (!valid_cog(v)) return fail(champ, "code COG à 5 caractères attendu (ex. 63220, 2A004, 99xxx)");
    out = v;
  }

  std::vector<FieldError> errors;

 private:
  bool check_name(const std::string& champ, const std::string& raw, std::string& out) {
    if (raw.size() > kMaxNameLength * 4) {
      fail(champ, "trop long");
      return false;
    }
    if (!normalise_name(raw, out)) {
      fail(champ, "caractère non autorisé (lettres A-Z, espace, tiret, apostrophe)");
      return false;
    }
    if (out.empty()) {
      fail(champ, "obligatoire");
      return false;
    }
    if (out.size() > kMaxNameLength) {
      fail(champ, "trop long");
      return false;
    }
    return true;
  }
  void fail(const std::string& champ, const std::string& message) {
    errors.push_back({champ, message});
  }

  const json& t_;
};

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

Decoded decode_recherche(std::string_view body) {
  if (json_too_deep(body, kMaxJsonDepth)) return BadRequest{"JSON nesting too deep"};
  json j = json::parse(body.begin(), body.end(), nullptr, false);
  if (j.is_discarded()) return BadRequest{"body is not valid JSON (UTF-8)"};
  if (!j.is_object()) return BadRequest{"body must be a JSON object"};
  RechercheInput in;
  auto op = j.find("operateur");
  if (op == j.end() || !op->is_string() || op->get_ref<const std::string&>().empty())
    return BadRequest{"operateur (string) is required"};
  if (op->get_ref<const std::string&>().size() > 128) return BadRequest{"operateur is too long"};
  in.operateur = op->get<std::string>();
  auto traits = j.find("traits");
  if (traits == j.end() || !traits->is_object()) return BadRequest{"traits (object) is required"};
  TraitsChecker check(*traits);
  check.name("nom_naissance", in.traits.nom_naissance);
  check.prenoms(in.traits.prenoms);
  check.sexe(in.traits.sexe);
  check.date(in.traits.date_naissance);
  check.lieu(in.traits.lieu_naissance);
  if (!check.errors.empty()) return InvalidTraits{std::move(check.errors)};
  return in;
}

}  // namespace insgate::api
