// Unit tests of plugin_host/yaml_json.hpp: which plain scalars get a JSON
// type, quoted scalars stay strings, maps and sequences, refusals.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugin_host/yaml_json.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace insgate::plugin_host {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json convert(const std::string& yaml) { return yaml_to_json(YAML::Load(yaml)); }
json value(const std::string& scalar) { return convert("v: " + scalar)["v"]; }

TEST(YamlToJson, BooleansInEveryCoreSpelling) {
  for (const char* t : {"true", "True", "TRUE"}) EXPECT_EQ(value(t), json(true)) << t;
  for (const char* f : {"false", "False", "FALSE"}) EXPECT_EQ(value(f), json(false)) << f;
}

TEST(YamlToJson, NullsAndEmptyValues) {
  for (const char* n : {"null", "Null", "NULL", "~", ""}) EXPECT_TRUE(value(n).is_null()) << n;
}

TEST(YamlToJson, IntegersBecomeInt64) {
  EXPECT_EQ(value("0"), json(0));
  EXPECT_EQ(value("42"), json(42));
  EXPECT_EQ(value("-7"), json(-7));
  EXPECT_EQ(value("9223372036854775807"), json(INT64_MAX));
  EXPECT_TRUE(value("42").is_number_integer());
}

TEST(YamlToJson, FloatsBecomeDoubles) {
  EXPECT_EQ(value("1.5"), json(1.5));
  EXPECT_EQ(value("-2e3"), json(-2000.0));
  EXPECT_TRUE(value("0.25").is_number_float());
}

TEST(YamlToJson, IdentifierLikeScalarsStayStrings) {
  EXPECT_EQ(value("010000024"), json("010000024"));  // FINESS keeps its leading zero
  EXPECT_EQ(value("2B020"), json("2B020"));           // COG
  EXPECT_EQ(value("+5"), json("+5"));
  EXPECT_EQ(value("0x1F"), json("0x1F"));
  EXPECT_EQ(value("1_000"), json("1_000"));
  EXPECT_EQ(value(".inf"), json(".inf"));
  EXPECT_EQ(value("yes"), json("yes"));  // YAML 1.1 boolean, not 1.2
  EXPECT_EQ(value("99999999999999999999"), json("99999999999999999999"));  // beyond int64
  EXPECT_EQ(value("https://dmp.example/fhir"), json("https://dmp.example/fhir"));
}

TEST(YamlToJson, QuotedScalarsAlwaysStayStrings) {
  EXPECT_EQ(value("\"true\""), json("true"));
  EXPECT_EQ(value("'42'"), json("42"));
  EXPECT_EQ(value("\"null\""), json("null"));
  EXPECT_EQ(value("''"), json(""));
}

TEST(YamlToJson, MapsAndSequencesNest) {
  auto j = convert(R"(
url: https://connector.local/fhir
timeout_ms: 5000
tls:
  client_cert: /etc/insgate/client.pem
  verify: true
formats: [json, hl7]
retries:
  - {after_s: 1}
  - {after_s: 2.5}
)");
  EXPECT_EQ(j, json::parse(R"({
    "url": "https://connector.local/fhir", "timeout_ms": 5000,
    "tls": {"client_cert": "/etc/insgate/client.pem", "verify": true},
    "formats": ["json", "hl7"], "retries": [{"after_s": 1}, {"after_s": 2.5}]})"));
}

TEST(YamlToJson, EmptyCollectionsKeepTheirKind) {
  EXPECT_EQ(convert("{}"), json::object());
  EXPECT_EQ(convert("[]"), json::array());
}

TEST(YamlToJson, MissingSubtreeIsNull) {
  auto root = YAML::Load("name: spool");
  EXPECT_TRUE(yaml_to_json(root["config"]).is_null());
}

TEST(YamlToJson, DuplicateKeyIsRefusedWithItsLine) {
  try {
    convert("a: 1\nb: 2\na: 3\n");
    FAIL() << "accepted";
  } catch (const YamlJsonError& e) {
    EXPECT_THAT(e.what(), HasSubstr("line 3: duplicate key 'a'"));
  }
}

TEST(YamlToJson, NonScalarKeyIsRefused) {
  EXPECT_THROW(convert("? [a, b]\n: 1\n"), YamlJsonError);
}

TEST(YamlToJson, DeepNestingIsRefused) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_THROW(convert(deep), YamlJsonError);
}

}  // namespace
}  // namespace insgate::plugin_host
