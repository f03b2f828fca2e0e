// Unit tests of insi/recherche.hpp: the first-name strategy of
// insi-protocol.md §8, over a scripted fake InsiTransport (no network).
// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/recherche.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "insi/soap_codec.hpp"
#include "net/net.hpp"

namespace insgate::insi {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::StartsWith;
using Kind = RechercheOutcome::Kind;

constexpr const char* kOidNir = "1.2.250.1.213.1.4.8";

/// A transport that records every POST and answers from a script. A call
/// beyond the script is a test failure (answered with an io error).
class FakeTransport : public InsiTransport {
 public:
  struct Call {
    std::string action;
    std::string envelope;
    Clock::time_point posted_at;
    Clock::time_point deadline;
  };

  explicit FakeTransport(std::vector<PostResult> script) : script_(std::move(script)) {}

  /// Time each post takes (blocking the io thread: fine in a single-test run).
  std::chrono::milliseconds delay{0};

  asio::awaitable<PostResult> post(std::string soap_action, std::string body,
                                   Clock::time_point deadline) override {
    calls.push_back({std::move(soap_action), std::move(body), Clock::now(), deadline});
    if (delay.count() > 0) std::this_thread::sleep_for(delay);
    if (calls.size() > script_.size()) {
      ADD_FAILURE() << "unexpected INSi call #" << calls.size();
      co_return TransportError{TransportError::Kind::io, "unscripted call"};
    }
    co_return script_[calls.size() - 1];
  }

  /// The request of call `i`, parsed as the INSi simulator would.
  ReceivedRequest request(std::size_t i) const {
    auto parsed = parse_request(calls.at(i).envelope);
    if (auto* u = std::get_if<Unreadable>(&parsed)) {
      ADD_FAILURE() << "request " << i << " unreadable: " << u->reason;
      return {};
    }
    return std::get<ReceivedRequest>(parsed);
  }

  std::vector<std::string> prenoms_sent() const {
    std::vector<std::string> out;
    for (std::size_t i = 0; i < calls.size(); ++i) out.push_back(request(i).traits.prenom);
    return out;
  }

  std::vector<Call> calls;

