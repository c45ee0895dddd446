// SPDX-License-Identifier: Apache-2.0
// Per-request observation, as client-go's request metrics (rest_client_requests_total,
// rest_client_request_duration_seconds): each request's method, outcome and duration go to an
// observer that may be installed after the client is built (the metrics come later at start-up).
#pragma once

#include <functional>
#include <memory>

#include <boost/beast/http/verb.hpp>

#include "core/client/api_client.hpp"

namespace multisched::client {

// One finished request. `status` is the HTTP status, 0 when no response came (transport error,
// timeout, not sent). A watch ends, for this purpose, when its response headers arrive.
struct request_outcome {
    boost::beast::http::verb method = boost::beast::http::verb::get;
    unsigned status = 0;
    double seconds = 0;
};

using request_observer = std::function<void(const request_outcome&)>;

// Wraps `inner`: every send() and watch() is reported to `*observer` once it ends, when the slot
// holds an observer then. Wrap the transport directly (inside rate limiting and Retry-After), so
// each HTTP exchange is one observation and the time waiting for a token is not counted, as in
// client-go.
std::unique_ptr<api_client> observed(std::unique_ptr<api_client> inner,
                                     std::shared_ptr<const request_observer> observer);

}  // namespace multisched::client
