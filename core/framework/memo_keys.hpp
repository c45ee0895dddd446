// SPDX-License-Identifier: Apache-2.0
// memo_keys: names per-node queries (node_info::remember / recall) by their text. A plugin
// describes its query as text — everything the remembered value depends on besides the node and
// its pods — and gets a key for it; equal texts get equal keys while the table holds them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/api/types.hpp"

namespace multisched::framework {

class memo_keys {
  public:
    // At most this many texts are kept; the next new one starts a fresh table. Keys are never
    // reused in the process, so a forgotten text's key simply stops being asked for and its
    // entries leave the nodes' memos as the nodes change or fill up.
    static constexpr std::size_t kMaxTexts = 4096;

    // The key of `text`: the same key for the same text, a new process-wide unique one otherwise.
    std::uint64_t key(std::string_view text);
    std::size_t size() const { return keys_.size(); }

  private:
    struct string_hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    std::unordered_map<std::string, std::uint64_t, string_hash, std::equal_to<>> keys_;
};

// Appends an unambiguous text of `s` to `out` for a memo key: matchLabels (sorted) then the
// expressions in order. Separators are control characters, which label keys and values cannot
// hold, so different selectors never give the same text.
void append_selector_text(std::string& out, const api::label_selector& s);
// The same for a label map.
void append_labels_text(std::string& out, const api::label_map& labels);

}  // namespace multisched::framework
