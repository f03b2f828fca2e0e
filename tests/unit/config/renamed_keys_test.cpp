// Unit tests of the configuration's one vocabulary (config/config.hpp,
// renamed_keys()): every renamed key loads under its new name; its 0.1.0
// name gives the same setting plus one warning naming the key as written,
// its line and the new name; both names of one setting at once are refused;
// unknown keys stay errors. Table-driven over every pair of renamed_keys().
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace insgate::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

/// A valid file in the current vocabulary.
const char* const kBase = R"(api:
  socket: run/insgate.sock
insi:
  url: https://insi.example.test:8443/lps
  environnement: test
  certificat:
    certificat: pki/client.pem
    cle: pki/client.key
  ca: pki/ca.pem
structure:
  finess: "010000001"
  nom: "EHPAD Test"
lps:
  idam: "AM-123"
  instance: "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
)";

std::string ms(std::chrono::milliseconds v) { return std::to_string(v.count()); }

std::string ids(const std::vector<unsigned>& v) {
  std::string out;
  for (auto id : v) out += std::to_string(id) + ",";
  return out;
}

/// One renamed setting: the values to write (current names; a null value
/// removes the key) so that the setting differs from its default, and how
/// to read it back from a Config.
struct Case {
  std::vector<std::pair<std::string, std::string>> writes;  ///< dotted key -> YAML value
  std::function<std::string(const Config&)> read;
  std::string expected;
};

