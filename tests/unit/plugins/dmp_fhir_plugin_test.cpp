// Tests of plugins/dmp-fhir loaded through the host loader, against a local
// HTTPS server (Boost.Beast, 127.0.0.1, ephemeral port, test PKI from
// tests/pki/make-test-pki) that records every request it receives: FR Core
// Patient shape (ins-identity-rules.md §5.2), headers, status mapping, TLS
// verification (wrong CA, wrong host name: nothing is sent).
// SPDX-License-Identifier: GPL-3.0-or-later
#include <atomic>
#include <cstdlib>
#include <mutex>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "https_capture_server.hpp"
#include "test_event.hpp"
#include "validators.hpp"

#if !defined(INSGATE_DMP_FHIR_PLUGIN) || !defined(INSGATE_MAKE_TEST_PKI)
#error "INSGATE_DMP_FHIR_PLUGIN comes from plugins/dmp-fhir/CMakeLists.txt"
#endif

namespace insgate::plugin_test {
namespace {

namespace asio = boost::asio;
namespace ssl = asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using nlohmann::json;
using plugin_host::DeliveryStatus;
using plugin_host::EventKind;
using plugin_host::LoadedPlugin;
using plugin_host::PluginError;
using ::testing::HasSubstr;
using ::testing::Not;

using testing::Captured;
using testing::TestServer;

class DmpFhir : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    pki_ = new TempDir();
    const std::string cmd =
        std::string(INSGATE_MAKE_TEST_PKI) + " " + pki_->path().string() + " >/dev/null 2>&1";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  }
  static void TearDownTestSuite() {
    delete pki_;
    pki_ = nullptr;
  }
  static fs::path pki() { return pki_->path(); }

  static std::string config(const std::string& host, unsigned short port,
                            const std::string& ca = "ca.pem") {
    return json{{"url", "https://" + host + ":" + std::to_string(port) + "/fhir/Patient"},
                {"ca", (pki() / ca).string()},
                {"timeout_ms", 3000},
                {"systeme_identifiant_local", "urn:oid:1.2.250.1.999.1"}}
        .dump();
  }
  static std::string with(const std::string& cfg, const json& extra) {
    json j = json::parse(cfg);
    j.update(extra);
    return j.dump();
  }

  /// The body through the independent validators: the official FHIR R4 JSON
  /// schema (npm package, tools/npm) and the FR Core rules the plugin claims.
  static void expect_valid_fr_core_patient(const std::string& body, const std::string& name) {
    const std::string file = (pki() / (name + ".json")).string();
    testing::write_text(file, body);
    auto v = testing::run_validator("fhir_patient.py", {testing::fhir_r4_schema(), file},
                                    file + ".log");
    EXPECT_EQ(v.exit_code, 0) << v.output;
  }

  LoadedPlugin plugin = LoadedPlugin::load(INSGATE_DMP_FHIR_PLUGIN, nullptr);
  static inline TempDir* pki_ = nullptr;
};

json find_by_url(const json& array, const std::string& url) {
  for (const auto& e : array)
    if (e.value("url", "") == url) return e;
  ADD_FAILURE() << "no element with url " << url;
  return json::object();
}

