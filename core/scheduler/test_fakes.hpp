// SPDX-License-Identifier: Apache-2.0
// Fake plugins and a small cluster for the algorithm's tests (schedule_pod, explanation).
#pragma once

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/framework/framework.hpp"
#include "test/util/builders.hpp"

namespace multisched::scheduler::fakes {

// Rejects the nodes named in `reject` with the given reason.
class fake_filter final : public framework::filter_plugin {
  public:
    fake_filter(std::string name, std::map<std::string, std::string> reject, framework::code c)
        : name_(std::move(name)), reject_(std::move(reject)), code_(c) {}
    std::string_view name() const override { return name_; }
    framework::status filter(framework::cycle_state&, const framework::pod_info&,
                             const framework::node_info& node) override {
        ++calls;
        auto it = reject_.find(node.name());
        if (it == reject_.end()) {
            return {};
        }
        return {code_, it->second};
    }
    int calls = 0;

  private:
    std::string name_;
    std::map<std::string, std::string> reject_;
    framework::code code_;
};

// Scores nodes from a table (missing: 0).
// With `normalize`, NormalizeScore scales the scores so that the highest is 100.
class fake_score final : public framework::score_plugin {
  public:
    explicit fake_score(std::map<std::string, std::int64_t> scores, std::string name = "FakeScore",
                        bool normalize = false)
        : scores_(std::move(scores)), name_(std::move(name)), normalize_(normalize) {}
    std::string_view name() const override { return name_; }
    bool has_normalize() const override { return normalize_; }
    framework::status normalize_score(framework::cycle_state&, const framework::pod_info&,
                                      std::span<const framework::node_info* const>,
                                      std::span<std::int64_t> scores) override {
        std::int64_t max = 0;
        for (auto s : scores) {
            max = std::max(max, s);
        }
        for (auto& s : scores) {
            s = max == 0 ? 0 : s * 100 / max;
        }
        return {};
    }
    framework::status score(framework::cycle_state&, const framework::pod_info&,
                            const framework::node_info& node, std::int64_t& score) override {
        auto it = scores_.find(node.name());
        score = it == scores_.end() ? 0 : it->second;
        return {};
    }

  private:
    std::map<std::string, std::int64_t> scores_;
    std::string name_;
    bool normalize_;
};

struct cluster {
    std::vector<std::unique_ptr<framework::node_info>> owned;
    std::vector<framework::node_info*> nodes;
    explicit cluster(int n) {
        for (int i = 0; i < n; ++i) {
            auto ni = std::make_unique<framework::node_info>("n" + std::to_string(i));
            ni->set_node(testing::make_node().name("n" + std::to_string(i)).ptr());
            nodes.push_back(ni.get());
            owned.push_back(std::move(ni));
        }
    }
};

// Filter and Score plugins in the order given; Score plugin i has weight weights[i] (default 1).
inline std::shared_ptr<framework::framework> make_fw(
    std::vector<std::unique_ptr<framework::plugin>> ps,
    std::optional<std::int32_t> pct = std::nullopt, std::vector<std::int64_t> weights = {}) {
    framework::plugin_lists lists;
    for (auto& p : ps) {
        if (auto* f = dynamic_cast<framework::filter_plugin*>(p.get())) {
            lists.filter.push_back(f);
        }
        if (auto* s = dynamic_cast<framework::score_plugin*>(p.get())) {
            const std::size_t i = lists.score.size();
            lists.score.push_back({s, i < weights.size() ? weights[i] : 1});
        }
    }
    return std::make_shared<framework::framework>("test", nullptr, std::move(ps), lists, pct);
}

}  // namespace multisched::scheduler::fakes
