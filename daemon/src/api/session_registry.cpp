// SPDX-License-Identifier: GPL-3.0-or-later
#include "api/session_registry.hpp"

#include <spdlog/spdlog.h>

namespace insgate::api {

void SessionRegistry::begin_request(Connection* c, const std::string& requete_id,
                                    unsigned version) {
  auto& st = open_[c];
  st.busy = true;
  st.requete_id = requete_id;
  st.version = version;
  ++in_flight_;
}

void SessionRegistry::end_request(Connection* c) {
  auto it = open_.find(c);
  if (it == open_.end() || !it->second.busy) return;  // already answered by abort_busy
  it->second.busy = false;
  --in_flight_;
}

void SessionRegistry::stop() {
  if (stopping_) return;
  stopping_ = true;
  for (auto& [c, st] : open_)
    if (!st.busy) c->close();
}

void SessionRegistry::abort_busy() {
  for (auto& [c, st] : open_) {
    if (!st.busy) continue;
    auto res = to_http(stopping_now(), st.version, false, st.requete_id);
    spdlog::warn("[API_REQUEST] request {} -> 503, answered at stop before INSi did",
                 st.requete_id);  // logged first: the caller may look at once
    c->write_now(res);  // the io loop stops right after
    st.busy = false;
    --in_flight_;
  }
}

}  // namespace insgate::api