/// Every renamed key, by its current name. A renamed mapping writes one of
/// its children.
const std::map<std::string, Case>& cases() {
  static const std::map<std::string, Case> c{
      {"api.mode_socket", {{{"api.mode_socket", "\"0600\""}},
                           [](const Config& x) { return std::to_string(x.api.socket_mode); },
                           std::to_string(0600)}},
      {"api.delai_entete_ms", {{{"api.delai_entete_ms", "1234"}},
                               [](const Config& x) { return ms(x.api.header_timeout); }, "1234"}},
      {"api.delai_inactivite_ms", {{{"api.delai_inactivite_ms", "4321"}},
                                   [](const Config& x) { return ms(x.api.idle_timeout); }, "4321"}},
      {"api.connexions_max", {{{"api.connexions_max", "77"}},
                              [](const Config& x) { return std::to_string(x.api.max_connections); },
                              "77"}},
      {"api.utilisateurs_autorises", {{{"api.utilisateurs_autorises", "[\"1234\"]"}},
                                      [](const Config& x) { return ids(x.api.allowed_uids); },
                                      "1234,"}},
      {"api.groupes_autorises", {{{"api.groupes_autorises", "[\"4321\"]"}},
                                 [](const Config& x) { return ids(x.api.allowed_gids); }, "4321,"}},
      {"insi.url", {{{"insi.url", "https://autre.example.test:9443/lps"}},
                    [](const Config& x) { return x.insi.endpoint.url; },
                    "https://autre.example.test:9443/lps"}},
      {"insi.environnement", {{{"insi.environnement", "qualification"}},
                              [](const Config& x) { return x.insi.environment; }, "qualification"}},
      {"insi.certificat", {{{"insi.certificat.certificat", "pki/other.pem"}},
                           [](const Config& x) { return fs::path(x.insi.certificate.cert_file).filename().string(); },
                           "other.pem"}},
      {"insi.certificat.certificat", {{{"insi.certificat.certificat", "pki/other.pem"}},
                                      [](const Config& x) { return fs::path(x.insi.certificate.cert_file).filename().string(); },
                                      "other.pem"}},
      {"insi.certificat.cle", {{{"insi.certificat.cle", "pki/other.key"}},
                               [](const Config& x) { return fs::path(x.insi.certificate.key_file).filename().string(); },
                               "other.key"}},
      {"insi.certificat.phrase_secrete_fichier",
       {{{"insi.certificat.certificat", ""}, {"insi.certificat.cle", ""},
         {"insi.certificat.pkcs12", "pki/client.p12"},
         {"insi.certificat.phrase_secrete_fichier", "pki/client.pass"}},
        [](const Config& x) { return fs::path(x.insi.certificate.passphrase_file).filename().string(); },
        "client.pass"}},
      {"insi.delais", {{{"insi.delais.appel_ms", "3333"}},
                       [](const Config& x) { return ms(x.insi.deadlines.call); }, "3333"}},
      {"insi.delais.connexion_ms", {{{"insi.delais.connexion_ms", "1111"}},
                                    [](const Config& x) { return ms(x.insi.deadlines.connect); }, "1111"}},
      {"insi.delais.appel_ms", {{{"insi.delais.appel_ms", "3333"}},
                                [](const Config& x) { return ms(x.insi.deadlines.call); }, "3333"}},
      {"insi.delais.requete_ms", {{{"insi.delais.requete_ms", "7777"}},
                                  [](const Config& x) { return ms(x.insi.deadlines.request); }, "7777"}},
      {"insi.reprises", {{{"insi.reprises.max", "1"}},
                         [](const Config& x) { return std::to_string(x.insi.resilience.max_retries); },
                         "1"}},
      {"insi.reprises.attente_ms", {{{"insi.reprises.attente_ms", "333"}},
                                    [](const Config& x) { return ms(x.insi.resilience.backoff); }, "333"}},
      {"insi.circuit.echecs", {{{"insi.circuit.echecs", "7"}},
                               [](const Config& x) { return std::to_string(x.insi.resilience.circuit_failures); },
                               "7"}},
      {"insi.circuit.pause_ms", {{{"insi.circuit.pause_ms", "4444"}},
                                 [](const Config& x) { return ms(x.insi.resilience.circuit_cooldown); },
                                 "4444"}},
      {"cache.duree_s", {{{"cache.duree_s", "600"}},
                         [](const Config& x) { return std::to_string(x.state.cache_ttl.count()); },
                         "600"}},
      {"outbox.tentatives_max", {{{"outbox.tentatives_max", "9"}},
                                 [](const Config& x) { return std::to_string(x.state.outbox_max_attempts); },
                                 "9"}},
      {"outbox.attente_ms", {{{"outbox.attente_ms", "250"}},
                             [](const Config& x) { return ms(x.state.outbox_backoff); }, "250"}},
      {"journal.niveau", {{{"journal.niveau", "warn"}},
                          [](const Config& x) { return x.log_level; }, "warn"}},
  };
  return c;
}

std::vector<std::string> split(const std::string& dotted) {
  std::vector<std::string> out;
  std::stringstream in(dotted);
  for (std::string part; std::getline(in, part, '.');) out.push_back(part);
  return out;
}

/// The node at `dotted`, mappings created on the way.
YAML::Node at(YAML::Node root, const std::string& dotted) {
  YAML::Node n = root;
  for (const auto& part : split(dotted)) n.reset(n[part]);
  return n;
}

/// Sets (or, for "", removes) `dotted` in `root`.
void write(YAML::Node root, const std::string& dotted, const std::string& value) {
  auto parts = split(dotted);
  const std::string leaf = parts.back();
  parts.pop_back();
  YAML::Node parent = root;
  for (const auto& part : parts) parent.reset(parent[part]);
  if (value.empty())
    parent.remove(leaf);
  else
    parent[leaf] = YAML::Load(value);
}

/// Moves the subtree at `from` to `to` (appended to its new parent).
void move(YAML::Node root, const std::string& from, const std::string& to) {
  auto from_parts = split(from);
  const std::string leaf = from_parts.back();
  from_parts.pop_back();
  YAML::Node parent = root;
  for (const auto& part : from_parts) parent.reset(parent[part]);
  YAML::Node subtree = YAML::Clone(parent[leaf]);
  parent.remove(leaf);
  auto to_parts = split(to);
  const std::string to_leaf = to_parts.back();
  to_parts.pop_back();
  YAML::Node target = root;
  for (const auto& part : to_parts) target.reset(target[part]);
  target[to_leaf] = subtree;
}

