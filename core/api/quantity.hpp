// SPDX-License-Identifier: Apache-2.0
// resource.Quantity with the full grammar of k8s.io/apimachinery (decimal SI incl. n/u/m, binary
// SI Ki..Ei, decimal exponents e/E), held exactly in nano-units (no floating point) and capped at
// ±(2^63-1) units as upstream. Parsing rounds up to nano precision ("if you want some resources,
// you should get some").
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/util/result.hpp"

namespace multisched::api {

class quantity {
  public:
    quantity() = default;
    // Errors quote the input and say what is wrong (format, number, suffix).
    static result<quantity> parse(std::string_view text);
    static quantity from_units(std::int64_t units);

    // Quantity.Value(): whole units, rounded up (away from zero for positives).
    std::int64_t value() const;
    // Quantity.MilliValue(): thousandths, rounded up.
    std::int64_t milli_value() const;
    bool is_zero() const { return nano_ == 0; }
    auto operator<=>(const quantity&) const = default;

  private:
    __int128 nano_ = 0;
};

}  // namespace multisched::api