TEST_F(DmpFhir, PostsAnFrCorePatientIns) {
  TestServer server(pki(), 201);
  auto inst = plugin.create(config("localhost", server.port()));
  auto r = inst.deliver(sample_event());
  ASSERT_EQ(r.status, DeliveryStatus::ok) << r.error;
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 1u);
  const Captured& c = reqs[0];
  EXPECT_EQ(c.method, "POST");
  EXPECT_EQ(c.target, "/fhir/Patient");
  EXPECT_EQ(c.content_type, "application/fhir+json");
  EXPECT_EQ(c.idempotency_key, "evt-0001");
  EXPECT_EQ(c.request_id, "evt-0001");

  const json p = json::parse(c.body);
  EXPECT_EQ(p["resourceType"], "Patient");
  EXPECT_EQ(p["meta"]["profile"][0],
            "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient-ins");
  ASSERT_EQ(p["identifier"].size(), 2u);
  const json& ins = p["identifier"][0];
  EXPECT_EQ(ins["use"], "official");
  EXPECT_EQ(ins["system"], "urn:oid:1.2.250.1.213.1.4.8");
  EXPECT_EQ(ins["value"], "292032A00401233");
  EXPECT_EQ(ins["type"]["coding"][0]["system"],
            "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203");
  EXPECT_EQ(ins["type"]["coding"][0]["code"], "INS-NIR");
  const json& local = p["identifier"][1];
  EXPECT_EQ(local["value"], "IPP000123");
  EXPECT_EQ(local["type"]["coding"][0]["code"], "PI");
  EXPECT_EQ(local["system"], "urn:oid:1.2.250.1.999.1");  // FR Core identifier[PI].system

  const json rel = find_by_url(
      p["extension"], "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability");
  const json status = find_by_url(rel["extension"], "identityStatus");
  EXPECT_EQ(status["valueCoding"]["code"], "VALI");  // FR Core 2.1 default (table 0445)
  // How the identity was established: INSi call date, document and its date.
  EXPECT_EQ(find_by_url(rel["extension"], "dateCollection")["valueDate"], "2024-01-15");
  EXPECT_EQ(find_by_url(rel["extension"], "validationMode")["valueCoding"],
            json({{"system", "https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity"},
                  {"code", "CN"}}));
  EXPECT_EQ(find_by_url(rel["extension"], "validationDate")["valueDate"], "2024-01-15");

  const json& name = p["name"][0];
  EXPECT_EQ(name["use"], "official");
  EXPECT_EQ(name["family"], "DE LA FONTAINE");
  EXPECT_EQ(name["given"], json::array({"BERENICE"}));
  EXPECT_EQ(find_by_url(name["extension"],
                        "https://hl7.fr/ig/fhir/core/StructureDefinition/"
                        "fr-core-patient-birth-list-given-name")["valueString"],
            "BERENICE ANNE-SOPHIE");
  EXPECT_EQ(p["gender"], "female");
  EXPECT_EQ(p["birthDate"], "1992-03-15");
  const json bp =
      find_by_url(p["extension"], "http://hl7.org/fhir/StructureDefinition/patient-birthPlace");
  const json insee = find_by_url(bp["valueAddress"]["extension"],
                                 "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code");
  EXPECT_EQ(insee["valueCoding"]["code"], "2A004");
  expect_valid_fr_core_patient(c.body, "patient-qualifiee");
}

TEST_F(DmpFhir, EveryKindOfPatientPassesTheR4SchemaAndFrCoreRules) {
  TestServer server(pki(), 201);
  auto v21 = plugin.create(config("localhost", server.port()));
  auto v22 = plugin.create(with(config("localhost", server.port()), {{"fr_core", "2.2"}}));
  auto nia = sample_event();
  nia.ins = {"1800175123456", "60", "1.2.250.1.213.1.4.9"};
  nia.lieu_naissance = "99350";
  nia.identity_document_type = "TITRE_SEJOUR";
  auto replaced = sample_event();
  replaced.kind = EventKind::ins_remplacee;
  replaced.previous_ins = plugin_host::Ins{"1800175123456", "60", "1.2.250.1.213.1.4.9"};
  auto declassee = sample_event();
  declassee.kind = EventKind::declassee;
  declassee.rniv_status = "recuperee";
  declassee.identity_document_type.clear();
  declassee.identity_document_checked_on.clear();
  auto lunar = sample_event();
  lunar.date_naissance = "1980-00-00";  // partly unknown: birthDate "1980"
  for (auto* ev : {&nia, &replaced, &declassee, &lunar}) {
    ASSERT_EQ(v21.deliver(*ev).status, DeliveryStatus::ok);
    ASSERT_EQ(v22.deliver(*ev).status, DeliveryStatus::ok);
  }
  const auto reqs = server.requests();
  ASSERT_EQ(reqs.size(), 8u);
  for (std::size_t i = 0; i < reqs.size(); ++i)
    expect_valid_fr_core_patient(reqs[i].body, "patient-" + std::to_string(i));
  const json p22 = json::parse(reqs[1].body);
  const json rel = find_by_url(
      p22["extension"], "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability");
  EXPECT_EQ(find_by_url(rel["extension"], "dateInterrogationINSi")["valueDate"], "2024-01-15");
  EXPECT_EQ(find_by_url(rel["extension"], "validationMode")["valueCoding"]["code"], "CS");
}