std::string emit(const YAML::Node& root) {
  YAML::Emitter out;
  out << root;
  return std::string(out.c_str()) + "\n";
}

/// 1-based line of the key `dotted` in `text`.
int line_of_key(const std::string& text, const std::string& dotted) {
  auto parts = split(dotted);
  YAML::Node n = YAML::Load(text);
  for (std::size_t i = 0; i < parts.size(); ++i) {
    for (const auto& kv : n) {
      if (kv.first.Scalar() != parts[i]) continue;
      if (i + 1 == parts.size()) return kv.first.Mark().line + 1;
      n.reset(kv.second);
      break;
    }
  }
  ADD_FAILURE() << dotted << " not in:\n" << text;
  return -1;
}

std::string parent_of(const std::string& dotted) {
  auto dot = dotted.rfind('.');
  return dot == std::string::npos ? std::string() : dotted.substr(0, dot);
}

/// Where the old name of `r` is written in a file otherwise current: in the
/// current mapping when only the leaf is renamed (insi.certificate.key is
/// written insi.certificat.key), else where 0.1.0 had it (log_level).
std::string written_old(const RenamedKey& r) {
  const std::string old_key(r.old_key), new_key(r.new_key);
  const std::string old_parent = parent_of(old_key), new_parent = parent_of(new_key);
  if (old_parent == new_parent) return old_key;
  for (const auto& p : renamed_keys())
    if (p.old_key == old_parent && p.new_key == new_parent)
      return new_parent + old_key.substr(old_parent.size());
  return old_key;
}

class RenamedKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "insgate-renamed-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ / "pki");
    for (const char* f : {"pki/client.pem", "pki/client.key", "pki/ca.pem", "pki/other.pem",
                          "pki/other.key", "pki/client.p12", "pki/client.pass"})
      std::ofstream(dir_ / f) << "dummy\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  Config load_text(const std::string& text) {
    std::ofstream(dir_ / "insgate.yaml", std::ios::trunc) << text;
    return load((dir_ / "insgate.yaml").string());
  }
  std::string error_of(const std::string& text) {
    try {
      load_text(text);
    } catch (const ConfigError& e) {
      return e.what();
    }
    ADD_FAILURE() << "no ConfigError for:\n" << text;
    return {};
  }

  /// kBase with the case's values, in the current vocabulary.
  static YAML::Node current(const Case& c) {
    YAML::Node root = YAML::Load(kBase);
    for (const auto& [key, value] : c.writes) write(root, key, value);
    return root;
  }

  fs::path dir_;
};

TEST_F(RenamedKeysTest, every_renamed_key_has_a_case_here) {
  for (const auto& r : renamed_keys())
    EXPECT_TRUE(cases().count(std::string(r.new_key))) << "no test case for " << r.new_key;
  EXPECT_EQ(cases().size(), renamed_keys().size());
}

TEST_F(RenamedKeysTest, each_renamed_key_loads_under_its_new_name_without_warning) {
  for (const auto& r : renamed_keys()) {
    SCOPED_TRACE(std::string(r.new_key));
    const Case& c = cases().at(std::string(r.new_key));
    auto cfg = load_text(emit(current(c)));
    EXPECT_EQ(c.read(cfg), c.expected);
    EXPECT_TRUE(cfg.renamed_keys.empty());
  }
}