 private:
  std::vector<PostResult> script_;
};

// ---- Scripted replies ----

PostResult cr(const std::string& code, const std::string& libelle) {
  return HttpReply{200, build_resultat(Resultat{code, libelle, std::nullopt})};
}
PostResult cr01() { return cr("01", "Aucune identite trouvee"); }
PostResult cr02() { return cr("02", "Plusieurs identites trouvees"); }

PostResult cr00(const std::string& matricule = "2360663220836", const std::string& cle = "56",
                const std::string& liste = "CATARINA BELLA") {
  Individu ind;
  ind.ins_actif.matricule = matricule;
  ind.ins_actif.cle = cle;
  ind.ins_actif.oid = kOidNir;
  ind.tiq.nom_naissance = "TCHITCHI";
  ind.tiq.liste_prenoms = liste;
  ind.tiq.sexe = "F";
  ind.tiq.date_naissance = "1936-06-21";
  ind.tiq.lieu_naissance = "63220";
  return HttpReply{200, build_resultat(Resultat{"00", "OK", ind})};
}

PostResult soap_fault(const std::string& code, const std::string& subcode,
                      const std::string& erreur_code, const std::string& severite,
                      unsigned http_status = 500) {
  Fault f;
  f.code = code;
  f.subcode = subcode;
  f.reason = "Erreur";
  f.erreur_code = erreur_code;
  f.erreur_severite = severite;
  f.erreur_message = "message technique";
  return HttpReply{http_status, build_fault(f)};
}

// ---- Running the coroutine ----

CallContext context() {
  CallContext c;
  c.emetteur = "010000001";
  c.lps = {"AM-123", "insgate", "0.1.0", "00000000-0000-4000-8000-000000000000"};
  return c;
}

TraitsRecherche traits(std::vector<std::string> prenoms, std::string nom = "HOUILLES",
                       std::string sexe = "M", std::string date = "1993-01-27",
                       std::optional<std::string> lieu = std::nullopt) {
  return {std::move(nom), std::move(prenoms), std::move(sexe), std::move(date), std::move(lieu)};
}

RechercheLimits generous() { return {Clock::now() + 30s, 10s}; }

RechercheOutcome run(FakeTransport& t, const TraitsRecherche& tr,
                     RechercheLimits limits = generous()) {
  const CallContext ctx = context();
  asio::io_context io;
  std::optional<RechercheOutcome> out;
  asio::co_spawn(io, rechercher_par_traits(t, ctx, tr, limits),
                 [&](std::exception_ptr e, RechercheOutcome o) {
                   if (e) {
                     try {
                       std::rethrow_exception(e);
                     } catch (const std::exception& x) {
                       ADD_FAILURE() << "coroutine threw: " << x.what();
                     }
                     return;
                   }
                   out = std::move(o);
                 });
  io.run();
  if (!out) {
    ADD_FAILURE() << "no outcome";
    return {};
  }
  return *out;
}

// ---- prenom_attempts ----

TEST(PrenomAttemptsTest, one_first_name_gives_one_attempt) {
  EXPECT_THAT(prenom_attempts({"ZOE"}), ElementsAre("ZOE"));
}

TEST(PrenomAttemptsTest, three_first_names_give_each_then_all_joined) {
  EXPECT_THAT(prenom_attempts({"PIERRE", "PAUL", "JACQUES"}),
              ElementsAre("PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"));
}

TEST(PrenomAttemptsTest, two_first_names_give_three_attempts) {
  EXPECT_THAT(prenom_attempts({"OLA", "CATARINA"}), ElementsAre("OLA", "CATARINA", "OLA CATARINA"));
}

TEST(PrenomAttemptsTest, hyphenated_first_name_stays_whole) {
  EXPECT_THAT(prenom_attempts({"PIERRE-ALAIN", "MURIEL"}),
              ElementsAre("PIERRE-ALAIN", "MURIEL", "PIERRE-ALAIN MURIEL"));
}

// ---- Single first name ----

TEST(RechercheTest, single_first_name_cr00_makes_one_call) {
  FakeTransport t({cr00("1090763220834", "89", "ZOE")});
  auto o = run(t, traits({"ZOE"}, "ADRUN", "F", "1975-12-31"));
  EXPECT_EQ(t.calls.size(), 1u);
  EXPECT_EQ(o.appels, 1);
}

TEST(RechercheTest, cr00_outcome_carries_the_individu) {
  FakeTransport t({cr00()});
  auto o = run(t, traits({"CATARINA"}, "TCHITCHI", "F", "1936-06-21"));
  ASSERT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "00");
  ASSERT_TRUE(o.resultat.individu.has_value());
  EXPECT_EQ(o.resultat.individu->ins_actif.matricule, "2360663220836");
  EXPECT_EQ(o.resultat.individu->ins_actif.cle, "56");
  EXPECT_EQ(o.resultat.individu->tiq.liste_prenoms, "CATARINA BELLA");
}

TEST(RechercheTest, single_first_name_cr01_makes_one_call_no_joined_retry) {
  FakeTransport t({cr01()});
  auto o = run(t, traits({"OLA"}));
  EXPECT_EQ(t.calls.size(), 1u);
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "01");
  EXPECT_EQ(o.appels, 1);
}

TEST(RechercheTest, request_carries_all_traits) {
  FakeTransport t({cr00()});
  run(t, traits({"CATARINA"}, "TCHITCHI", "F", "1936-06-21", "63220"));
  auto rq = t.request(0);
  EXPECT_TRUE(rq.is_recherche_traits);
  EXPECT_EQ(rq.traits.nom_naissance, "TCHITCHI");
  EXPECT_EQ(rq.traits.prenom, "CATARINA");
  EXPECT_EQ(rq.prenom_count, 1);
  EXPECT_EQ(rq.traits.sexe, "F");
  EXPECT_EQ(rq.traits.date_naissance, "1936-06-21");
  EXPECT_EQ(rq.traits.lieu_naissance, "63220");
}

TEST(RechercheTest, request_without_lieu_sends_no_lieu) {
  FakeTransport t({cr00()});
  run(t, traits({"CATARINA"}, "TCHITCHI", "F", "1936-06-21"));
  EXPECT_FALSE(t.request(0).traits.lieu_naissance.has_value());
}

TEST(RechercheTest, request_uses_traits_action_and_context_headers) {
  FakeTransport t({cr00()});
  run(t, traits({"CATARINA"}));
  EXPECT_EQ(t.calls[0].action, kActionRechercheTraits);
  auto rq = t.request(0);
  EXPECT_EQ(rq.action, kActionRechercheTraits);
  EXPECT_TRUE(rq.has_contexte_bam);
  EXPECT_TRUE(rq.has_contexte_lps);
  EXPECT_EQ(rq.idam, "AM-123");
}