TEST_F(DmpFhir, TheValidatorsRejectWhatFrCoreRejects) {
  // The validators themselves catch the defects of issue 20: no IPP system,
  // an INS type that does not match its OID, a property R4 does not know.
  TestServer server(pki(), 201);
  auto inst = plugin.create(config("localhost", server.port()));
  ASSERT_EQ(inst.deliver(sample_event()).status, DeliveryStatus::ok);
  json p = json::parse(server.requests().at(0).body);
  const std::string schema = testing::fhir_r4_schema();
  auto check = [&](const json& bad, const std::string& name, const std::string& why) {
    const std::string file = (pki() / (name + ".json")).string();
    testing::write_text(file, bad.dump());
    auto v = testing::run_validator("fhir_patient.py", {schema, file}, file + ".log");
    EXPECT_EQ(v.exit_code, 1) << name;
    EXPECT_THAT(v.output, HasSubstr(why)) << name;
  };
  json no_system = p;
  no_system["identifier"][1].erase("system");
  check(no_system, "no-ipp-system", "IPP identifier");
  json wrong_type = p;
  wrong_type["identifier"][0]["type"]["coding"][0]["code"] = "INS-NIA";
  check(wrong_type, "wrong-ins-type", "does not match OID");
  json unknown = p;
  unknown["ins"] = "x";
  check(unknown, "unknown-property", "R4 schema");
}

TEST_F(DmpFhir, FrCore22AndReplacementAndIpAddressUrl) {
  TestServer server(pki(), 200);
  auto inst = plugin.create(with(config("127.0.0.1", server.port()), {{"fr_core", "2.2"}}));
  auto ev = sample_event();
  ev.kind = EventKind::ins_remplacee;
  ev.previous_ins = plugin_host::Ins{"1800175123456", "60", "1.2.250.1.213.1.4.9"};
  auto r = inst.deliver(ev);
  ASSERT_EQ(r.status, DeliveryStatus::ok) << r.error;
  const json p = json::parse(server.requests().at(0).body);
  EXPECT_EQ(p["identifier"][1]["use"], "old");
  EXPECT_EQ(p["identifier"][1]["type"]["coding"][0]["code"], "INS-NIA");
  EXPECT_EQ(p["identifier"][1]["value"], "180017512345660");
  const json rel = find_by_url(
      p["extension"], "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability");
  EXPECT_EQ(rel["extension"][0]["valueCoding"]["code"], "QUAL");
}

TEST_F(DmpFhir, DowngradeSendsNoIns) {
  TestServer server(pki(), 200);
  auto inst = plugin.create(config("localhost", server.port()));
  auto ev = sample_event();
  ev.kind = EventKind::declassee;
  ev.rniv_status = "recuperee";
  ASSERT_EQ(inst.deliver(ev).status, DeliveryStatus::ok);
  const auto body = server.requests().at(0).body;
  EXPECT_THAT(body, Not(HasSubstr("292032A004012")));
  const json p = json::parse(body);
  EXPECT_EQ(p["meta"]["profile"][0],
            "https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-patient");
  ASSERT_EQ(p["identifier"].size(), 1u);
  EXPECT_EQ(p["identifier"][0]["value"], "IPP000123");
  EXPECT_EQ(p["extension"][0]["extension"][0]["valueCoding"]["code"], "PROV");
}

TEST_F(DmpFhir, ClientCertificateIsPresentedWhenConfigured) {
  TestServer server(pki(), 200, "server", /*require_client_cert=*/true);
  auto inst = plugin.create(with(config("localhost", server.port()),
                                 {{"certificat", (pki() / "client.pem").string()},
                                  {"cle", (pki() / "client.key").string()}}));
  auto r = inst.deliver(sample_event());
  ASSERT_EQ(r.status, DeliveryStatus::ok) << r.error;
  EXPECT_TRUE(server.requests().at(0).client_certificate);
}

TEST_F(DmpFhir, ServiceUnavailableIsRetryLater) {
  TestServer server(pki(), 503);
  auto inst = plugin.create(config("localhost", server.port()));
  auto r = inst.deliver(sample_event());
  EXPECT_EQ(r.status, DeliveryStatus::retry_later);
  EXPECT_THAT(r.error, HasSubstr("503"));
}

