// SPDX-License-Identifier: Apache-2.0
// Per-scheduling-cycle key/value state that a plugin writes in one phase (PreFilter, PreScore)
// and reads in a later one (Filter, Score, Reserve, binding). One cycle, one thread: no locks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <type_traits>
#include <typeinfo>
#include <utility>
#include <vector>

namespace multisched::framework {

class cycle_state {
  public:
    struct data {
        virtual ~data() = default;
        // A deep copy: preemption and nominated-pod checks mutate a clone of the cycle's state.
        virtual std::unique_ptr<data> clone() const = 0;
    };
    // Base for plugin state that is copyable: struct my_state final : cloneable<my_state> {...}.
    template <class T>
    struct cloneable : data {
        std::unique_ptr<data> clone() const override {
            return std::make_unique<T>(static_cast<const T&>(*this));
        }
    };

    cycle_state() = default;
    cycle_state(cycle_state&&) = default;
    cycle_state& operator=(cycle_state&&) = default;
    // Deep copy of every entry, the skip lists and the sampling flag (upstream CycleState.Clone).
    cycle_state clone() const;

    // Stores `value` under `key`, replacing any earlier value.
    void write(std::string_view key, std::unique_ptr<data> value);
    // The value under `key` if present and of type T, else null.
    template <class T>
    T* read(std::string_view key) const {
        const std::size_t i = find(key);
        if (i == entries_.size()) {
            return nullptr;
        }
        data* v = entries_[i].value.get();
        if constexpr (std::is_final_v<T>) {
            // A final type matches exactly or not at all: one type_info compare instead of
            // dynamic_cast's walk (this runs per plugin per node).
            return v != nullptr && typeid(*v) == typeid(T) ? static_cast<T*>(v) : nullptr;
        } else {
            return dynamic_cast<T*>(v);
        }
    }

    // Plugins whose PreFilter returned Skip: their Filter is not run this cycle.
    std::vector<std::string> skip_filter_plugins;
    // Plugins whose PreScore returned Skip: their Score is not run this cycle.
    std::vector<std::string> skip_score_plugins;
    // skip_filter_plugins as positions in the running framework's Filter list (bit i: the i-th
    // Filter plugin, i < 64). Written by the framework together with skip_filter_plugins and read
    // on its per-node path instead of comparing names; plugins leave it alone.
    std::uint64_t skip_filter_mask = 0;
    // Set by the scheduler in the cycles sampled for scheduler_plugin_execution_duration_seconds
    // (upstream: 10 % of cycles); the framework times each plugin call of such a cycle.
    bool record_plugin_metrics = false;
    // A dry run that explains a decision (core/scheduler/explanation.hpp) rather than makes one:
    // plugins answer as in a real cycle but must not act on it (record admissions, write
    // statuses, activate pods, advance their own rotations).
    bool what_if = false;

  private:
    struct entry {
        std::string key;
        const char* key_origin;  // key.data() of the string_view it was written with
        std::unique_ptr<data> value;
    };

    // The entry's index, or entries_.size() when absent. Keys are usually one string_view
    // constant used by both write and read: the entry written from the same characters is tried
    // first (one comparison), then every entry.
    std::size_t find(std::string_view key) const {
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            if (entries_[i].key_origin == key.data() && entries_[i].key == key) {
                return i;
            }
        }
        for (std::size_t i = 0; i < entries_.size(); ++i) {
            if (entries_[i].key == key) {
                return i;
            }
        }
        return entries_.size();
    }

    std::vector<entry> entries_;
};

}  // namespace multisched::framework
