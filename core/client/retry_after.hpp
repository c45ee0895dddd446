// SPDX-License-Identifier: Apache-2.0
// client-go's Retry-After handling (rest.Request with its default maxRetries 10): an answer of
// 429 or 5xx that carries Retry-After means the server did not process the request and asks for
// it again later, so it is sent again after that many seconds, whatever its verb, up to
// `max_retries` times; then the last answer is returned as is. Answers without Retry-After and
// transport errors are returned at once (callers own their own retry policies for those). The
// request's timeout bounds every try and wait together: a retry that would not fit in it is not
// made.
// Wrap it around the rate-limited client, so that each retry waits for a token as client-go's
// throttle does before every try.
#pragma once

#include <chrono>
#include <memory>

#include "core/client/api_client.hpp"

namespace multisched::client {

struct retry_after_policy {
    int max_retries = 10;
    // A longer Retry-After is waited this long (bounds how long one request can stall).
    std::chrono::seconds max_wait{30};
};

// Whether `res` asks to be retried (429 or 5xx with Retry-After), and after how long.
std::optional<std::chrono::seconds> retry_after_of(const http_response& res);

std::unique_ptr<api_client> honour_retry_after(std::unique_ptr<api_client> inner,
                                               retry_after_policy policy = {});

}  // namespace multisched::client