TEST_F(DmpFhir, TooManyRequestsIsRetryLater) {
  TestServer server(pki(), 429);
  auto inst = plugin.create(config("localhost", server.port()));
  EXPECT_EQ(inst.deliver(sample_event()).status, DeliveryStatus::retry_later);
}

TEST_F(DmpFhir, BadRequestIsPermanentWithTheStatusButNotTheBody) {
  TestServer server(pki(), 400);
  auto inst = plugin.create(config("localhost", server.port()));
  const auto ev = sample_event();
  auto r = inst.deliver(ev);
  EXPECT_EQ(r.status, DeliveryStatus::permanent_failure);
  EXPECT_THAT(r.error, HasSubstr("HTTP 400"));
  EXPECT_LE(r.error.size(), 200u);
  for (const auto& d : identity_data(ev)) EXPECT_THAT(r.error, Not(HasSubstr(d)));
}

TEST_F(DmpFhir, ServerDownIsRetryLater) {
  unsigned short port;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }  // closed: nothing listens there any more
  auto inst = plugin.create(config("127.0.0.1", port));
  auto r = inst.deliver(sample_event());
  EXPECT_EQ(r.status, DeliveryStatus::retry_later);
  EXPECT_THAT(r.error, HasSubstr("connect"));
}

TEST_F(DmpFhir, SilentServerTimesOutAsRetryLater) {
  asio::io_context ioc;
  tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});  // listens, never answers
  auto inst = plugin.create(with(config("127.0.0.1", a.local_endpoint().port()), {{"timeout_ms", 300}}));
  const auto start = std::chrono::steady_clock::now();
  auto r = inst.deliver(sample_event());
  EXPECT_EQ(r.status, DeliveryStatus::retry_later);
  EXPECT_THAT(r.error, HasSubstr("timed out"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST_F(DmpFhir, WrongCaNeverSends) {
  TestServer server(pki(), 200);
  auto inst = plugin.create(config("localhost", server.port(), "other-ca.pem"));
  auto r = inst.deliver(sample_event());
  EXPECT_NE(r.status, DeliveryStatus::ok);
  EXPECT_THAT(r.error, HasSubstr("certificate"));
  RecordProperty("error", r.error);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(DmpFhir, WrongHostNameNeverSends) {
  TestServer server(pki(), 200, "server-otherhost");
  auto inst = plugin.create(config("localhost", server.port()));
  auto r = inst.deliver(sample_event());
  EXPECT_NE(r.status, DeliveryStatus::ok);
  EXPECT_THAT(r.error, HasSubstr("certificate"));
  RecordProperty("error", r.error);
  EXPECT_TRUE(server.requests().empty());
}

TEST_F(DmpFhir, BadConfigurationsAreRefused) {
  auto error_of = [&](const std::string& cfg) -> std::string {
    try {
      plugin.create(cfg);
    } catch (const PluginError& e) {
      return e.what();
    }
    return "created";
  };
  const std::string good = config("localhost", 443);
  EXPECT_THAT(error_of(with(good, {{"url", "http://localhost/x"}})), HasSubstr("\"url\""));
  EXPECT_THAT(error_of(with(good, {{"ca", "/nonexistent/ca.pem"}})), HasSubstr("INVALID_CONFIG"));
  EXPECT_THAT(error_of(with(good, {{"certificat", (pki() / "client.pem").string()}})),
              HasSubstr("go together"));
  EXPECT_THAT(error_of(with(good, {{"certificat", (pki() / "client.pem").string()},
                                   {"cle", (pki() / "server.key").string()}})),
              HasSubstr("does not match"));
  EXPECT_THAT(error_of(with(good, {{"timeout_ms", "fast"}})), HasSubstr("timeout_ms"));
  EXPECT_THAT(error_of(with(good, {{"fr_core", "3"}})), HasSubstr("fr_core"));
  // FR Core requires identifier[PI].system: no silent IPP without a system.
  json no_system = json::parse(good);
  no_system.erase("systeme_identifiant_local");
  EXPECT_THAT(error_of(no_system.dump()), HasSubstr("\"systeme_identifiant_local\" is required"));
  EXPECT_THAT(error_of(with(good, {{"systeme_identifiant_local", "ESMS DEMO"}})),
              HasSubstr("absolute URI"));
  EXPECT_THAT(error_of("null"), HasSubstr("must be an object"));
}

}  // namespace
}  // namespace insgate::plugin_test
