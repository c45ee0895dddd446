// SPDX-License-Identifier: Apache-2.0
// A fence on writes: while `refusal()` names a reason, every request that may change the cluster
// (any method but GET, HEAD and OPTIONS) fails at once with "not sent: <reason>", without reaching
// the apiserver; reads and watches pass. With leader election the daemon puts its scheduling
// client behind one whose reason is "this instance does not hold the lease": a leader that was
// paused (SIGSTOP, a stalled VM) past its renew deadline binds, deletes and patches nothing when
// it resumes, even before its elector has noticed the loss, so it cannot act on a cluster another
// instance now schedules. The elector itself uses a client of its own, as upstream's separate
// leader-election clientset.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>


#include "core/client/api_client.hpp"

namespace multisched::client {

// `refusal` is called before each write: std::nullopt lets it through.
std::unique_ptr<api_client> write_fenced(std::unique_ptr<api_client> inner,
                                         std::function<std::optional<std::string>()> refusal);

// Whether `method` may change what it is sent to (not GET, HEAD or OPTIONS).
bool writes(boost::beast::http::verb method);

}  // namespace multisched::client
