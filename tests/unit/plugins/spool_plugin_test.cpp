// Tests of plugins/spool loaded through the host loader exactly as insgated
// loads it: atomic, idempotent JSON files; HL7 ADT^A31 read back field by
// field (IHE PAM France, ins-identity-rules.md §5.1); configuration errors.
// SPDX-License-Identifier: GPL-3.0-or-later
#include <sys/stat.h>

#include <fstream>
#include <chrono>
#include <map>
#include <set>
#include <sstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nlohmann/json.hpp>

#include <dlfcn.h>
#include <openssl/evp.h>

#include "test_event.hpp"
#include "validators.hpp"

#ifndef INSGATE_SPOOL_PLUGIN
#error "INSGATE_SPOOL_PLUGIN comes from plugins/spool/CMakeLists.txt"
#endif

namespace insgate::plugin_test {
namespace {

using plugin_host::DeliveryStatus;
using plugin_host::EventKind;
using plugin_host::LoadedPlugin;
using plugin_host::PluginError;
using ::testing::HasSubstr;
using ::testing::Not;

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<fs::path> files_in(const fs::path& dir) {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(dir)) out.push_back(e.path());
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : s) {
    if (c == sep) {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  return out;
}

std::string config(const fs::path& dir, const std::string& format, const std::string& extra = "") {
  return R"({"repertoire": ")" + dir.string() + R"(", "format": ")" + format + "\"" + extra + "}";
}

class Spool : public ::testing::Test {
 protected:
  LoadedPlugin plugin = LoadedPlugin::load(INSGATE_SPOOL_PLUGIN, nullptr);
  TempDir dir;
};

TEST_F(Spool, DescriptorIsSpool) {
  EXPECT_EQ(plugin.name(), "spool");
  EXPECT_TRUE(plugin.thread_safe());
}

TEST_F(Spool, JsonFileHasEveryFieldAndNoTemporaryLeftBehind) {
  auto inst = plugin.create(config(dir.path(), "json"));
  auto r = inst.deliver(sample_event());
  ASSERT_EQ(r.status, DeliveryStatus::ok) << r.error;
  auto files = files_in(dir.path());
  ASSERT_EQ(files.size(), 1u);  // no ".…tmp-" file left
  EXPECT_EQ(files[0].filename(), "20240115T103000Z-evt-0001.json");
  struct stat sb {};
  ASSERT_EQ(stat(files[0].c_str(), &sb), 0);
  EXPECT_EQ(sb.st_mode & 0777, 0600u);

  const auto doc = nlohmann::json::parse(slurp(files[0]));
  EXPECT_EQ(doc["evenement"], "qualifiee");
  EXPECT_EQ(doc["cle_idempotence"], "evt-0001");
  EXPECT_EQ(doc["horodatage"], "2024-01-15T10:30:00Z");
  EXPECT_EQ(doc["statut"], "qualifiee");
  EXPECT_EQ(doc["identifiant_local"], "IPP000123");
  EXPECT_EQ(doc["ins"]["matricule"], "292032A004012");
  EXPECT_EQ(doc["ins"]["cle"], "33");
  EXPECT_EQ(doc["ins"]["oid"], "1.2.250.1.213.1.4.8");
  EXPECT_EQ(doc["ins"]["ins15"], "292032A00401233");
  EXPECT_EQ(doc["traits"]["nom_naissance"], "DE LA FONTAINE");
  EXPECT_EQ(doc["traits"]["liste_prenoms"], "BERENICE ANNE-SOPHIE");
  EXPECT_EQ(doc["traits"]["premier_prenom"], "BERENICE");
  EXPECT_EQ(doc["traits"]["sexe"], "F");
  EXPECT_EQ(doc["traits"]["date_naissance"], "1992-03-15");
  EXPECT_EQ(doc["traits"]["lieu_naissance"], "2A004");
  EXPECT_TRUE(doc["ins_precedent"].is_null());
  EXPECT_EQ(doc["insi_le"], "2024-01-15T10:25:12Z");
  EXPECT_EQ(doc["piece_identite"],
            nlohmann::json({{"type", "CNI"}, {"verifiee_le", "2024-01-15"}}));
  EXPECT_EQ(doc["finess"], "010000024");
}

TEST_F(Spool, JsonInsReplacementCarriesThePreviousIns) {
  auto inst = plugin.create(config(dir.path(), "json"));
  auto ev = sample_event();
  ev.kind = EventKind::ins_remplacee;
  ev.previous_ins = plugin_host::Ins{"1800175123456", "60", "1.2.250.1.213.1.4.9"};
  ASSERT_EQ(inst.deliver(ev).status, DeliveryStatus::ok);
  const auto doc = nlohmann::json::parse(slurp(files_in(dir.path()).at(0)));
  EXPECT_EQ(doc["evenement"], "ins_remplacee");
  EXPECT_EQ(doc["ins_precedent"]["ins15"], "180017512345660");
  EXPECT_EQ(doc["ins_precedent"]["oid"], "1.2.250.1.213.1.4.9");
}

// A process killed between mkostemp and rename leaves ".<name>.tmp-XXXXXX"
// behind; the next start removes it once it is old enough not to belong to a
// write in progress, and leaves every other file alone.
TEST_F(Spool, StaleTemporariesAreRemovedAtCreateAndRecentOnesKept) {
  const auto old_time = fs::file_time_type::clock::now() - std::chrono::hours(1);
  auto put = [&](const std::string& name, bool old) {
    std::ofstream(dir.path() / name) << "x";
    if (old) fs::last_write_time(dir.path() / name, old_time);
  };
  put(".20261130T101010Z-k1.json.tmp-a1B2c3", true);
  put(".20261130T101010Z-k2.json.tmp-d4E5f6", false);
  put("20261130T101010Z-k3.json", true);
  put(".hidden-but-not-ours", true);
  auto inst = plugin.create(config(dir.path(), "json"));
  std::set<std::string> left;
  for (const auto& p : files_in(dir.path())) left.insert(p.filename().string());
  EXPECT_EQ(left, (std::set<std::string>{".20261130T101010Z-k2.json.tmp-d4E5f6",
                                         "20261130T101010Z-k3.json", ".hidden-but-not-ours"}));
}

TEST_F(Spool, SameKeyTwiceGivesOneFile) {
  auto inst = plugin.create(config(dir.path(), "json"));
  ASSERT_EQ(inst.deliver(sample_event()).status, DeliveryStatus::ok);
  const auto first = slurp(files_in(dir.path()).at(0));
  ASSERT_EQ(inst.deliver(sample_event()).status, DeliveryStatus::ok);
  auto files = files_in(dir.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(slurp(files[0]), first);
  auto other = sample_event();
  other.idempotency_key = "evt-0002";
  ASSERT_EQ(inst.deliver(other).status, DeliveryStatus::ok);
  EXPECT_EQ(files_in(dir.path()).size(), 2u);
}

TEST_F(Spool, UnsafeKeyCharactersAreEncodedInTheFileName) {
  auto inst = plugin.create(config(dir.path(), "json"));
  auto ev = sample_event();
  ev.idempotency_key = "a/../b c";
  ASSERT_EQ(inst.deliver(ev).status, DeliveryStatus::ok);
  auto files = files_in(dir.path());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(files[0].filename(), "20240115T103000Z-a%2F..%2Fb%20c.json");
}

TEST_F(Spool, MissingDirectoryIsInvalidConfig) {
  try {
    plugin.create(config(dir.path() / "absent", "json"));
    FAIL() << "created";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), HasSubstr("INVALID_CONFIG"));
    EXPECT_THAT(e.what(), HasSubstr((dir.path() / "absent").string()));
    EXPECT_THAT(e.what(), HasSubstr("No such file or directory"));
  }
}

