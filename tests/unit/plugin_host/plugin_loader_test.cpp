// Unit tests of plugin_host/plugin_loader.hpp against plugins built for the
// purpose (plugins/tests/): each broken one is refused before create() with a
// message naming the file and the problem; the good one receives every
// field of the event, its statuses map faithfully, destroy runs.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "plugin_host/plugin_loader.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#if !defined(INSGATE_FIXTURE_GOOD) || !defined(INSGATE_EXAMPLE_PLUGIN)
#error "fixture paths come from plugins/tests/CMakeLists.txt (add_subdirectory(plugins))"
#endif

namespace insgate::plugin_host {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

namespace fs = std::filesystem;

std::string load_error(const std::string& path) {
  try {
    LoadedPlugin::load(path, nullptr);
  } catch (const PluginError& e) {
    return e.what();
  }
  ADD_FAILURE() << path << " loaded";
  return {};
}

std::string file_name(const std::string& path) { return fs::path(path).filename().string(); }

TEST(PluginLoader, MissingFileIsNamed) {
  const std::string path = "/nonexistent/insgate/nothing.so";
  EXPECT_THAT(load_error(path), AllOf(StartsWith(path), HasSubstr("plugin file not found")));
}

TEST(PluginLoader, FileThatIsNotASharedObjectGivesTheDlopenText) {
  const fs::path path = fs::temp_directory_path() / ("insgate_not_elf_" + std::to_string(getpid()) + ".so");
  std::ofstream(path) << "not an ELF file\n";
  // The rest is glibc's own text ("file too short", "invalid ELF header"...).
  EXPECT_THAT(load_error(path), AllOf(StartsWith(path.string()), HasSubstr(": dlopen failed: ")));
  fs::remove(path);
}

TEST(PluginLoader, MissingEntrySymbolIsRefused) {
  EXPECT_THAT(load_error(INSGATE_FIXTURE_NO_ENTRY),
              AllOf(HasSubstr(file_name(INSGATE_FIXTURE_NO_ENTRY)),
                    HasSubstr("missing entry symbol insgate_plugin_entry")));
}

TEST(PluginLoader, EntryReturningNullIsRefused) {
  EXPECT_THAT(load_error(INSGATE_FIXTURE_NULL_DESCRIPTOR),
              AllOf(HasSubstr(file_name(INSGATE_FIXTURE_NULL_DESCRIPTOR)),
                    HasSubstr("returned no descriptor for host ABI major 1")));
}

TEST(PluginLoader, AbiMajorMismatchSaysBothNumbers) {
  EXPECT_THAT(load_error(INSGATE_FIXTURE_WRONG_MAJOR),
              AllOf(HasSubstr(file_name(INSGATE_FIXTURE_WRONG_MAJOR)),
                    HasSubstr("ABI major mismatch: plugin has 2, host has 1")));
}

TEST(PluginLoader, ShortDescriptorIsRefusedBeforeReadingPastIt) {
  EXPECT_THAT(load_error(INSGATE_FIXTURE_SHORT_STRUCT),
              AllOf(HasSubstr(file_name(INSGATE_FIXTURE_SHORT_STRUCT)),
                    HasSubstr("descriptor too small: struct_size 32 bytes, host needs at least 56")));
}

TEST(PluginLoader, NullCreateIsRefused) {
  EXPECT_THAT(load_error(INSGATE_FIXTURE_NULL_CREATE),
              AllOf(HasSubstr(file_name(INSGATE_FIXTURE_NULL_CREATE)),
                    HasSubstr("NULL create function")));
}

TEST(PluginLoader, CreateFailureCarriesThePluginText) {
  auto plugin = LoadedPlugin::load(INSGATE_FIXTURE_CREATE_FAILS, nullptr);
  try {
    plugin.create("{}");
    FAIL() << "create succeeded";
  } catch (const PluginError& e) {
    EXPECT_THAT(e.what(), AllOf(HasSubstr(file_name(INSGATE_FIXTURE_CREATE_FAILS)),
                                HasSubstr("create failed (INVALID_CONFIG): "
                                          "missing \"url\" in configuration")));
  }
}

TEST(PluginLoader, UnterminatedErrorBufferIsBounded) {
  auto plugin = LoadedPlugin::load(INSGATE_FIXTURE_CREATE_FAILS, nullptr);
  try {
    plugin.create(R"({"flood":true})");
    FAIL() << "create succeeded";
  } catch (const PluginError& e) {
    const std::string what = e.what();
    const auto text = what.substr(what.find("): ") + 3);
    EXPECT_EQ(text, std::string(1023, 'x'));  // buffer 1024, last byte forced to NUL
  }
}

TEST(PluginLoader, OnlyTheEntryIsExported) {
  void* h = dlopen(INSGATE_FIXTURE_GOOD, RTLD_NOW | RTLD_LOCAL);
  ASSERT_NE(h, nullptr) << dlerror();
  EXPECT_NE(dlsym(h, "insgate_plugin_entry"), nullptr);
  EXPECT_EQ(dlsym(h, "good_internal_helper"), nullptr);
  dlclose(h);
}

// ---- the good plugin -------------------------------------------------------

struct LogLine {
  std::int32_t level;
  std::string origin;
  std::string message;
};

class GoodPlugin : public ::testing::Test {
 protected:
  void SetUp() override {
    out_ = fs::temp_directory_path() /
           ("insgate_good_" + std::to_string(getpid()) + "_" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name() + ".txt");
    fs::remove(out_);
  }
  void TearDown() override { fs::remove(out_); }