// ---- HOUILLES PIERRE PAUL JACQUES: 01 x4 (CNDA) ----

TEST(RechercheTest, three_first_names_all_cr01_make_four_calls) {
  FakeTransport t({cr01(), cr01(), cr01(), cr01()});
  run(t, traits({"PIERRE", "PAUL", "JACQUES"}));
  EXPECT_EQ(t.calls.size(), 4u);
}

TEST(RechercheTest, three_first_names_are_sent_one_by_one_then_joined) {
  FakeTransport t({cr01(), cr01(), cr01(), cr01()});
  run(t, traits({"PIERRE", "PAUL", "JACQUES"}));
  EXPECT_THAT(t.prenoms_sent(), ElementsAre("PIERRE", "PAUL", "JACQUES", "PIERRE PAUL JACQUES"));
}

TEST(RechercheTest, joined_first_names_go_in_a_single_prenom_element) {
  FakeTransport t({cr01(), cr01(), cr01(), cr01()});
  run(t, traits({"PIERRE", "PAUL", "JACQUES"}));
  for (std::size_t i = 0; i < t.calls.size(); ++i) EXPECT_EQ(t.request(i).prenom_count, 1) << i;
}

TEST(RechercheTest, every_call_has_a_distinct_uuid_message_id) {
  FakeTransport t({cr01(), cr01(), cr01(), cr01()});
  run(t, traits({"PIERRE", "PAUL", "JACQUES"}));
  std::set<std::string> ids;
  for (std::size_t i = 0; i < t.calls.size(); ++i) {
    auto id = t.request(i).message_id;
    EXPECT_THAT(id, StartsWith("uuid:")) << i;
    EXPECT_EQ(id.size(), 5u + 36u) << id;
    ids.insert(id);
  }
  EXPECT_EQ(ids.size(), 4u);
}

TEST(RechercheTest, three_first_names_all_cr01_end_with_cr01_and_four_appels) {
  FakeTransport t({cr01(), cr01(), cr01(), cr01()});
  auto o = run(t, traits({"PIERRE", "PAUL", "JACQUES"}));
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "01");
  EXPECT_FALSE(o.resultat.individu.has_value());
  EXPECT_EQ(o.appels, 4);
}

// ---- TCHITCHI OLA CATARINA ----

TEST(RechercheTest, cr01_then_cr00_stops_after_two_calls) {
  FakeTransport t({cr01(), cr00()});
  auto o = run(t, traits({"OLA", "CATARINA"}, "TCHITCHI", "F", "1936-06-21"));
  EXPECT_EQ(t.calls.size(), 2u);
  EXPECT_THAT(t.prenoms_sent(), ElementsAre("OLA", "CATARINA"));
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "00");
  EXPECT_EQ(o.appels, 2);
}

TEST(RechercheTest, cr00_on_first_of_several_names_stops_at_once) {
  FakeTransport t({cr00()});
  auto o = run(t, traits({"CATARINA", "BELLA"}));
  EXPECT_EQ(t.calls.size(), 1u);
  EXPECT_EQ(o.resultat.code_cr, "00");
  EXPECT_EQ(o.appels, 1);
}

TEST(RechercheTest, cr00_on_joined_attempt_succeeds) {
  FakeTransport t({cr01(), cr01(), cr00()});
  auto o = run(t, traits({"OLA", "CATARINA"}));
  EXPECT_EQ(t.calls.size(), 3u);
  EXPECT_EQ(t.request(2).traits.prenom, "OLA CATARINA");
  EXPECT_EQ(o.resultat.code_cr, "00");
  EXPECT_EQ(o.appels, 3);
}

// ---- CR 02 ----

TEST(RechercheTest, cr02_then_cr00_continues_and_succeeds) {
  FakeTransport t({cr02(), cr00()});
  auto o = run(t, traits({"LEONARDO", "DICAPRIO"}, "DE VINCI", "M", "2014-02-01"));
  EXPECT_EQ(t.calls.size(), 2u);
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "00");
  EXPECT_EQ(o.appels, 2);
}

TEST(RechercheTest, result_is_the_last_cr_when_nothing_succeeds) {
  FakeTransport t({cr01(), cr01(), cr02()});
  auto o = run(t, traits({"LEONARDO", "DICAPRIO"}));
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "02");
  EXPECT_EQ(o.resultat.libelle_cr, "Plusieurs identites trouvees");
  EXPECT_EQ(o.appels, 3);
}