TEST_F(Spool, FileInsteadOfDirectoryIsInvalidConfig) {
  std::ofstream(dir.path() / "f") << "x";
  EXPECT_THROW(
      {
        try {
          plugin.create(config(dir.path() / "f", "json"));
        } catch (const PluginError& e) {
          EXPECT_THAT(e.what(), HasSubstr("is not a directory"));
          throw;
        }
      },
      PluginError);
}

TEST_F(Spool, ReadOnlyDirectoryIsInvalidConfig) {
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  if (geteuid() != 0) {
    EXPECT_THROW(plugin.create(config(dir.path(), "json")), PluginError);
  } else {
    // Root writes anywhere: check as an unprivileged user in a child process.
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      if (setgid(65534) != 0 || setuid(65534) != 0) _exit(3);
      try {
        plugin.create(config(dir.path(), "json"));
      } catch (const PluginError&) {
        _exit(0);
      }
      _exit(1);
    }
    int status = 0;
    waitpid(child, &status, 0);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0) << "1: created anyway, 3: could not drop privileges";
  }
  fs::permissions(dir.path(), fs::perms::owner_all);
}

TEST_F(Spool, BadConfigurationsAreRefusedWithTheirReason) {
  auto error_of = [&](const std::string& cfg) -> std::string {
    try {
      plugin.create(cfg);
    } catch (const PluginError& e) {
      return e.what();
    }
    return "created";
  };
  EXPECT_THAT(error_of(config(dir.path(), "xml")), HasSubstr("\"format\" must be"));
  EXPECT_THAT(error_of("null"), HasSubstr("must be an object"));
  EXPECT_THAT(error_of("{"), HasSubstr("not valid JSON"));
  EXPECT_THAT(error_of(R"({"repertoire": "relative"})"), HasSubstr("absolute"));
  EXPECT_THAT(error_of(config(dir.path(), "json", R"(, "typo": 1)")), HasSubstr("unknown key \"typo\""));
  EXPECT_THAT(error_of(config(dir.path(), "hl7", R"(, "autorite_ipp": "A^B")")),
              HasSubstr("HL7 delimiters"));
  EXPECT_THAT(error_of(config(dir.path(), "json", R"(, "mode": "0777")")), HasSubstr("\"mode\""));
}

