// SPDX-License-Identifier: Apache-2.0
// PUT /debug/flags/v, as component-base's StringFlagPutHandler(GlogSetter) answers.
#include "profiles/serving.hpp"

#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "core/util/log.hpp"

namespace multisched::profiles {

namespace http = boost::beast::http;

TEST_CASE("serving.put_debug_flags_v") {
    struct test_case {
        http::verb method;
        std::string body;
        unsigned want_status;
        std::string want_body;
        int want_verbosity;  // after the request
    };
    const int before = log::verbosity();
    const std::vector<test_case> cases = {
        {http::verb::put, "5", 200, "successfully set klog.logging.verbosity to 5", 5},
        {http::verb::put, "0", 200, "successfully set klog.logging.verbosity to 0", 0},
        {http::verb::put, "abc", 400,
         "failed set klog.logging.verbosity abc: strconv.ParseUint: parsing \"abc\": invalid "
         "syntax",
         0},
        {http::verb::put, "-1", 400,
         "failed set klog.logging.verbosity -1: strconv.ParseUint: parsing \"-1\": invalid syntax",
         0},
        {http::verb::put, "99999999999", 400,
         "failed set klog.logging.verbosity 99999999999: strconv.ParseUint: parsing "
         "\"99999999999\": value out of range",
         0},
        {http::verb::put, "", 400,
         "failed set klog.logging.verbosity : strconv.ParseUint: parsing \"\": invalid syntax", 0},
        {http::verb::get, "", 406, "unsupported http method", 0},
    };
    for (const auto& tc : cases) {
        INFO(tc.body);
        server::request req;
        req.message.method(tc.method);
        req.message.body() = tc.body;
        const server::response res = put_verbosity(req);
        CHECK(res.status == tc.want_status);
        CHECK(res.body == tc.want_body);
        CHECK(res.content_type == "text/plain");
        CHECK(log::verbosity() == tc.want_verbosity);
    }
    log::set_verbosity(before);
}

}  // namespace multisched::profiles