TEST_F(RenamedKeysTest, each_old_name_has_the_same_effect_with_one_warning_naming_key_line_and_new_name) {
  for (const auto& r : renamed_keys()) {
    const std::string old_key = written_old(r), new_key(r.new_key);
    SCOPED_TRACE(old_key + " -> " + new_key);
    const Case& c = cases().at(new_key);
    YAML::Node root = current(c);
    move(root, new_key, old_key);
    const std::string text = emit(root);
    Config cfg;
    ASSERT_NO_THROW(cfg = load_text(text)) << text;
    EXPECT_EQ(c.read(cfg), c.expected) << text;
    ASSERT_EQ(cfg.renamed_keys.size(), 1u) << text;
    EXPECT_THAT(cfg.renamed_keys[0],
                HasSubstr(old_key + " (line " + std::to_string(line_of_key(text, old_key)) +
                          "): renamed " + new_key));
    // --check-config prints advisories(), start-up logs them.
    EXPECT_EQ(advisories(cfg).at(0), cfg.renamed_keys[0]);
  }
}

TEST_F(RenamedKeysTest, old_and_new_names_of_one_setting_together_are_refused) {
  for (const auto& r : renamed_keys()) {
    const std::string old_key = written_old(r), new_key(r.new_key);
    SCOPED_TRACE(old_key + " + " + new_key);
    YAML::Node root = current(cases().at(new_key));
    YAML::Node copy = YAML::Clone(at(root, new_key));
    auto parts = split(old_key);
    const std::string leaf = parts.back();
    parts.pop_back();
    YAML::Node parent = root;
    for (const auto& part : parts) parent.reset(parent[part]);
    parent[leaf] = copy;
    const std::string text = emit(root);
    const auto msg = error_of(text);
    EXPECT_THAT(msg, HasSubstr(old_key + " (line " + std::to_string(line_of_key(text, old_key)) + ")"));
    EXPECT_THAT(msg, HasSubstr("keep only " + new_key));
  }
}

// A whole 0.1.0 file: every old name at once (nested renames included) reads
// like the same file in the current vocabulary, one warning per old key.
TEST_F(RenamedKeysTest, a_whole_0_1_0_file_loads_like_its_current_form) {
  const char* const old_file = R"(api:
  socket: run/insgate.sock
  socket_mode: "0600"
  header_timeout_ms: 1234
  idle_timeout_ms: 4321
  max_connections: 77
  allowed_users: ["1234"]
  allowed_groups: ["4321"]
insi:
  endpoint: https://autre.example.test:9443/lps
  environment: qualification
  certificate:
    pkcs12: pki/client.p12
    passphrase_file: pki/client.pass
  ca: pki/ca.pem
  deadlines: {connect_ms: 1111, call_ms: 3333, request_ms: 7777}
  retries: {max: 1, backoff_ms: 333}
  circuit: {failures: 7, cooldown_ms: 4444}
structure: {finess: "010000001", nom: "EHPAD Test"}
lps: {idam: "AM-123", instance: "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"}
cache: {ttl_s: 600}
outbox: {max_tentatives: 9, backoff_ms: 250}
log_level: warn
)";
  const char* const new_file = R"(api:
  socket: run/insgate.sock
  mode_socket: "0600"
  delai_entete_ms: 1234
  delai_inactivite_ms: 4321
  connexions_max: 77
  utilisateurs_autorises: ["1234"]
  groupes_autorises: ["4321"]
insi:
  url: https://autre.example.test:9443/lps
  environnement: qualification
  certificat:
    pkcs12: pki/client.p12
    phrase_secrete_fichier: pki/client.pass
  ca: pki/ca.pem
  delais: {connexion_ms: 1111, appel_ms: 3333, requete_ms: 7777}
  reprises: {max: 1, attente_ms: 333}
  circuit: {echecs: 7, pause_ms: 4444}
