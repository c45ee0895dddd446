// SPDX-License-Identifier: Apache-2.0
// DefaultBinder: binds a pod by POSTing a v1 Binding to pods/{name}/binding (upstream
// plugins/defaultbinder/default_binder.go).
// Extension points: Bind.
// Args: none (ignored). Uses the handle's api_client.
//
// Beyond upstream: a Binding whose fate is unknown is read back before it is called failed. When
// the POST ends without an answer (connection lost, deadline) or with 409 or 5xx, the apiserver
// may have applied it; the scheduler would then forget a pod that is in fact bound, and until the
// watch says otherwise its node looks emptier than it is (room for an overcommit). So the pod is
// read (GET, up to kConfirmAttempts times with a doubling backoff): bound to this node with the
// same uid is a success; anything else, or no answer, is the original error.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <yaml-cpp/yaml.h>

#include "core/client/api_client.hpp"
#include "core/framework/handle.hpp"
#include "core/framework/plugin.hpp"
#include "core/util/result.hpp"

namespace multisched::plugins::default_binder {

// How much of a rejection body goes into the status message.
inline constexpr std::size_t kBodyExcerpt = 256;
// Reads of the pod after an ambiguous Binding, and the wait before the second one (then doubled).
inline constexpr int kConfirmAttempts = 3;
inline constexpr std::chrono::milliseconds kConfirmBackoff{200};
inline constexpr std::chrono::milliseconds kConfirmTimeout{5000};

class default_binder final : public framework::bind_plugin {
  public:
    explicit default_binder(client::api_client& client,
                            std::chrono::milliseconds confirm_backoff = kConfirmBackoff)
        : client_(client), confirm_backoff_(confirm_backoff) {}

    std::string_view name() const override;
    // Success on 200/201, or when an ambiguous answer (none, 409, 5xx) is followed by a read of
    // the pod showing it bound to `node`. Otherwise Error "binding rejected: <code> <body
    // excerpt>" for a status, or "binding pod <ns/name> to node <node>: <transport message>".
    task<framework::status> bind(std::shared_ptr<framework::cycle_state> state,
                                 std::shared_ptr<const framework::pod_info> pod,
                                 std::string node) override;

  private:
    // Whether the pod, read back, is bound to `node` (same uid). Retries reads that fail.
    task<bool> bound_to(const api::pod& pod, const std::string& node);

    client::api_client& client_;
    std::chrono::milliseconds confirm_backoff_;
};

// "/api/v1/namespaces/{ns}/pods/{name}/binding"
std::string binding_target(const api::pod& pod);

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::default_binder
