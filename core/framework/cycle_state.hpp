// SPDX-License-Identifier: Apache-2.0
// Per-scheduling-cycle key/value state that a plugin writes in one phase (PreFilter, PreScore)
// and reads in a later one (Filter, Score, Reserve, binding). One cycle, one thread: no locks.
#pragma once

#include <memory>
#include <string>
#include <string_view>
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
    // Deep copy of every entry and of the skip lists (upstream CycleState.Clone).
    cycle_state clone() const;

    // Stores `value` under `key`, replacing any earlier value.
    void write(std::string_view key, std::unique_ptr<data> value);
    // The value under `key` if present and of type T, else null.
    template <class T>
    T* read(std::string_view key) const {
        for (const auto& [k, v] : entries_) {
            if (k == key) {
                return dynamic_cast<T*>(v.get());
            }
        }
        return nullptr;
    }

    // Plugins whose PreFilter returned Skip: their Filter is not run this cycle.
    std::vector<std::string> skip_filter_plugins;
    // Plugins whose PreScore returned Skip: their Score is not run this cycle.
    std::vector<std::string> skip_score_plugins;

  private:
    std::vector<std::pair<std::string, std::unique_ptr<data>>> entries_;
};

}  // namespace multisched::framework