structure: {finess: "010000001", nom: "EHPAD Test"}
lps: {idam: "AM-123", instance: "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"}
cache: {duree_s: 600}
outbox: {tentatives_max: 9, attente_ms: 250}
journal: {niveau: warn}
)";
  const Config old_cfg = load_text(old_file);
  const Config new_cfg = load_text(new_file);
  EXPECT_TRUE(new_cfg.renamed_keys.empty());
  // Every renamed key but the PEM pair (insi.certificate.cert/key: this file
  // uses PKCS#12, the cases above cover them).
  EXPECT_EQ(old_cfg.renamed_keys.size(), renamed_keys().size() - 2);
  for (const auto& [key, c] : cases()) {
    if (key == "insi.certificat" || key == "insi.certificat.certificat" || key == "insi.certificat.cle")
      continue;
    EXPECT_EQ(c.read(old_cfg), c.read(new_cfg)) << key;
    EXPECT_EQ(c.read(new_cfg), c.expected) << key;
  }
  EXPECT_EQ(fs::path(old_cfg.insi.certificate.pkcs12_file).filename(), "client.p12");
}

// config/insgate.yaml (its /etc/insgate files made here) loads with the
// current names only: no warning.
TEST_F(RenamedKeysTest, the_example_configuration_uses_the_current_names) {
  std::ifstream in(INSGATE_SOURCE_DIR "/config/insgate.yaml");
  ASSERT_TRUE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  const std::string etc = "/etc/insgate/";
  for (auto at = text.find(etc); at != std::string::npos; at = text.find(etc, at))
    text.replace(at, etc.size(), (dir_ / "etc").string() + "/");
  fs::create_directories(dir_ / "etc" / "ca");
  fs::create_directories(dir_ / "credentials");
  for (const char* f : {"etc/insi-auth-cli.pem", "credentials/insi-auth-cli.key",
                        "etc/ca/ACR-EL.cer", "etc/ca/ACI-EL-ORG.cer"})
    std::ofstream(dir_ / f) << "dummy\n";
  // The unit's LoadCredential= (issue 17 item 10): the key comes from the
  // credentials directory systemd gives the service.
  ASSERT_EQ(::setenv("CREDENTIALS_DIRECTORY", (dir_ / "credentials").c_str(), 1), 0);
  // As shipped, the placeholders are refused outside environnement: test.
  EXPECT_THAT(error_of(text), HasSubstr("lps.idam"));
  for (auto [from, to] : {std::pair<std::string, std::string>{"CHANGE-ME", "AM-123"},
                          {"00000000-0000-4000-8000-000000000000",
                           "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"}})
    text.replace(text.find(from), from.size(), to);
  Config c;
  ASSERT_NO_THROW(c = load_text(text));
  ::unsetenv("CREDENTIALS_DIRECTORY");
  EXPECT_EQ(c.insi.certificate.key_file, (dir_ / "credentials" / "insi-auth-cli.key").string());
  EXPECT_TRUE(c.renamed_keys.empty());
  EXPECT_EQ(c.insi.environment, "qualification");
  EXPECT_EQ(c.log_level, "info");
}

TEST_F(RenamedKeysTest, unknown_keys_are_still_errors) {
  auto typo = error_of(std::string(kBase) + "journal: {niveu: info}\n");
  EXPECT_THAT(typo, HasSubstr("journal.niveu (line 16): unknown key"));
  // An old name is only read where it was: endpoint under api is unknown.
  auto misplaced = error_of(std::string(kBase).replace(std::string(kBase).find("insi:"), 5,
                                                       "  endpoint: https://x.test/lps\ninsi:"));
  EXPECT_THAT(misplaced, HasSubstr("api.endpoint (line 3): unknown key"));
}

TEST_F(RenamedKeysTest, errors_in_an_old_key_name_the_key_as_written) {
  auto text = std::string(kBase);
  text.replace(text.find("  url: https://insi.example.test:8443/lps"),
               std::string("  url: https://insi.example.test:8443/lps").size(),
               "  endpoint: http://insecure/lps");
  EXPECT_THAT(error_of(text), HasSubstr("insi.endpoint (line 4): must be an https:// URL"));
}

}  // namespace
}  // namespace insgate::config
