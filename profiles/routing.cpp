// SPDX-License-Identifier: Apache-2.0
#include "profiles/routing.hpp"

#include <fmt/format.h>

#include "core/client/file_util.hpp"
#include "core/util/log.hpp"
#include "profiles/reload.hpp"

namespace multisched::profiles {

result<std::unique_ptr<profile_routing>> profile_routing::load(std::string path, served_fn served) {
    std::unique_ptr<profile_routing> r(new profile_routing(std::move(path), std::move(served)));
    auto text = client::read_whole_file(r->path_);
    if (!text) {
        return error{{}, "--routing-config: " + text.error().message};
    }
    if (auto adopted = r->adopt(std::move(*text)); !adopted) {
        return adopted.error();
    }
    return r;
}

result<void> profile_routing::adopt(std::string text) {
    if (text.size() > admission::kMaxRulesFileBytes) {
        return error{{},
                     fmt::format("{}: {} bytes, more than the {} a rules file may have", path_,
                                 text.size(), admission::kMaxRulesFileBytes)};
    }
    auto decoded = admission::decode_rules(text, path_);
    if (!decoded) {
        return decoded.error();
    }
    if (auto valid = admission::validate_rules(*decoded, served_(), path_); !valid) {
        return valid.error();
    }
    rules_ = std::move(*decoded);
    last_text_ = std::move(text);
    MS_LOG_INFO("profile routing: {} rules from {}", rules_.rules.size(), path_);
    return {};
}

result<bool> profile_routing::reload_if_changed() {
    auto text = client::read_whole_file(path_);
    if (!text) {
        MS_LOG_ERROR("profile routing reload failed; keeping the rules in force: {}",
                     text.error().message);
        return text.error();
    }
    if (*text == last_text_) {
        return false;
    }
    if (auto adopted = adopt(std::move(*text)); !adopted) {
        MS_LOG_ERROR("profile routing reload failed; keeping the rules in force: {}",
                     adopted.error().message);
        return adopted.error();
    }
    return true;
}

result<void> profile_routing::check_served(const std::set<std::string>& served) const {
    return admission::validate_rules(rules_, served, path_);
}

server::response profile_routing::serve(
    const server::request& req, const admission::namespace_labels_fn& namespace_labels) const {
    auto answer = admission::review(req.message.body(), rules_, namespace_labels);
    if (answer.status != 200) {
        MS_LOG_WARN("{} from {}: {}: {}", kMutatePodsPath, req.remote_address, answer.status,
                    answer.decision.reason);
    } else if (answer.decision.scheduler_name) {
        MS_LOG_V(2, "routing pod {} to {} (rule {})", answer.pod, *answer.decision.scheduler_name,
                 answer.decision.rule);
    } else if (!answer.pod.empty()) {
        MS_LOG_V(4, "pod {} left alone: {}", answer.pod, answer.decision.reason);
    }
    server::response res;
    res.status = answer.status;
    res.content_type = std::move(answer.content_type);
    res.body = std::move(answer.body);
    return res;
}

task<void> profile_routing::run(std::chrono::milliseconds debounce) {
    co_await watch_file(path_, debounce, "routing rule", [this] { (void)reload_if_changed(); });
}

}  // namespace multisched::profiles
