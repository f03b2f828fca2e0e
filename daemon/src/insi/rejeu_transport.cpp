// SPDX-License-Identifier: GPL-3.0-or-later
#include "insi/rejeu_transport.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "insi/soap_codec.hpp"

namespace insgate::insi {

RejeuTransport::RejeuTransport(InsiTransport& next, const std::vector<config::RejeuEntry>& entries)
    : next_(next) {
  for (const auto& e : entries) {
    std::ifstream in(e.file, std::ios::binary);
    if (!in) throw std::runtime_error(e.file + ": cannot read the recorded answer");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string body = ss.str();
    // A recorded fault is served as INSi serves faults: HTTP 500.
    unsigned status = std::holds_alternative<Fault>(parse_response(body)) ? 500 : 200;
    answers_.push_back({e, HttpReply{status, std::move(body), /*replayed=*/true}});
  }
}

asio::awaitable<PostResult> RejeuTransport::post(std::string soap_action, std::string body,
                                                 Clock::time_point deadline) {
  if (soap_action == kActionRechercheTraits) {
    auto parsed = parse_request(body);
    if (const auto* rq = std::get_if<ReceivedRequest>(&parsed)) {
      const auto& t = rq->traits;
      for (const auto& a : answers_)
        if (a.key.nom_naissance == t.nom_naissance && a.key.prenom == t.prenom &&
            a.key.sexe == t.sexe && a.key.date_naissance == t.date_naissance)
          co_return a.reply;
    }
  }
  co_return co_await next_.post(std::move(soap_action), std::move(body), deadline);
}

}  // namespace insgate::insi
