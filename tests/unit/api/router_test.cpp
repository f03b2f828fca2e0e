// Unit tests of api/router.hpp without a socket: dispatch from the route
// table, 404 for an unknown path, 405 with Allow for another method, 500
// for a handler that throws; then the local API's own table over a real
// state store (no INSi: every request here is answered before a call), for
// the body checks every JSON route runs first.
// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/router.hpp"
#include "state/state_error.hpp"

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "api/state_gateway.hpp"
#include "insi/insi_messages.hpp"
#include "state/activity.hpp"
#include "state/identities.hpp"
#include "state/sqlite_store.hpp"

namespace insgate::api {
namespace {

namespace fs = std::filesystem;
using http::verb;
using nlohmann::json;

Request request(verb method, std::string target, std::string body = "",
                std::string content_type = "application/json") {
  Request req{method, target, 11};
  if (!content_type.empty()) req.set(http::field::content_type, content_type);
  req.body() = std::move(body);
  req.prepare_payload();
  return req;
}

std::string header(const ApiResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return {};
}

std::string code_of(const ApiResponse& r) {
  auto j = json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("code") ? j["code"].get<std::string>() : "";
}

/// A state store in a temporary directory, the gateway over it, and a Router
/// on `table`; requests are run to completion on a local io_context.
class RouterFixture {
 public:
  explicit RouterFixture(std::span<const Route> table = routes()) {
    std::string tmpl = (fs::temp_directory_path() / "insgate-router-XXXXXX").string();
    if (!::mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
    dir_ = tmpl;
    auto cfg = std::make_shared<config::Config>();
    config::Structure s;
    s.finess = "010000001";
    s.name = "EHPAD Test";
    cfg->structures.push_back(s);
    cfg->insi.environment = "test";
    cfg->insi.endpoint = config::parse_endpoint("https://insi.example.test/lps");
    auto setup = std::make_shared<InsiSetup>();
    setup->cfg = cfg;
    auto rt = std::make_shared<StructureRuntime>();
    rt->cfg = s;  // no transport: nothing here reaches INSi
    setup->structures.add(rt);
    store_ = std::make_unique<state::SqliteStore>(state::SqliteOptions{dir_.string(), {}});
    identities_ = std::make_unique<state::Identities>(*store_, state::IdentityPolicy{});
    cache_ = std::make_unique<state::ResultCache>(*store_, *identities_, state::CachePolicy{});
    activity_ = std::make_unique<state::ActivityCounter>(*store_, std::string(32, 'k'));
    gateway_ = std::make_unique<StateGateway>(pool_, *store_, *cache_, *identities_, *activity_,
                                              [] {});
    router_ = std::make_unique<Router>(setup, breaker_, *gateway_, metrics_, table);
  }
  ~RouterFixture() {
    router_.reset();
    pool_.join();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  /// The controller's periodic refresh of the gauges read from the store.
  void refresh_gauges() {
    asio::io_context io;
    auto done = asio::co_spawn(io, router_->refresh_identity_gauges(), asio::use_future);
    io.run();
    done.get();
  }
  state::Identities& identities() { return *identities_; }
  state::SqliteStore& store() { return *store_; }
  std::string scrape() const {
    return prometheus::TextSerializer().Serialize(metrics_.registry()->Collect());
  }

  ApiResponse handle(const Request& req, const std::string& id = "req-1") {
    asio::io_context io;
    auto done = asio::co_spawn(io, router_->handle(req, id), asio::use_future);
    io.run();
    return done.get();
  }

 private:
  fs::path dir_;
  asio::thread_pool pool_{1};
  insi::CircuitBreaker breaker_{5, std::chrono::seconds(30)};
  metrics::Metrics metrics_{{{"010000001"}, {}, "1", route_labels()}};
  std::unique_ptr<state::SqliteStore> store_;
  std::unique_ptr<state::Identities> identities_;
  std::unique_ptr<state::ResultCache> cache_;
  std::unique_ptr<state::ActivityCounter> activity_;
  std::unique_ptr<StateGateway> gateway_;
  std::unique_ptr<Router> router_;
};

// ---- Dispatch, with a table of stubs ----

struct Seen {
  int calls = 0;
  std::string which, query, requete_id;
};
Seen seen;

asio::awaitable<ApiResponse> stub_a(RouteContext&, const RouteCall& call) {
  seen = {seen.calls + 1, "a", std::string(call.query), call.requete_id};
  co_return json_response(200, {{"route", "a"}});
}
asio::awaitable<ApiResponse> stub_b(RouteContext&, const RouteCall& call) {
  seen = {seen.calls + 1, "b", std::string(call.query), call.requete_id};
  co_return json_response(201, {{"route", "b"}});
}
asio::awaitable<ApiResponse> stub_state_fails(RouteContext&, const RouteCall&) {
  ++seen.calls;
  throw state::StateError("state (PostgreSQL): transaction: server unreachable (state-detail)");
  co_return ApiResponse{};
}

asio::awaitable<ApiResponse> stub_throws(RouteContext&, const RouteCall&) {
  ++seen.calls;
  throw std::runtime_error("internal-detail");
  co_return ApiResponse{};
}

const Route kStubs[] = {
    {verb::get, "/v1/a", stub_a, "/v1/a"},
    {verb::post, "/v1/a", stub_b, "/v1/a"},
    {verb::get, "/v1/b", stub_b, "/v1/b"},
    {verb::get, "/v1/boom", stub_throws, "/v1/boom"},
    {verb::get, "/v1/etat", stub_state_fails, "/v1/etat"},
};

class RouterDispatch : public ::testing::Test {
 protected:
  void SetUp() override { seen = {}; }
  RouterFixture f{kStubs};
};

TEST_F(RouterDispatch, runs_the_handler_of_the_method_and_path_with_query_and_request_id) {
  auto r = f.handle(request(verb::get, "/v1/a?mois=2026-03"), "id-42");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(seen.calls, 1);
  EXPECT_EQ(seen.which, "a");
  EXPECT_EQ(seen.query, "mois=2026-03");
  EXPECT_EQ(seen.requete_id, "id-42");
  EXPECT_EQ(f.handle(request(verb::post, "/v1/a")).status, 201u);
  EXPECT_EQ(seen.which, "b");
  EXPECT_EQ(seen.query, "");
  EXPECT_EQ(f.handle(request(verb::get, "/v1/b")).status, 201u);
  EXPECT_EQ(seen.calls, 3);
}

TEST_F(RouterDispatch, an_unknown_path_is_404_and_runs_nothing) {
  for (const char* target : {"/v1/c", "/v1/a/", "/v1/a/1", "/v1", "/v1/A"}) {
    auto r = f.handle(request(verb::get, target));
    EXPECT_EQ(r.status, 404u) << target;
    EXPECT_EQ(code_of(r), "ressource_inconnue") << target;
    EXPECT_EQ(header(r, "Allow"), "") << target;
  }
  EXPECT_EQ(seen.calls, 0);
}

TEST_F(RouterDispatch, another_method_is_405_with_allow_and_runs_nothing) {
  auto r = f.handle(request(verb::delete_, "/v1/a"));
  EXPECT_EQ(r.status, 405u);
  EXPECT_EQ(code_of(r), "methode_non_autorisee");
  EXPECT_EQ(header(r, "Allow"), "GET, POST");
  auto b = f.handle(request(verb::post, "/v1/b?x=1"));
  EXPECT_EQ(b.status, 405u);
  EXPECT_EQ(header(b, "Allow"), "GET");
  EXPECT_EQ(seen.calls, 0);
}

TEST_F(RouterDispatch, a_handler_that_throws_is_a_500_naming_the_request_id) {
  auto r = f.handle(request(verb::get, "/v1/boom"), "id-boom");
  EXPECT_EQ(r.status, 500u);
  EXPECT_EQ(code_of(r), "erreur_interne");
  EXPECT_EQ(json::parse(r.body)["requete_id"], "id-boom");
  EXPECT_EQ(r.body.find("internal-detail"), std::string::npos) << "the exception text stays in the log";
}

TEST_F(RouterDispatch, a_state_store_failure_is_a_503_etat_indisponible) {
  auto r = f.handle(request(verb::get, "/v1/etat"), "id-etat");
  EXPECT_EQ(r.status, 503u);
  EXPECT_EQ(code_of(r), "etat_indisponible");
  EXPECT_EQ(json::parse(r.body)["requete_id"], "id-etat");
  EXPECT_EQ(r.body.find("state-detail"), std::string::npos) << "the exception text stays in the log";
}

// ---- The local API's table: what is answered before any INSi call ----

class RouterApi : public ::testing::Test {
 protected:
  RouterFixture f;
};

TEST_F(RouterApi, health_answers_from_the_breaker_and_the_configuration) {
  auto r = f.handle(request(verb::get, "/v1/health", "", ""));
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = json::parse(r.body);
  EXPECT_EQ(j["statut"], "ok");
  EXPECT_EQ(j["insi"]["circuit"], "ferme");
  EXPECT_EQ(j["insi"]["environnement"], "test");
}

TEST_F(RouterApi, each_route_refuses_the_other_methods_with_405_and_allow) {
  for (const auto& route : routes()) {
    const verb other = route.method == verb::get ? verb::post : verb::get;
    auto r = f.handle(request(other, std::string(route.path), "{}"));
    EXPECT_EQ(r.status, 405u) << route.path;
    EXPECT_EQ(header(r, "Allow"), std::string(sv(http::to_string(route.method)))) << route.path;
  }
}

TEST_F(RouterApi, unknown_paths_are_404) {
  EXPECT_EQ(f.handle(request(verb::get, "/v1/nothing-here")).status, 404u);
  EXPECT_EQ(f.handle(request(verb::post, "/v1/outbox/42", "{}")).status, 404u);
  EXPECT_EQ(f.handle(request(verb::get, "/v1/ins/recherche/2800275056123")).status, 404u);
}

TEST_F(RouterApi, json_routes_refuse_another_content_type_with_415) {
  for (const char* path : {"/v1/ins/recherche", "/v1/ins/recherche-vitale",
                           "/v1/ins/verification", "/v1/ins/qualification"}) {
    auto r = f.handle(request(verb::post, path, "{}", "text/plain"));
    EXPECT_EQ(r.status, 415u) << path;
    EXPECT_EQ(code_of(r), "requete_invalide") << path;
  }
  // No Content-Type at all is accepted (old clients): the body is decoded,
  // and an empty object then misses its required members (422).
  EXPECT_EQ(f.handle(request(verb::post, "/v1/ins/recherche", "{}", "")).status, 422u);
  EXPECT_EQ(f.handle(request(verb::post, "/v1/ins/recherche", "{}",
                             "application/json; charset=utf-8")).status, 422u);
}

TEST_F(RouterApi, a_nul_byte_in_the_body_is_400) {
  std::string body = R"({"operateur": "u-1"})";
  body.insert(5, 1, '\0');
  auto r = f.handle(request(verb::post, "/v1/ins/recherche", body));
  EXPECT_EQ(r.status, 400u);
  EXPECT_NE(r.body.find("octet nul"), std::string::npos);
}

TEST_F(RouterApi, a_finess_this_daemon_does_not_serve_is_400_before_insi) {
  json body = {{"operateur", "u-1"},
               {"finess", "750000001"},
               {"traits", {{"nom_naissance", "ECETINSI"}, {"prenoms", {"PIERRE-ALAIN"}},
                           {"sexe", "M"}, {"date_naissance", "2009-07-14"}}}};
  auto r = f.handle(request(verb::post, "/v1/ins/recherche", body.dump()));
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_NE(r.body.find("FINESS inconnu"), std::string::npos);
}

TEST_F(RouterApi, stats_and_outbox_answer_from_the_state_store) {
  EXPECT_EQ(f.handle(request(verb::get, "/v1/stats/mensuel?mois=2026-13")).status, 400u);
  auto stats = f.handle(request(verb::get, "/v1/stats/mensuel?mois=2026-03"));
  EXPECT_EQ(stats.status, 200u) << stats.body;
  auto list = f.handle(request(verb::get, "/v1/outbox?etat=dead"));
  ASSERT_EQ(list.status, 200u) << list.body;
  EXPECT_EQ(json::parse(list.body)["evenements"], json::array());
  auto retry = f.handle(request(verb::post, "/v1/outbox/retry", R"({"id": 5})"));
  EXPECT_EQ(retry.status, 404u);
  auto purge = f.handle(request(verb::post, "/v1/outbox/purge", R"({"jours": 30})"));
  ASSERT_EQ(purge.status, 200u) << purge.body;
  EXPECT_EQ(json::parse(purge.body)["supprimes"], 0);
}

}  // namespace
}  // namespace insgate::api

namespace insgate::api {
namespace {

// Issue 17 items 1 and 7, through the periodic refresh: two identities
// qualified while no plugin is configured wait with plugin NULL; the outbox
// gauges count them under plugin="(aucun)" (the stuck-outbox alert and the
// dashboard see them), and the running month's rate snapshot is taken.
TEST(RouterGauges, refresh_counts_events_waiting_for_no_plugin_and_takes_the_snapshot) {
  RouterFixture f;
  const auto now = state::Clock::now();
  for (const char* m : {"2800275056123", "1800275056124"}) {
    insi::Individu ind;
    const std::string cle = std::string(m) == "2800275056123" ? "41" : "07";
    ind.ins_actif = {m, cle, std::string(identity::oid::nir), std::nullopt, std::nullopt};
    ind.tiq = {"DUPONT", "MARIE", "MARIE LOUISE", "F", "1980-02-29", "75056"};
    // Identities of the structure whose rate is measured (issue 12).
    auto ids = f.identities().in("010000001");
    ids.record_insi_retrieval(*state::InsiMatch::from(ind), now - std::chrono::hours(2));
    ASSERT_EQ(ids
                  .qualify({m, cle, std::string(identity::oid::nir)},
                           {state::PieceType::cni, "2024-03-01"}, "IPP-1", "0123abcd",
                           now - std::chrono::hours(2))
                  .result,
              state::QualifyResult::qualified);
  }
  f.refresh_gauges();
  const std::string text = f.scrape();
  EXPECT_NE(text.find("insgate_outbox_pending{plugin=\"(aucun)\"} 2"), std::string::npos) << text;
  const auto at = text.find("insgate_outbox_oldest_pending_age_seconds{plugin=\"(aucun)\"} ");
  ASSERT_NE(at, std::string::npos) << text;
  EXPECT_GE(std::stod(text.substr(at + 60)), 7100.0);
  EXPECT_NE(text.find("insgate_qualified_identity_ratio{finess=\"010000001\"} 1"),
            std::string::npos)
      << text;
  EXPECT_TRUE(f.store().qualification_snapshot("010000001", state::ActivityCounter::month_of(now)));
}

}  // namespace
}  // namespace insgate::api