  LoadedPlugin load() {
    return LoadedPlugin::load(INSGATE_FIXTURE_GOOD,
                              [this](std::int32_t level, std::string_view origin, std::string_view msg) {
                                std::lock_guard lock(mutex_);
                                logs_.push_back({level, std::string(origin), std::string(msg)});
                              });
  }
  std::string config(const std::string& answer = "ok") const {
    return R"({"answer":")" + answer + R"(","output":")" + out_.string() + R"("})";
  }
  std::vector<std::string> lines() const {
    std::ifstream in(out_);
    std::vector<std::string> v;
    for (std::string l; std::getline(in, l);) v.push_back(l);
    return v;
  }
  std::map<std::string, std::string> recorded() const {
    std::map<std::string, std::string> m;
    for (const auto& l : lines()) {
      auto eq = l.find('=');
      if (eq != std::string::npos) m[l.substr(0, eq)] = l.substr(eq + 1);
    }
    return m;
  }

  static IdentityEvent qualified() {
    IdentityEvent e;
    e.kind = EventKind::qualifiee;
    e.idempotency_key = "evt-0001";
    e.event_time = "2024-01-15T10:30:00Z";
    e.local_id = "IPP000123";
    e.rniv_status = "qualifiee";
    e.ins = {"292032A004012", "33", "1.2.250.1.213.1.4.8"};
    e.nom_naissance = "DE LA FONTAINE";
    e.liste_prenoms = "BERENICE ANNE-SOPHIE";
    e.premier_prenom = "BERENICE";
    e.sexe = "F";
    e.date_naissance = "1992-03-15";
    e.lieu_naissance = "2A004";
    return e;
  }

