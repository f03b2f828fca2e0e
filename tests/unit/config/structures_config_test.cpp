// Unit tests of the `structures:` list (issue 12): several structures, each
// with its own certificate, emetteur and callers; the single `structure:`
// block as a one-element list; the mistakes refused with key and line.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "config/config.hpp"

namespace insgate::config {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

const char* const kHead = R"(api:
  socket: run/insgate.sock
insi:
  url: https://insi.example.test:8443/lps
  environnement: test
  ca: pki/ca.pem
lps:
  idam: "AM-123"
  instance: "6f1c2a34-5b6d-4e7f-8a9b-0c1d2e3f4a5b"
)";

const char* const kTwo = R"(structures:
  - finess: "010000001"
    nom: "EHPAD A"
    categorie: "500 - EHPAD"
    certificat: {certificat: pki/a.pem, cle: pki/a.key}
    appelants:
      utilisateurs: ["0", "1234"]
      groupes: ["0"]
      certificats: ["CN=soins-a", "OU=client-42", "serial=00:0a:1B"]
  - finess: "2A0000012"
    nom: "SSIAD B"
    certificat: {pkcs12: pki/b.p12, phrase_secrete_fichier: pki/b.pass}
    emetteur: "EMETTEUR-B"
)";

int line_of(const std::string& text, const std::string& needle) {
  std::istringstream in(text);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n)
    if (line.find(needle) != std::string::npos) return n;
  ADD_FAILURE() << "needle not found: " << needle;
  return -1;
}
std::string at_line(int n) { return "(line " + std::to_string(n) + ")"; }

std::string replace(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << "not in config: " << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

class StructuresConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "insgate-structures-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    fs::create_directories(dir_ / "pki");
    for (const char* f : {"pki/a.pem", "pki/a.key", "pki/b.p12", "pki/b.pass", "pki/ca.pem",
                          "pki/c.pem", "pki/c.key"})
      std::ofstream(dir_ / f) << "dummy\n";
  }
  void TearDown() override {
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }
  Config load_text(const std::string& text) {
    auto p = dir_ / "insgate.yaml";
    std::ofstream(p) << text;
    return load(p.string());
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
  fs::path dir_;
};

TEST_F(StructuresConfigTest, list_loads_each_structure_with_its_certificate_emetteur_and_callers) {
  auto c = load_text(std::string(kHead) + kTwo);
  ASSERT_EQ(c.structures.size(), 2u);
  const auto& a = c.structures[0];
  EXPECT_EQ(a.finess, "010000001");
  EXPECT_EQ(a.name, "EHPAD A");
  EXPECT_EQ(a.categorie, "500 - EHPAD");
  EXPECT_EQ(a.key, "structures[0]");
  EXPECT_EQ(fs::path(a.certificate.cert_file).filename(), "a.pem");
  EXPECT_EQ(fs::path(a.certificate.key_file).filename(), "a.key");
  EXPECT_EQ(a.emetteur, "010000001") << "emetteur defaults to the structure's FINESS";
  EXPECT_EQ(a.callers.uids, (std::vector<unsigned>{0, 1234}));
  EXPECT_EQ(a.callers.gids, (std::vector<unsigned>{0}));
  EXPECT_EQ(a.callers.tls_subjects,
            (std::vector<std::string>{"CN=soins-a", "OU=client-42", "serial=A1B"}));
  const auto& b = c.structures[1];
  EXPECT_EQ(b.finess, "2A0000012");
  EXPECT_EQ(fs::path(b.certificate.pkcs12_file).filename(), "b.p12");
  EXPECT_EQ(b.emetteur, "EMETTEUR-B");
  EXPECT_TRUE(b.callers.open());
  EXPECT_TRUE(c.insi.certificate.cert_file.empty() && c.insi.certificate.pkcs12_file.empty());
  EXPECT_EQ(find_structure(c, "2A0000012"), &c.structures[1]);
  EXPECT_EQ(find_structure(c, "999999999"), nullptr);
}

TEST_F(StructuresConfigTest, single_structure_block_is_a_one_element_list) {
  auto c = load_text(replace(std::string(kHead), "  ca: pki/ca.pem\n",
                             "  ca: pki/ca.pem\n  certificat: {certificat: pki/a.pem, cle: pki/a.key}\n") +
                     "structure: {finess: \"010000001\", nom: \"EHPAD\", appelants: {utilisateurs: [\"7\"]}}\n"
                     "emetteur: \"EM\"\n");
  ASSERT_EQ(c.structures.size(), 1u);
  const auto& s = c.structures[0];
  EXPECT_EQ(s.key, "structure");
  EXPECT_EQ(s.certificate, c.insi.certificate) << "insi.certificat is the structure's certificate";
  EXPECT_EQ(fs::path(s.certificate.key_file).filename(), "a.key");
  EXPECT_EQ(s.emetteur, "EM");
  EXPECT_EQ(s.callers.uids, (std::vector<unsigned>{7}));
  // Without insi.certificat, the single form names the missing key.
  EXPECT_THAT(error_of(std::string(kHead) + "structure: {finess: \"010000001\", nom: \"EHPAD\"}\n"),
              HasSubstr("insi.certificat: required key missing"));
}

TEST_F(StructuresConfigTest, duplicate_finess_is_refused_with_key_and_line) {
  auto text = std::string(kHead) +
              replace(kTwo, "finess: \"2A0000012\"", "finess: \"010000001\"");
  auto msg = error_of(text);
  const int second = line_of(text, "nom: \"SSIAD B\"") - 1;
  EXPECT_THAT(msg, HasSubstr("structures[1].finess " + at_line(second))) << msg;
  EXPECT_THAT(msg, HasSubstr("already given in structures[0]"));
}

