// SPDX-License-Identifier: Apache-2.0
#include "core/framework/memo_keys.hpp"

#include <atomic>

namespace multisched::framework {
namespace {

// Process-wide so that keys of different tables (plugins, profiles, reloads) never collide in a
// node's memo.
std::atomic<std::uint64_t> next_key{1};

constexpr char kField = '\x1f';
constexpr char kRecord = '\x1e';
constexpr char kGroup = '\x1d';

}  // namespace

std::uint64_t memo_keys::key(std::string_view text) {
    if (auto it = keys_.find(text); it != keys_.end()) {
        return it->second;
    }
    if (keys_.size() >= kMaxTexts) {
        keys_.clear();
    }
    const std::uint64_t k = next_key.fetch_add(1, std::memory_order_relaxed);
    keys_.emplace(std::string(text), k);
    return k;
}

void append_labels_text(std::string& out, const api::label_map& labels) {
    for (const auto& [k, v] : labels.items) {
        out.append(k).push_back(kField);
        out.append(v).push_back(kRecord);
    }
    out.push_back(kGroup);
}

void append_selector_text(std::string& out, const api::label_selector& s) {
    append_labels_text(out, s.match_labels);
    for (const auto& e : s.match_expressions) {
        out.append(e.key).push_back(kField);
        out.append(e.op).push_back(kField);
        for (const auto& v : e.values) {
            out.append(v).push_back(kField);
        }
        out.push_back(kRecord);
    }
    out.push_back(kGroup);
}

}  // namespace multisched::framework
