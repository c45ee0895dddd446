// SPDX-License-Identifier: Apache-2.0
// kube-scheduler's buildHandlerChain, outermost first: panic recovery (an exception anywhere
// below → 500 "This request caused apiserver to panic..."), logging (-v=3 one line per request),
// Cache-Control "no-cache, private" unless the handler set one, authentication (failure → 401
// Status), authorization of the non-resource request {path, lowercased method} (deny or no
// opinion → 403 Status, error → 500), then the mux. A null authenticator or authorizer skips
// that filter, as upstream does when they are disabled.
#pragma once

#include <memory>

#include "core/server/authentication.hpp"
#include "core/server/authorization.hpp"
#include "core/server/http_types.hpp"
#include "core/server/mux.hpp"

namespace multisched::server {

class handler_chain final : public request_handler {
  public:
    // `routes` may still gain routes after construction (same thread).
    handler_chain(std::shared_ptr<const mux> routes, std::shared_ptr<authenticator> authn,
                  std::shared_ptr<authorizer> authz);

    // Never throws.
    task<response> serve(request req) override;

  private:
    task<response> filter(request req);

    std::shared_ptr<const mux> routes_;
    std::shared_ptr<authenticator> authn_;
    std::shared_ptr<authorizer> authz_;
};

}  // namespace multisched::server
