// SPDX-License-Identifier: Apache-2.0
// The profile-routing webhook as the daemon runs it: the rules of --routing-config (format in
// core/admission/rules.hpp) validated against the profiles this process serves, answered at
// POST /mutate-pods on the secure port, and reloaded when the file changes. A rules file that
// fails to read, decode or validate at start-up stops the process with the reason; after that a
// broken edit is logged and the rules in force stay. A configuration reload that would drop a
// profile the rules route to is refused (check_served). Single-threaded (the io_context's).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>

#include "core/admission/review.hpp"
#include "core/admission/rules.hpp"
#include "core/server/http_types.hpp"
#include "core/util/result.hpp"
#include "core/util/task.hpp"

namespace multisched::profiles {

inline constexpr std::string_view kMutatePodsPath = "/mutate-pods";

class profile_routing {
  public:
    using served_fn = std::function<std::set<std::string>()>;

    // Reads, decodes and validates `path` against `served()`. Errors name the file, line and
    // field ("routing.yaml:4:20: rules[0].schedulerName: Unsupported value: ...").
    static result<std::unique_ptr<profile_routing>> load(std::string path, served_fn served);

    // Re-reads the file; when its bytes changed, decodes and validates it and swaps the rules
    // in. False when unchanged; an error (logged) leaves the rules in force.
    result<bool> reload_if_changed();
    // Whether the rules in force route only to profiles in `served` (the profiles a candidate
    // configuration would serve).
    result<void> check_served(const std::set<std::string>& served) const;

    // POST /mutate-pods: an AdmissionReview answered from the rules in force.
    server::response serve(const server::request& req,
                           const admission::namespace_labels_fn& namespace_labels) const;

    // Watches the file and reloads it on change until cancelled (as config_reloader::run).
    task<void> run(std::chrono::milliseconds debounce);

    const std::string& path() const { return path_; }
    const admission::routing_rules& rules() const { return rules_; }

  private:
    profile_routing(std::string path, served_fn served)
        : path_(std::move(path)), served_(std::move(served)) {}
    // Reads and validates the file's current bytes (`text`); swaps them in on success.
    result<void> adopt(std::string text);

    std::string path_;
    served_fn served_;
    std::string last_text_;
    admission::routing_rules rules_;
};

}  // namespace multisched::profiles
