// SPDX-License-Identifier: Apache-2.0
// Calls to the apiserver on behalf of a request being served (TokenReview, SubjectAccessReview,
// the authentication ConfigMap): every call has a hard deadline, so a slow or dead apiserver can
// delay a request by at most that long and never hangs its connection.
#pragma once

#include <chrono>
#include <string>

#include "core/client/api_client.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::server {

// apiserver's DefaultAuthWebhookRetryBackoff: 5 attempts, 500 ms × 1.5 each, 20 % jitter.
struct webhook_retry {
    int steps = 5;
    std::chrono::milliseconds initial{500};
    double factor = 1.5;
    double jitter = 0.2;
};

// `client->send(req)`, raced against req.timeout: when the timer wins the send is cancelled and
// the result is an error with code beast::error::timeout. Relies on the client honouring
// cancellation (the production client and the fakes do). `client` must outlive the call.
task<result<client::http_response>> send_with_deadline(client::api_client* client,
                                                       client::http_request req);

// POSTs `body` to `target`, retrying what webhook.DefaultShouldRetry retries (transport errors,
// 429, 500, 502, 503, 504) with `retry` backoff, all within `timeout`. Returns the body of the
// 2xx answer; errors read "<what>: <reason>" and carry the HTTP status when there was one.
task<result<std::string>> post_review(client::api_client* client, std::string target,
                                      std::string body, std::chrono::milliseconds timeout,
                                      webhook_retry retry, std::string what);

}  // namespace multisched::server
