// insgate — decoding and checking the body of POST /v1/ins/recherche, and the
// body reader every route shares.
//
// Source rule: local-api.md (POST /v1/ins/recherche, Errors). One rule for
// every route (README "Local API", api/problem.hpp): a member of the wrong
// JSON type or an unknown member (a misspelt optional trait must not be
// dropped silently) is a 400 requete_invalide naming the member and the
// expected type; a missing member or a value that breaks a rule is a 422
// with one error per field. The traits themselves are normalised and
// checked by the identity module (identity/traits.hpp, ins-identity-rules.md
// §2). Pure functions apart from reading today's date, thread-safe; messages
// never echo caller values.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/problem.hpp"
#include "identity/traits.hpp"
#include "insi/recherche.hpp"

namespace insgate::api {

struct RechercheInput {
  std::string operateur;
  insi::TraitsRecherche traits;
  bool cache_bypass = false;  ///< "cache": "bypass" forces an INSi call
  std::optional<std::string> finess;  ///< as sent (9 characters), if sent
};

using Decoded = std::variant<RechercheInput, BadRequest, InvalidTraits>;

/// Maximum nesting of a request body; deeper documents are refused before
/// they are parsed.
inline constexpr int kMaxJsonDepth = 16;
/// At most this many birth first names.
inline constexpr std::size_t kMaxPrenoms = 10;
/// At most this many characters in a normalised birth name.
inline constexpr std::size_t kMaxNameLength = 100;
/// At most this many bytes in `operateur`.
inline constexpr std::size_t kMaxOperateurBytes = 128;

/// True when `body` nests arrays/objects deeper than `max_depth` (a linear
/// scan that skips strings).
bool json_too_deep(std::string_view body, int max_depth);

/// @brief Decodes a recherche body. `today` (AAAA-MM-JJ, local date) bounds
/// the birth date (identity::check_date_bounds).
Decoded decode_recherche(std::string_view body, std::string_view today = identity::today_local());

/// What decoding a body found: `shape` problems (400: type_invalide,
/// membre_inconnu) and `values` problems (422).
struct Findings {
  std::vector<FieldError> shape;
  std::vector<FieldError> values;
  /// The 400 when there are shape problems (they win over value problems).
  std::optional<BadRequest> bad_request() const;
  /// The 422 when there are value problems only.
  std::optional<InvalidTraits> invalid() const;
};

/// The JSON types a member may have.
enum class JsonType { string, object, integer, string_or_array, string_or_integer };

/// @brief Reads the members of one JSON object of a body, applying the rule
/// above: an unknown member or a wrong JSON type goes to `shape`; a missing
/// or null required member to `values` (`obligatoire`).
class BodyReader {
 public:
  /// `prefix`: the object's path with its dot ("traits."), empty at the top.
  BodyReader(const nlohmann::json& object, std::string prefix, Findings& findings);
  /// Records every member outside `allowed` (membre_inconnu).
  void only(std::initializer_list<std::string_view> allowed);
  /// The member if present, non-null and of type `type`; nullptr otherwise
  /// (after recording the problem).
  const nlohmann::json* get(std::string_view key, JsonType type, bool required);
  /// A string member; nullopt when absent, null or not a string.
  std::optional<std::string> text(std::string_view key, bool required);
  /// A string member that must not be empty (`obligatoire` when it is).
  std::optional<std::string> non_empty_text(std::string_view key, bool required);
  /// The path of one of this object's members.
  std::string champ(std::string_view key) const { return prefix_ + std::string(key); }
  /// Records a value problem on one of this object's members.
  void fail(std::string_view key, std::string_view regle, std::string_view attendu = {});

  Findings& findings;

 private:
  const nlohmann::json& object_;
  std::string prefix_;
};

/// Parses a body into a JSON object: BadRequest when it is too deep, not
/// JSON or not an object.
std::variant<nlohmann::json, BadRequest> parse_object(std::string_view body);

/// Members every INSi-backed route shares.
/// `operateur`: required, 1..kMaxOperateurBytes bytes.
std::optional<std::string> read_operateur(BodyReader& body);
/// Optional `finess`: 9 characters.
std::optional<std::string> read_finess(BodyReader& body);
/// Optional `"cache"`: "normal" (default) or "bypass"; true for bypass.
bool read_cache_bypass(BodyReader& body);
/// `traits` (required object): normalised and checked (ins-identity-rules.md
/// §2); nullopt when anything was recorded.
std::optional<insi::TraitsRecherche> read_traits(BodyReader& body, std::string_view today);

}  // namespace insgate::api