TEST_F(Spool, DirectoryRemovedAfterCreateIsAPermanentFailureWithoutIdentityData) {
  TempDir gone;
  auto inst = plugin.create(config(gone.path(), "json"));
  fs::remove_all(gone.path());
  const auto ev = sample_event();
  auto r = inst.deliver(ev);
  EXPECT_EQ(r.status, DeliveryStatus::permanent_failure);
  EXPECT_THAT(r.error, HasSubstr("evt-0001"));
  for (const auto& d : identity_data(ev)) EXPECT_THAT(r.error, Not(HasSubstr(d)));
}

TEST_F(Spool, EventWithABadKeyIsRefusedWithoutIdentityData) {
  auto inst = plugin.create(config(dir.path(), "hl7"));
  auto ev = sample_event();
  ev.ins.cle = "34";
  auto r = inst.deliver(ev);
  EXPECT_EQ(r.status, DeliveryStatus::permanent_failure);
  for (const auto& d : identity_data(ev)) EXPECT_THAT(r.error, Not(HasSubstr(d)));
  EXPECT_TRUE(files_in(dir.path()).empty());
}

// ---- HL7 ----

/// The message as segments → fields split on '|' (fields[n] is field n, except
/// for MSH where the separator itself is MSH-1, so MSH-n is fields[n-1]).
struct Hl7 {
  std::map<std::string, std::vector<std::string>> seg;
  std::vector<std::string> order;
  /// Field n of a segment (MSH numbering honoured: MSH-2 is the encoding characters).
  std::string field(const std::string& name, size_t n) const {
    const auto& f = seg.at(name);
    if (name == "MSH" && n == 1) return "|";  // MSH-1 is the field separator itself
    const size_t i = name == "MSH" ? n - 1 : n;
    return i < f.size() ? f[i] : "";
  }
};

Hl7 parse(const std::string& msg) {
  Hl7 h;
  EXPECT_EQ(msg.back(), '\r');
  EXPECT_EQ(msg.find('\n'), std::string::npos);
  for (const auto& s : split(msg.substr(0, msg.size() - 1), '\r')) {
    auto f = split(s, '|');
    h.order.push_back(f[0]);
    h.seg[f[0]] = f;
  }
  return h;
}

/// The documented MSH-10 of a key: 20 upper-case hex digits of its SHA-256.
std::string control_id(const std::string& key) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned len = 0;
  EVP_Digest(key.data(), key.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  char hex[3];
  for (int i = 0; i < 10; ++i) {
    std::snprintf(hex, sizeof hex, "%02X", md[i]);
    out += hex;
  }
  return out;
}

class SpoolHl7 : public Spool {
 protected:
  Hl7 deliver_and_parse(const plugin_host::IdentityEvent& ev, const std::string& extra = "") {
    auto inst = plugin.create(config(dir.path(), "hl7", extra));
    auto r = inst.deliver(ev);
    EXPECT_EQ(r.status, DeliveryStatus::ok) << r.error;
    auto files = files_in(dir.path());
    EXPECT_EQ(files.size(), 1u);
    EXPECT_EQ(files.at(0).extension(), ".hl7");
    return parse(slurp(files.at(0)));
  }
};

