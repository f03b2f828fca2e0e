// insgate — recorded-answer replay for integration environments (issue #4,
// CNDA test campaigns): a transport decorator that answers the traits
// searches of configured persons with a recorded INSi answer file, and
// forwards everything else to the real transport. Opt-in (`insi.rejeu`),
// refused in production by the configuration loader.
// A replayed answer is marked HttpReply::replayed: no message left, so it
// is not an INSi call (appels_insi, counters, metrics).
// [io-thread] like the transport it wraps.
// SPDX-License-Identifier: GPL-3.0-or-later
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"
#include "insi/insi_client.hpp"

namespace insgate::insi {

class RejeuTransport : public InsiTransport {
 public:
  /// Reads every file now. @throw std::runtime_error naming an unreadable file.
  RejeuTransport(InsiTransport& next, const std::vector<config::RejeuEntry>& entries);

  asio::awaitable<PostResult> post(std::string soap_action, std::string body,
                                   Clock::time_point deadline) override;

  std::size_t size() const { return answers_.size(); }

 private:
  struct Recorded {
    config::RejeuEntry key;
    HttpReply reply;
  };
  InsiTransport& next_;
  std::vector<Recorded> answers_;
};

}  // namespace insgate::insi
