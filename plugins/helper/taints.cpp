// SPDX-License-Identifier: Apache-2.0
#include "plugins/helper/taints.hpp"

#include <algorithm>

namespace multisched::plugins::helper {

bool tolerates_taint(const api::toleration& t, const api::taint& taint) {
    if (!t.effect.empty() && t.effect != taint.effect) {
        return false;
    }
    if (!t.key.empty() && t.key != taint.key) {
        return false;
    }
    if (t.op.empty() || t.op == "Equal") {
        return t.value == taint.value;
    }
    return t.op == "Exists";
}

bool tolerations_tolerate_taint(std::span<const api::toleration> tolerations,
                                const api::taint& taint) {
    return std::any_of(tolerations.begin(), tolerations.end(),
                       [&](const api::toleration& t) { return tolerates_taint(t, taint); });
}

}  // namespace multisched::plugins::helper