TEST_F(StructuresConfigTest, finess_not_nine_characters_is_refused_with_key_and_line) {
  auto text = std::string(kHead) + replace(kTwo, "\"2A0000012\"", "\"12345\"");
  auto msg = error_of(text);
  EXPECT_THAT(msg, HasSubstr("structures[1].finess " + at_line(line_of(text, "\"12345\""))));
  EXPECT_THAT(msg, HasSubstr("9-character FINESS"));
}

TEST_F(StructuresConfigTest, two_structures_sharing_one_key_file_are_refused) {
  auto text = std::string(kHead) +
              replace(kTwo, "{pkcs12: pki/b.p12, phrase_secrete_fichier: pki/b.pass}",
                      "{certificat: pki/c.pem, cle: pki/./a.key}");
  auto msg = error_of(text);
  EXPECT_THAT(msg, HasSubstr("structures[1].certificat " +
                             at_line(line_of(text, "certificat: {certificat: pki/c.pem"))));
  EXPECT_THAT(msg, HasSubstr("same private key file as structures[0]"));
}

TEST_F(StructuresConfigTest, each_structure_needs_its_own_certificate) {
  auto text = std::string(kHead) +
              replace(kTwo, "    certificat: {pkcs12: pki/b.p12, phrase_secrete_fichier: pki/b.pass}\n", "");
  auto msg = error_of(text);
  EXPECT_THAT(msg, HasSubstr("structures[1].certificat: required key missing"));
}

TEST_F(StructuresConfigTest, structure_and_structures_together_are_refused) {
  auto text = std::string(kHead) + kTwo + "structure: {finess: \"010000001\", nom: \"X\"}\n";
  EXPECT_THAT(error_of(text), HasSubstr("not both"));
}

TEST_F(StructuresConfigTest, insi_certificat_with_structures_is_refused) {
  auto text = replace(std::string(kHead) + kTwo, "  ca: pki/ca.pem\n",
                      "  ca: pki/ca.pem\n  certificat: {certificat: pki/c.pem, cle: pki/c.key}\n");
  auto msg = error_of(text);
  EXPECT_THAT(msg, HasSubstr("insi.certificat " + at_line(line_of(text, "  certificat: {certificat: pki/c.pem"))));
  EXPECT_THAT(msg, HasSubstr("its own certificat"));
}

TEST_F(StructuresConfigTest, top_level_emetteur_with_structures_is_refused) {
  auto msg = error_of(std::string(kHead) + kTwo + "emetteur: \"X\"\n");
  EXPECT_THAT(msg, HasSubstr("emetteur"));
  EXPECT_THAT(msg, HasSubstr("each structure"));
}

TEST_F(StructuresConfigTest, empty_list_and_bad_caller_rules_are_refused) {
  EXPECT_THAT(error_of(std::string(kHead) + "structures: []\n"), HasSubstr("structures"));
  auto text = std::string(kHead) + replace(kTwo, "\"OU=client-42\"", "\"O=client-42\"");
  EXPECT_THAT(error_of(text), HasSubstr("structures[0].appelants.certificats[1]"));
  text = std::string(kHead) + replace(kTwo, "\"serial=00:0a:1B\"", "\"serial=XYZ\"");
  EXPECT_THAT(error_of(text), HasSubstr("hexadecimal"));
  text = std::string(kHead) + replace(kTwo, "utilisateurs: [\"0\", \"1234\"]",
                                      "utilisateurs: [\"no-such-user-insgate\"]");
  EXPECT_THAT(error_of(text), HasSubstr("no such user"));
  text = std::string(kHead) + replace(kTwo, "    appelants:\n", "    appelant:\n");
  EXPECT_THAT(error_of(text), HasSubstr("structures[0].appelant"));
}

// A plugin instance limited to some structures (issue 12): their FINESS,
// each a configured structure's; absent = every structure.
TEST_F(StructuresConfigTest, plugin_structures_are_configured_finess) {
  const std::string plugins = R"(plugins:
  - {nom: spool-a, chemin: /usr/lib/insgate/spool.so, structures: ["010000001"]}
  - {nom: spool-tous, chemin: /usr/lib/insgate/spool.so}
)";
  auto c = load_text(std::string(kHead) + kTwo + plugins);
  ASSERT_EQ(c.plugins.size(), 2u);
  EXPECT_EQ(c.plugins[0].structures, std::vector<std::string>{"010000001"});
  EXPECT_TRUE(c.plugins[1].structures.empty());

  auto text = std::string(kHead) + kTwo + replace(plugins, "[\"010000001\"]", "[\"999999999\"]");
  auto msg = error_of(text);
  EXPECT_THAT(msg, HasSubstr("plugins[0].structures[0]")) << msg;
  EXPECT_THAT(msg, HasSubstr("not the FINESS of a configured structure")) << msg;
  text = std::string(kHead) + kTwo +
         replace(plugins, "[\"010000001\"]", "[\"010000001\", \"010000001\"]");
  EXPECT_THAT(error_of(text), HasSubstr("FINESS listed twice"));
  text = std::string(kHead) + kTwo + replace(plugins, "[\"010000001\"]", "[]");
  msg = error_of(text);
  EXPECT_THAT(msg, HasSubstr("plugins[0].structures " + at_line(line_of(text, "spool-a")))) << msg;
}

TEST_F(StructuresConfigTest, missing_structures_names_both_forms) {
  auto msg = error_of(kHead);
  EXPECT_THAT(msg, HasSubstr("structures: required key missing"));
}

}  // namespace
}  // namespace insgate::config
