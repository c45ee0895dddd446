// SPDX-License-Identifier: Apache-2.0
// The client TLS context built from a rest_config: shared by every connection of one api_client.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "core/client/rest_config.hpp"
#include "core/util/result.hpp"

namespace multisched::client {

// TLS 1.2 or newer; the peer is verified unless `insecure_skip_tls_verify`, against `ca_pem` or,
// when empty, the system trust store; `client_cert_pem`/`client_key_pem` when both are set.
// Errors name the rest_config field and carry OpenSSL's reason. Host name checking is per
// connection (see connection.hpp), not part of the context.
result<std::shared_ptr<boost::asio::ssl::context>> make_tls_context(const rest_config& config);

}  // namespace multisched::client