TEST_F(SpoolHl7, QualifiedIdentityFieldByField) {
  const Hl7 h = deliver_and_parse(sample_event());
  EXPECT_EQ(h.order, (std::vector<std::string>{"MSH", "EVN", "PID", "ZFD"}));
  // MSH
  EXPECT_EQ(h.field("MSH", 1), "|");
  EXPECT_EQ(h.field("MSH", 2), "^~\\&");
  EXPECT_EQ(h.field("MSH", 3), "INSGATE");
  EXPECT_EQ(h.field("MSH", 7), "20240115103000");
  EXPECT_EQ(split(h.field("MSH", 9), '^'), (std::vector<std::string>{"ADT", "A31", "ADT_A05"}));
  EXPECT_EQ(h.field("MSH", 10), control_id("evt-0001"));
  EXPECT_EQ(split(h.field("MSH", 12), '^'), (std::vector<std::string>{"2.5", "FRA", "2.11"}));
  EXPECT_EQ(h.field("MSH", 18), "UNICODE UTF-8");
  // PID-3: IPP repetition then INS repetition
  const auto reps = split(h.field("PID", 3), '~');
  ASSERT_EQ(reps.size(), 2u);
  EXPECT_EQ(split(reps[0], '^'), (std::vector<std::string>{"IPP000123", "", "", "INSGATE", "PI"}));
  const auto ins = split(reps[1], '^');
  ASSERT_EQ(ins.size(), 5u);
  EXPECT_EQ(ins[0], "292032A00401233");
  EXPECT_EQ(ins[4], "INS");
  EXPECT_EQ(split(ins[3], '&'),
            (std::vector<std::string>{"ASIP-SANTE-INS-NIR", "1.2.250.1.213.1.4.8", "ISO"}));
  // PID-5, 7, 8, 11, 32
  EXPECT_EQ(split(h.field("PID", 5), '^'),
            (std::vector<std::string>{"DE LA FONTAINE", "BERENICE", "BERENICE ANNE-SOPHIE", "", "",
                                      "", "L"}));
  EXPECT_EQ(h.field("PID", 7), "19920315");
  EXPECT_EQ(h.field("PID", 8), "F");
  const auto bdl = split(h.field("PID", 11), '^');
  ASSERT_EQ(bdl.size(), 9u);
  EXPECT_EQ(bdl[5], "FRA");  // XAD-6 country of a French commune
  EXPECT_EQ(bdl[6], "BDL");
  EXPECT_EQ(bdl[8], "2A004");
  EXPECT_EQ(h.seg.at("PID").size(), 33u);  // PID-32 is the last field
  EXPECT_EQ(h.field("PID", 32), "VALI");
  // ZFD-4 date not corrected, 5 traits from INSi, 6 INSi call, 7 document type.
  EXPECT_EQ(h.field("ZFD", 4), "N");
  EXPECT_EQ(h.field("ZFD", 5), "INSI");
  EXPECT_EQ(h.field("ZFD", 6), "20240115102512");
  EXPECT_EQ(h.field("ZFD", 7), "CN");
}

TEST_F(SpoolHl7, MessageControlIdIsShortUniqueStableAndMapsToTheKey) {
  auto inst = plugin.create(config(dir.path(), "hl7"));
  std::set<std::string> ids;
  for (int i = 0; i < 300; ++i) {
    auto ev = sample_event();
    char key[40];
    std::snprintf(key, sizeof key, "3f1c%04x-0000-4000-8000-%012d", i, i);  // a UUID, 36 chars
    ev.idempotency_key = key;
    ASSERT_EQ(inst.deliver(ev).status, DeliveryStatus::ok);
    const fs::path file = dir.path() / ("20240115T103000Z-" + std::string(key) + ".hl7");
    const Hl7 h = parse(slurp(file));  // the file name keeps the key
    const std::string id = h.field("MSH", 10);
    EXPECT_LE(id.size(), 20u);
    EXPECT_EQ(id, control_id(key)) << "documented mapping: SHA-256 of the key, 20 hex digits";
    ids.insert(id);
    if (i == 0) {  // redelivery: same file, same MSH-10
      ASSERT_EQ(inst.deliver(ev).status, DeliveryStatus::ok);
      EXPECT_EQ(parse(slurp(file)).field("MSH", 10), id);
    }
  }
  EXPECT_EQ(ids.size(), 300u);
}

