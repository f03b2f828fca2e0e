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

#include "test_event.hpp"

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
  EXPECT_EQ(h.field("MSH", 10), "evt-0001");
  EXPECT_EQ(h.field("MSH", 12), "2.5");
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
  EXPECT_EQ(bdl[6], "BDL");
  EXPECT_EQ(bdl[8], "2A004");
  EXPECT_EQ(h.seg.at("PID").size(), 33u);  // PID-32 is the last field
  EXPECT_EQ(h.field("PID", 32), "VALI");
  EXPECT_EQ(h.field("ZFD", 5), "INSI");
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

TEST_F(SpoolHl7, InconsistentStatusIsRefused) {
  auto inst = plugin.create(config(dir.path(), "hl7"));
  auto ev = sample_event();
  ev.rniv_status = "provisoire";  // a QUALIFIEE event must say qualifiee
  EXPECT_EQ(inst.deliver(ev).status, DeliveryStatus::permanent_failure);
  EXPECT_TRUE(files_in(dir.path()).empty());
}

}  // namespace
}  // namespace insgate::plugin_test
