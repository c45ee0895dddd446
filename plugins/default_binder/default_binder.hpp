// SPDX-License-Identifier: Apache-2.0
// DefaultBinder: binds a pod by POSTing a v1 Binding to pods/{name}/binding (upstream
// plugins/defaultbinder/default_binder.go).
// Extension points: Bind.
// Args: none (ignored). Uses the handle's api_client.
#pragma once

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

class default_binder final : public framework::bind_plugin {
  public:
    explicit default_binder(client::api_client& client) : client_(client) {}

    std::string_view name() const override;
    // Success on 200/201. Error "binding rejected: <code> <body excerpt>" on any other status,
    // and an Error carrying the transport message when the request did not complete.
    task<framework::status> bind(std::shared_ptr<framework::cycle_state> state,
                                 std::shared_ptr<const framework::pod_info> pod,
                                 std::string node) override;

  private:
    client::api_client& client_;
};

// "/api/v1/namespaces/{ns}/pods/{name}/binding"
std::string binding_target(const api::pod& pod);

result<std::unique_ptr<framework::plugin>> make(const YAML::Node& args, framework::handle& h);

}  // namespace multisched::plugins::default_binder