TEST(RechercheTest, single_name_cr02_ends_with_cr02) {
  FakeTransport t({cr02()});
  auto o = run(t, traits({"LEONARDO"}, "DE VINCI", "M", "2014-02-01"));
  EXPECT_EQ(o.kind, Kind::resultat);
  EXPECT_EQ(o.resultat.code_cr, "02");
  EXPECT_EQ(o.appels, 1);
}

// ---- Faults stop the search ----

TEST(RechercheTest, fault_on_second_call_stops_the_search) {
  // DE VINCI LEONARDO DICAPRIO BUFFALO: 02, then siram_40 on DICAPRIO.
  FakeTransport t({cr02(), soap_fault("Receiver", "siram_40", "insi_102", "fatal")});
  auto o = run(t, traits({"LEONARDO", "DICAPRIO", "BUFFALO"}, "DE VINCI", "M", "2014-02-01"));
  EXPECT_EQ(t.calls.size(), 2u);
  EXPECT_EQ(o.kind, Kind::fault);
  EXPECT_EQ(o.appels, 2);
}

TEST(RechercheTest, fault_outcome_carries_fault_fields) {
  FakeTransport t({soap_fault("Sender", "siram_100", "desir_550", "erreur")});
  auto o = run(t, traits({"ZOE"}));
  ASSERT_EQ(o.kind, Kind::fault);
  EXPECT_EQ(o.fault.code, "Sender");
  EXPECT_EQ(o.fault.subcode, "siram_100");
  EXPECT_EQ(o.fault.erreur_code, "desir_550");
  EXPECT_EQ(o.fault.erreur_severite, "erreur");
  EXPECT_EQ(o.appels, 1);
}

TEST(RechercheTest, fault_on_first_of_several_names_makes_no_further_call) {
  FakeTransport t({soap_fault("Sender", "siram_100", "desir_550", "erreur")});
  auto o = run(t, traits({"PIERRE", "PAUL", "JACQUES"}));
  EXPECT_EQ(t.calls.size(), 1u);
  EXPECT_EQ(o.kind, Kind::fault);
}

TEST(RechercheTest, fault_in_http_200_is_still_a_fault) {
  FakeTransport t({soap_fault("Sender", "siram_100", "desir_550", "erreur", 200)});
  EXPECT_EQ(run(t, traits({"ZOE"})).kind, Kind::fault);
}

// ---- Transport problems ----

TEST(RechercheTest, transport_error_gives_transport_kind) {
  FakeTransport t({TransportError{TransportError::Kind::connect, "connection refused",
                                  TransportError::Stage::connect}});
  auto o = run(t, traits({"PIERRE", "PAUL"}));
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(o.error, "connection refused");
  EXPECT_EQ(o.appels, 0) << "nothing reached INSi: not a call";
  EXPECT_EQ(t.calls.size(), 1u);
}

TEST(RechercheTest, tls_error_gives_transport_kind) {
  FakeTransport t({TransportError{TransportError::Kind::tls, "handshake failure",
                                  TransportError::Stage::tls}});
  auto o = run(t, traits({"ZOE"}));
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(o.appels, 0);
}

TEST(RechercheTest, io_error_after_cr01_stops_with_transport) {
  FakeTransport t({cr01(), TransportError{TransportError::Kind::io, "connection reset"}});
  auto o = run(t, traits({"PIERRE", "PAUL", "JACQUES"}));
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(o.appels, 2);
  EXPECT_EQ(t.calls.size(), 2u);
}

TEST(RechercheTest, attempts_of_every_first_name_are_kept_in_order) {
  FakeTransport t({cr01(), TransportError{TransportError::Kind::connect, "refused",
                                          TransportError::Stage::connect}});
  auto o = run(t, traits({"PIERRE", "PAUL"}));
  EXPECT_EQ(o.action, kActionRechercheTraits);
  ASSERT_EQ(o.attempts.size(), 2u);
  EXPECT_EQ(o.attempts[0].code_cr, "01");
  EXPECT_TRUE(o.attempts[0].is_call());
  EXPECT_FALSE(o.attempts[1].is_call());
  EXPECT_EQ(o.appels, 1);
}