TEST_F(SpoolHl7, BornAbroadHasTheCountryInXad6) {
  auto ev = sample_event();
  ev.lieu_naissance = "99109";
  EXPECT_EQ(split(deliver_and_parse(ev).field("PID", 11), '^'),
            (std::vector<std::string>{"", "", "", "", "", "DEU", "BDL", "", "99109"}));
}

TEST_F(SpoolHl7, CountryWithoutIsoCodeLeavesXad6Empty) {
  auto ev = sample_event();
  ev.lieu_naissance = "99157";  // Kosovo: an INSEE code, no ISO 3166 code
  EXPECT_EQ(deliver_and_parse(ev).field("PID", 11), "^^^^^^BDL^^99157");
}

TEST_F(SpoolHl7, PamFranceVersionIsConfigurableAndChecked) {
  EXPECT_EQ(deliver_and_parse(sample_event(), R"(, "version_pam_france": "2.10")").field("MSH", 12),
            "2.5^FRA^2.10");
  for (const char* bad : {R"(, "version_pam_france": "2.11^X")", R"(, "version_pam_france": "")"}) {
    try {
      plugin.create(config(dir.path(), "hl7", bad));
      ADD_FAILURE() << bad << " accepted";
    } catch (const PluginError& e) {
      EXPECT_THAT(e.what(), HasSubstr("version_pam_france"));
    }
  }
}