  fs::path out_;
  std::mutex mutex_;
  std::vector<LogLine> logs_;
};

TEST_F(GoodPlugin, DescriptorIsExposed) {
  auto p = load();
  EXPECT_EQ(p.name(), "good");
  EXPECT_EQ(p.version(), "1.2.3");
  EXPECT_EQ(p.abi_minor(), INSGATE_PLUGIN_ABI_MINOR);
  EXPECT_FALSE(p.thread_safe());
  EXPECT_TRUE(p.path().is_absolute());
}

TEST_F(GoodPlugin, DeliversEveryFieldOfTheEvent) {
  auto p = load();
  {
    auto inst = p.create(config());
    auto r = inst.deliver(qualified());
    EXPECT_EQ(r.status, DeliveryStatus::ok);
    EXPECT_EQ(r.error, "");
  }
  auto m = recorded();
  EXPECT_EQ(m["struct_size_ok"], "1");
  EXPECT_EQ(m["kind"], std::to_string(INSGATE_EVENT_QUALIFIEE));
  EXPECT_EQ(m["idempotency_key"], "evt-0001");
  EXPECT_EQ(m["event_time"], "2024-01-15T10:30:00Z");
  EXPECT_EQ(m["local_id"], "IPP000123");
  EXPECT_EQ(m["rniv_status"], "qualifiee");
  EXPECT_EQ(m["ins"], "292032A004012|33|1.2.250.1.213.1.4.8");
  EXPECT_EQ(m["traits"], "DE LA FONTAINE|BERENICE ANNE-SOPHIE|BERENICE|F|1992-03-15|2A004");
  EXPECT_EQ(m["previous_ins"], "none");
  EXPECT_EQ(m["err_len_ok"], "1");
}

TEST_F(GoodPlugin, InsReplacementCarriesThePreviousIns) {
  auto p = load();
  auto inst = p.create(config());
  auto e = qualified();
  e.kind = EventKind::ins_remplacee;
  e.previous_ins = Ins{"192039900012", "00", "1.2.250.1.213.1.4.9"};
  EXPECT_EQ(inst.deliver(e).status, DeliveryStatus::ok);
  auto m = recorded();
  EXPECT_EQ(m["kind"], std::to_string(INSGATE_EVENT_INS_REMPLACEE));
  EXPECT_EQ(m["previous_ins"], "192039900012|00|1.2.250.1.213.1.4.9");
}

TEST_F(GoodPlugin, CreateGetsHostApiAndLogsThroughIt) {
  auto p = load();
  auto inst = p.create(config());
  EXPECT_EQ(lines().front(), "created host_abi=1.2");
  std::lock_guard lock(mutex_);
  ASSERT_EQ(logs_.size(), 2u);
  EXPECT_EQ(logs_[0].level, INSGATE_LOG_INFO);
  EXPECT_EQ(logs_[0].origin, "good");
  EXPECT_EQ(logs_[0].message, "good instance created");
  EXPECT_EQ(logs_[1].level, INSGATE_LOG_ERROR);  // out-of-range level clamped
}

TEST_F(GoodPlugin, RetryLaterPropagatesWithItsText) {
  auto p = load();
  auto inst = p.create(config("retry"));
  auto r = inst.deliver(qualified());
  EXPECT_EQ(r.status, DeliveryStatus::retry_later);
  EXPECT_EQ(r.error, "connector busy, try later");
}

TEST_F(GoodPlugin, PermanentFailurePropagatesWithItsText) {
  auto p = load();
  auto inst = p.create(config("permanent"));
  auto r = inst.deliver(qualified());
  EXPECT_EQ(r.status, DeliveryStatus::permanent_failure);
  EXPECT_EQ(r.error, "connector refused the event");
}

TEST_F(GoodPlugin, UnknownStatusBecomesPermanentFailure) {
  auto p = load();
  auto inst = p.create(config("bogus"));
  auto r = inst.deliver(qualified());
  EXPECT_EQ(r.status, DeliveryStatus::permanent_failure);
  EXPECT_THAT(r.error, AllOf(HasSubstr("unknown status 42"), HasSubstr("made-up status")));
}

TEST_F(GoodPlugin, EventWithEmbeddedNulIsRefusedWithoutCallingThePlugin) {
  auto p = load();
  auto inst = p.create(config());
  auto e = qualified();
  e.local_id = std::string("IPP\0X", 5);
  auto r = inst.deliver(e);
  EXPECT_EQ(r.status, DeliveryStatus::permanent_failure);
  EXPECT_THAT(r.error, HasSubstr("local_id contains a NUL byte"));
  EXPECT_EQ(recorded().count("kind"), 0u);
}

TEST_F(GoodPlugin, DestroyRunsWhenTheInstanceGoes) {
  {
    auto inst = load().create(config());  // the instance alone keeps the library loaded
    EXPECT_EQ(inst.deliver(qualified()).status, DeliveryStatus::ok);
    EXPECT_NE(lines().back(), "destroyed");
  }
  EXPECT_EQ(lines().back(), "destroyed");
}

TEST_F(GoodPlugin, MovedFromInstanceDoesNotDestroyTwice) {
  auto p = load();
  {
    auto a = p.create(config());
    PluginInstance b = std::move(a);
    EXPECT_EQ(b.deliver(qualified()).status, DeliveryStatus::ok);
  }
  auto l = lines();
  EXPECT_EQ(std::count(l.begin(), l.end(), "destroyed"), 1);
}

TEST_F(GoodPlugin, CreateOkWithoutInstanceIsAnError) {
  auto p = load();
  const std::string cfg = R"({"null_instance":true,"output":")" + out_.string() + R"("})";
  EXPECT_THROW(
      {
        try {
          p.create(cfg);
        } catch (const PluginError& e) {
          EXPECT_THAT(e.what(), HasSubstr("create returned OK but no instance"));
          throw;
        }
      },
      PluginError);
}

TEST(ExamplePlugin, LoadsCreatesAndDelivers) {
  std::vector<std::string> messages;
  auto p = LoadedPlugin::load(INSGATE_EXAMPLE_PLUGIN,
                              [&](std::int32_t, std::string_view, std::string_view m) {
                                messages.emplace_back(m);
                              });
  EXPECT_EQ(p.name(), "example");
  EXPECT_TRUE(p.thread_safe());
  {
    auto inst = p.create("null");
    IdentityEvent e;
    e.idempotency_key = "evt-42";
    EXPECT_EQ(inst.deliver(e).status, DeliveryStatus::ok);
  }
  EXPECT_THAT(messages, ::testing::Contains(HasSubstr("evt-42")));
  EXPECT_THAT(messages.back(), HasSubstr("destroyed after 1 events"));
}

}  // namespace
}  // namespace insgate::plugin_host
