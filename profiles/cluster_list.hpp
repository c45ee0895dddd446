// SPDX-License-Identifier: Apache-2.0
// Reads a live cluster once, the way `kubectl get ... -o json` would, for `multisched explain`:
// LISTs (paged, no watch) of what the scheduler's informers follow, merged into one `List` that
// core/snapshot loads. Nodes and pods are required; every other kind is read when the apiserver
// serves it (PodDisruptionBudgets from policy/v1, else v1beta1; PodGroups when the CRD is
// installed) and otherwise becomes one line of `problems`.
//
// Faults: each request has `request_timeout`; a transport error, 429 or 5xx is retried after an
// exponential backoff (0.5 s doubling) up to `attempts` tries in all; any other status fails
// that list at once (401/403 name the resource, as RBAC is the usual cause).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "core/client/api_client.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::profiles {

struct cluster_list_options {
    std::chrono::milliseconds request_timeout{std::chrono::seconds(30)};
    int attempts = 4;
    std::chrono::milliseconds first_backoff{500};
    unsigned page_size = 500;
};

struct cluster_list {
    std::string text;                   // {"apiVersion":"v1","kind":"List","items":[...]}
    std::vector<std::string> problems;  // optional kinds that could not be read
    std::size_t requests = 0;           // LIST requests sent, retries included
};

// Errors: nodes or pods could not be listed (the message names the resource and the answer).
task<result<cluster_list>> list_cluster(client::api_client& client, cluster_list_options opts = {});

}  // namespace multisched::profiles