TEST(RechercheTest, timeout_error_gives_timeout_kind) {
  FakeTransport t({TransportError{TransportError::Kind::timeout, "call deadline"}});
  auto o = run(t, traits({"PIERRE", "PAUL"}));
  EXPECT_EQ(o.kind, Kind::timeout);
  EXPECT_EQ(o.appels, 1);
  EXPECT_EQ(t.calls.size(), 1u);
}

TEST(RechercheTest, http_503_reply_gives_transport_kind) {
  FakeTransport t({PostResult{HttpReply{503, "<html>Service Unavailable</html>"}}});
  auto o = run(t, traits({"PIERRE", "PAUL"}));
  EXPECT_EQ(o.kind, Kind::transport);
  EXPECT_EQ(o.appels, 1);
  EXPECT_EQ(t.calls.size(), 1u);
}

TEST(RechercheTest, http_502_reply_gives_transport_kind) {
  FakeTransport t({PostResult{HttpReply{502, ""}}});
  EXPECT_EQ(run(t, traits({"ZOE"})).kind, Kind::transport);
}

TEST(RechercheTest, http_504_reply_gives_transport_kind) {
  FakeTransport t({PostResult{HttpReply{504, ""}}});
  EXPECT_EQ(run(t, traits({"ZOE"})).kind, Kind::transport);
}

TEST(RechercheTest, http_200_with_garbage_body_is_unreadable) {
  FakeTransport t({PostResult{HttpReply{200, "this is not XML <<<"}}});
  auto o = run(t, traits({"PIERRE", "PAUL"}));
  EXPECT_EQ(o.kind, Kind::unreadable);
  EXPECT_FALSE(o.error.empty());
  EXPECT_EQ(o.appels, 1);
  EXPECT_EQ(t.calls.size(), 1u);
}

TEST(RechercheTest, http_200_with_truncated_resultat_is_unreadable) {
  auto full = std::get<HttpReply>(cr00()).body;
  FakeTransport t({PostResult{HttpReply{200, full.substr(0, full.size() / 2)}}});
  EXPECT_EQ(run(t, traits({"ZOE"})).kind, Kind::unreadable);
}

TEST(RechercheTest, unexpected_http_status_is_unreadable) {
  FakeTransport t({PostResult{HttpReply{404, "Not Found"}}});
  auto o = run(t, traits({"ZOE"}));
  EXPECT_EQ(o.kind, Kind::unreadable);
  EXPECT_EQ(o.appels, 1);
}

TEST(RechercheTest, unknown_code_cr_is_unreadable_and_stops) {
  FakeTransport t({cr("03", "Inconnu")});
  auto o = run(t, traits({"PIERRE", "PAUL"}));
  EXPECT_EQ(o.kind, Kind::unreadable);
  EXPECT_EQ(t.calls.size(), 1u);
}

// ---- Deadlines ----

TEST(RechercheTest, deadline_already_passed_is_timeout_without_call) {
  FakeTransport t({});
  auto o = run(t, traits({"PIERRE", "PAUL"}), {Clock::now() - 1ms, 10s});
  EXPECT_EQ(o.kind, Kind::timeout);
  EXPECT_EQ(o.appels, 0);
  EXPECT_TRUE(t.calls.empty());
}

TEST(RechercheTest, deadline_reached_between_calls_stops_with_timeout) {
  FakeTransport t({cr01(), cr01(), cr01()});
  t.delay = 400ms;  // the first call outlives the overall deadline
  auto o = run(t, traits({"PIERRE", "PAUL"}), {Clock::now() + 200ms, 10s});
  EXPECT_EQ(o.kind, Kind::timeout);
  EXPECT_EQ(o.appels, 1);
  EXPECT_EQ(t.calls.size(), 1u);
}

TEST(RechercheTest, call_deadline_is_capped_by_call_timeout) {
  FakeTransport t({cr00()});
  run(t, traits({"ZOE"}), {Clock::now() + 30s, 2s});
  ASSERT_EQ(t.calls.size(), 1u);
  auto budget = t.calls[0].deadline - t.calls[0].posted_at;
  EXPECT_LE(budget, 2s);
  EXPECT_GT(budget, 1s);
}

TEST(RechercheTest, call_deadline_is_capped_by_overall_deadline) {
  auto overall = Clock::now() + 3s;
  FakeTransport t({cr00()});
  run(t, traits({"ZOE"}), {overall, 10s});
  ASSERT_EQ(t.calls.size(), 1u);
  EXPECT_EQ(t.calls[0].deadline, overall);
}

}  // namespace
}  // namespace insgate::insi