TEST_F(SpoolHl7, MinorZeroHostEventLeavesZfd6And7Empty) {
  // A host built against ABI minor 0 sends a shorter insgate_event: the
  // plugin must not read past it (INSGATE_HAS_FIELD).
  void* lib = dlopen(INSGATE_SPOOL_PLUGIN, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(lib, nullptr) << dlerror();
  auto entry = reinterpret_cast<const insgate_plugin* (*)(uint32_t)>(
      dlsym(lib, INSGATE_PLUGIN_ENTRY_SYMBOL));
  ASSERT_NE(entry, nullptr);
  const insgate_plugin* d = entry(INSGATE_PLUGIN_ABI_MAJOR);
  insgate_instance* inst = nullptr;
  char err[INSGATE_ERR_MIN_LEN] = "";
  const std::string cfg = config(dir.path(), "hl7");
  ASSERT_EQ(d->create(nullptr, cfg.c_str(), &inst, err, sizeof err), INSGATE_OK) << err;
  insgate_event ev{};
  ev.struct_size = offsetof(insgate_event, insi_call_time);
  ev.kind = INSGATE_EVENT_QUALIFIEE;
  ev.idempotency_key = "evt-minor0";
  ev.event_time = "2024-01-15T10:30:00Z";
  ev.local_id = "IPP000123";
  ev.rniv_status = "qualifiee";
  ev.ins = {"292032A004012", "33", "1.2.250.1.213.1.4.8"};
  ev.traits = {"DE LA FONTAINE", "BERENICE", "BERENICE", "F", "1992-03-15", "2A004"};
  ev.insi_call_time = reinterpret_cast<const char*>(0x1);  // past struct_size: never read
  ev.identity_document_type = reinterpret_cast<const char*>(0x1);
  ev.identity_document_checked_on = reinterpret_cast<const char*>(0x1);
  EXPECT_EQ(d->deliver(inst, &ev, err, sizeof err), INSGATE_OK) << err;
  d->destroy(inst);
  dlclose(lib);
  const Hl7 h = parse(slurp(dir.path() / "20240115T103000Z-evt-minor0.hl7"));
  EXPECT_EQ(h.field("ZFD", 4), "N");
  EXPECT_EQ(h.field("ZFD", 5), "INSI");
  EXPECT_EQ(h.field("ZFD", 6), "");
  EXPECT_EQ(h.field("ZFD", 7), "");
}

TEST_F(SpoolHl7, NiaUsesTheNiaNamespaceAndConfiguredAuthority) {
  auto ev = sample_event();
  ev.ins = {"1800175123456", "60", "1.2.250.1.213.1.4.9"};
  const Hl7 h = deliver_and_parse(ev, R"(, "autorite_ipp": "ESMS-DEMO")");
  const auto reps = split(h.field("PID", 3), '~');
  ASSERT_EQ(reps.size(), 2u);
  EXPECT_EQ(split(reps[0], '^').at(3), "ESMS-DEMO");
  EXPECT_EQ(split(split(reps[1], '^').at(3), '&'),
            (std::vector<std::string>{"ASIP-SANTE-INS-NIA", "1.2.250.1.213.1.4.9", "ISO"}));
}

TEST_F(SpoolHl7, DelimitersInValuesAreEscaped) {
  auto ev = sample_event();
  ev.local_id = "IPP|12^3";
  ev.nom_naissance = "A^B&C~D\\E";
  const Hl7 h = deliver_and_parse(ev);
  const auto reps = split(h.field("PID", 3), '~');
  ASSERT_EQ(reps.size(), 2u);
  EXPECT_EQ(split(reps[0], '^').at(0), "IPP\\F\\12\\S\\3");
  EXPECT_EQ(split(h.field("PID", 5), '^').at(0), "A\\S\\B\\T\\C\\R\\D\\E\\E");
  EXPECT_EQ(h.seg.at("PID").size(), 33u);
}

TEST_F(SpoolHl7, DowngradeRemovesTheInsAndSendsTheNewStatus) {
  auto ev = sample_event();
  ev.kind = EventKind::declassee;
  ev.rniv_status = "recuperee";
  const Hl7 h = deliver_and_parse(ev);
  EXPECT_EQ(h.order, (std::vector<std::string>{"MSH", "EVN", "PID"}));
  EXPECT_EQ(h.field("PID", 3), "IPP000123^^^INSGATE^PI");
  EXPECT_EQ(h.field("PID", 32), "PROV");
  EXPECT_EQ(h.field("PID", 7), "19920315");
}

TEST_F(SpoolHl7, DowngradeToValideeIsValiWithoutIns) {
  auto ev = sample_event();
  ev.kind = EventKind::declassee;
  ev.rniv_status = "validee";
  const Hl7 h = deliver_and_parse(ev);
  EXPECT_EQ(h.field("PID", 3), "IPP000123^^^INSGATE^PI");  // no ^INS repetition
  EXPECT_EQ(h.field("PID", 32), "VALI");
}

// Every message the spool writes, read back by an independent parser
// (Debian's python3-hl7) and compared leaf by leaf with what PAM France and
// ins-identity-rules.md §5.1 expect: nothing missing, nothing extra.
using Leaves = std::map<std::string, std::string>;

Leaves common_leaves(const std::string& key) {
  return {{"MSH.F3", "INSGATE"},        {"MSH.F7", "20240115103000"},
          {"MSH.F9.C1", "ADT"},         {"MSH.F9.C2", "A31"},
          {"MSH.F9.C3", "ADT_A05"},     {"MSH.F10", control_id(key)},
          {"MSH.F11", "P"},             {"MSH.F12.C1", "2.5"},
          {"MSH.F12.C2", "FRA"},        {"MSH.F12.C3", "2.11"},
          {"MSH.F17", "FRA"},           {"MSH.F18", "UNICODE UTF-8"},
          {"EVN.F2", "20240115103000"}, {"EVN.F6", "20240115103000"},
          {"PID.F1", "1"}};
}

void expect_python_hl7_reads(const fs::path& message, const std::vector<std::string>& segments,
                             const Leaves& leaves) {
  const nlohmann::json expected = {{"segments", segments}, {"fields", leaves}};
  const std::string want = message.string() + ".expected.json";
  testing::write_text(want, expected.dump());
  auto v = testing::run_validator("hl7_adt_a31.py", {message.string(), want},
                                  message.string() + ".log");
  EXPECT_EQ(v.exit_code, 0) << v.output;
  fs::remove(want);
  fs::remove(message.string() + ".log");
}

TEST_F(SpoolHl7, EveryMessageReadsBackFieldByFieldWithPython3Hl7) {
  auto inst = plugin.create(config(dir.path(), "hl7", R"(, "autorite_ipp": "ESMS-DEMO&1.2.250.1.999&ISO")"));
  auto deliver = [&](const plugin_host::IdentityEvent& ev) {
    EXPECT_EQ(inst.deliver(ev).status, DeliveryStatus::ok);
    return dir.path() / ("20240115T103000Z-" + ev.idempotency_key + ".hl7");
  };
  // Qualified NIR, born in Corsica, document and INSi call known.
  Leaves a = common_leaves("evt-0001");
  a.insert({{"PID.F3.R1.C1", "IPP000123"},
            {"PID.F3.R1.C4.S1", "ESMS-DEMO"},
            {"PID.F3.R1.C4.S2", "1.2.250.1.999"},
            {"PID.F3.R1.C4.S3", "ISO"},
            {"PID.F3.R1.C5", "PI"},
            {"PID.F3.R2.C1", "292032A00401233"},
            {"PID.F3.R2.C4.S1", "ASIP-SANTE-INS-NIR"},
            {"PID.F3.R2.C4.S2", "1.2.250.1.213.1.4.8"},
            {"PID.F3.R2.C4.S3", "ISO"},
            {"PID.F3.R2.C5", "INS"},
            {"PID.F5.C1", "DE LA FONTAINE"},
            {"PID.F5.C2", "BERENICE"},
            {"PID.F5.C3", "BERENICE ANNE-SOPHIE"},
            {"PID.F5.C7", "L"},
            {"PID.F7", "19920315"},
            {"PID.F8", "F"},
            {"PID.F11.C6", "FRA"},
            {"PID.F11.C7", "BDL"},
            {"PID.F11.C9", "2A004"},
            {"PID.F32", "VALI"},
            {"ZFD.F4", "N"},
            {"ZFD.F5", "INSI"},
            {"ZFD.F6", "20240115102512"},
            {"ZFD.F7", "CN"}});
  expect_python_hl7_reads(deliver(sample_event()), {"MSH", "EVN", "PID", "ZFD"}, a);

  // NIA born in Morocco, passport, values holding every HL7 delimiter.
  auto ev = sample_event();
  ev.idempotency_key = "evt-0002";
  ev.ins = {"1800175123456", "60", "1.2.250.1.213.1.4.9"};
  ev.local_id = "IPP|12^3&4~5\\6";
  ev.nom_naissance = "A^B&C~D|E\\F";
  ev.lieu_naissance = "99350";
  ev.sexe = "M";
  ev.identity_document_type = "PASSEPORT";
  Leaves b = a;
  b["MSH.F10"] = control_id("evt-0002");
  b["PID.F3.R1.C1"] = "IPP|12^3&4~5\\6";
  b["PID.F3.R2.C1"] = "180017512345660";
  b["PID.F3.R2.C4.S1"] = "ASIP-SANTE-INS-NIA";
  b["PID.F3.R2.C4.S2"] = "1.2.250.1.213.1.4.9";
  b["PID.F5.C1"] = "A^B&C~D|E\\F";
  b["PID.F8"] = "M";
  b["PID.F11.C6"] = "MAR";
  b["PID.F11.C9"] = "99350";
  b["ZFD.F7"] = "PA";
  expect_python_hl7_reads(deliver(ev), {"MSH", "EVN", "PID", "ZFD"}, b);

  // Downgrade to récupérée: no INS, no ZFD, PROV.
  ev = sample_event();
  ev.idempotency_key = "evt-0003";
  ev.kind = EventKind::declassee;
  ev.rniv_status = "recuperee";
  Leaves c = common_leaves("evt-0003");
  c.insert({{"PID.F3.C1", "IPP000123"},
            {"PID.F3.C4.S1", "ESMS-DEMO"},
            {"PID.F3.C4.S2", "1.2.250.1.999"},
            {"PID.F3.C4.S3", "ISO"},
            {"PID.F3.C5", "PI"},
            {"PID.F5.C1", "DE LA FONTAINE"},
            {"PID.F5.C2", "BERENICE"},
            {"PID.F5.C3", "BERENICE ANNE-SOPHIE"},
            {"PID.F5.C7", "L"},
            {"PID.F7", "19920315"},
            {"PID.F8", "F"},
            {"PID.F11.C6", "FRA"},
            {"PID.F11.C7", "BDL"},
            {"PID.F11.C9", "2A004"},
            {"PID.F32", "PROV"}});
  expect_python_hl7_reads(deliver(ev), {"MSH", "EVN", "PID"}, c);
}

TEST_F(SpoolHl7, InconsistentStatusIsRefused) {
  auto inst = plugin.create(config(dir.path(), "hl7"));
  auto ev = sample_event();
  ev.rniv_status = "provisoire";  // a QUALIFIEE event must say qualifiee
  EXPECT_EQ(inst.deliver(ev).status, DeliveryStatus::permanent_failure);
  EXPECT_TRUE(files_in(dir.path()).empty());
}

}  // namespace
}  // namespace insgate::plugin_test
