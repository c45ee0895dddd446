// SPDX-License-Identifier: Apache-2.0
// The client side of one configured scheduler extender (upstream pkg/scheduler/extender.go
// HTTPExtender): each call POSTs JSON (protocol.hpp) to urlPrefix + "/" + verb and decodes the
// answer. Every call has a deadline of httpTimeout (0: config::kDefaultExtenderHttpTimeout, 5s).
// Failures are values: a transport error or timeout ("extender <url>: filter: POST ...: read:
// timeout (deadline 200ms)"), a non-200 answer ("failed filter with extender at URL <url>/filter,
// code 500", http_status set), a malformed answer, or the extender's own Error text verbatim.
// Whether a failure is fatal is the caller's decision (is_ignorable(), as upstream's callers).
//
// An http_extender must outlive the tasks it returns and be used from its executor only. The
// pods and nodes are held by shared_ptr for the length of a call.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "core/api/types.hpp"
#include "core/client/api_client.hpp"
#include "core/client/rest_config.hpp"
#include "core/config/config.hpp"
#include "core/extender/protocol.hpp"
#include "core/extender/scores.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::extender {

// The client settings for `config` (upstream makeTransport): scheme, host, port and base path
// from urlPrefix (which must read http(s)://host[:port][/path]); tlsConfig's insecure and
// serverName; certData / keyData / caData, else the contents of certFile / keyFile / caFile;
// enableHTTPS without a CA means insecure, as upstream. Errors: an unusable urlPrefix, an
// unreadable file, insecure together with a CA (client-go refuses it).
result<client::rest_config> extender_rest_config(const config::extender_config& config);

class http_extender {
  public:
    // upstream NewHTTPExtender: the HTTP client per extender_rest_config. Errors name the
    // extender: "extender https://x:8443/sched: ...". A start-up failure for the caller.
    static result<std::unique_ptr<http_extender>> create(asio::any_io_executor ex,
                                                         const config::extender_config& config);
    // With a ready client (a fake in tests); requests carry only "/" + verb as target, so the
    // client supplies urlPrefix's path as its base path.
    http_extender(const config::extender_config& config,
                  std::unique_ptr<client::api_client> client);

    // urlPrefix, as upstream Name().
    const std::string& name() const { return config_.url_prefix; }
    bool is_filter() const { return !config_.filter_verb.empty(); }
    bool is_prioritizer() const { return !config_.prioritize_verb.empty(); }
    bool is_binder() const { return !config_.bind_verb.empty(); }
    bool supports_preemption() const { return !config_.preempt_verb.empty(); }
    bool is_ignorable() const { return config_.ignorable; }
    bool node_cache_capable() const { return config_.node_cache_capable; }
    std::int64_t weight() const { return config_.weight; }
    std::chrono::milliseconds timeout() const { return timeout_; }

    // upstream IsInterested: true without managedResources; otherwise whether a container or init
    // container requests one of them. The model keeps requests only, not limits; the apiserver
    // defaults missing requests to the limits and requires them equal for extended resources, so
    // for admitted pods this is upstream's requests-or-limits test.
    bool is_interested(const api::pod& pod) const;

    // upstream Filter. Without a filter verb every node passes and nothing is sent. `pod` must not
    // be null; null nodes are skipped.
    task<result<filter_outcome>> filter(pod_ptr pod, std::vector<node_ptr> nodes);

    // upstream Prioritize: the extender's host scores (raw 0..10) and weight(). Without a
    // prioritize verb every node scores 0 with weight 0 and nothing is sent. Combine with
    // combine_extender_scores (scores.hpp).
    task<result<prioritize_outcome>> prioritize(pod_ptr pod, std::vector<node_ptr> nodes);

    // upstream Bind: asks the extender to bind `pod` (name, namespace, uid) to `node`. Errors: no
    // bind verb ("unexpected empty bindVerb in extender"), send / decode failures, the extender's
    // Error.
    task<result<void>> bind(pod_ptr pod, std::string node);

    // upstream ProcessPreemption: sends the candidates (full pods, or UIDs when
    // nodeCacheCapable) and returns the extender's choice resolved through `lookup`
    // (resolve_victims), which runs once the answer arrived. Errors: no preempt verb, send /
    // decode failures, a node or pod the lookup does not know. Checking that each returned node
    // has victims is the caller's (upstream callExtenders).
    task<result<victims_map>> process_preemption(pod_ptr pod, victims_map candidates,
                                                 node_lookup lookup);

  private:
    // POSTs `body` to urlPrefix/verb; the answer's body when the status is 200.
    task<result<std::string>> send(std::string verb, std::string body);
    std::vector<std::string> node_names(const std::vector<node_ptr>& nodes) const;

    config::extender_config config_;
    std::chrono::milliseconds timeout_;
    std::set<std::string, std::less<>> managed_;
    std::unique_ptr<client::api_client> client_;
};

}  // namespace multisched::extender
