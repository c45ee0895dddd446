// SPDX-License-Identifier: Apache-2.0
// Expected failures are values: I/O, HTTP and decoding errors travel as result<T>.
#pragma once

#include <string>

#include <boost/assert/source_location.hpp>
#include <boost/system/error_code.hpp>
#include <boost/system/result.hpp>

namespace multisched {

// An expected failure: an error code when one exists (network, TLS, timeouts) and a message that
// names what failed ("GET /api/v1/pods: connection refused", "pod ns/a: spec.containers[0]...").
struct error {
    boost::system::error_code code;
    std::string message;
    // The HTTP status when the failure is an apiserver answer (e.g. 410 on a watch), else 0.
    unsigned http_status = 0;
};

template <class T>
using result = boost::system::result<T, error>;

// Called by result<T>::value() on an error: throws std::runtime_error(message).
[[noreturn]] void throw_exception_from_error(const error& e, const boost::source_location& loc);

}  // namespace multisched
