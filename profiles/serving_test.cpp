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

namespace multisched::profiles {

TEST_CASE("serving.debug_explain") {
    scheduler::explanation_store store;
    scheduler::explanation e;
    e.pod = "ml/train-0";
    e.uid = "u1";
    e.profile = "gang";
    e.message = "0/2 nodes are available: 2 Insufficient cpu.";
    store.put(e);
    struct test_case {
        std::string query;
        unsigned want_status;
        std::string want_in_body;
    };
    const std::vector<test_case> cases = {
        {"pod=ml/train-0", 200, R"("pod":"ml/train-0","uid":"u1","profile":"gang")"},
        {"pod=ml%2Ftrain-0", 200, R"("message":"0/2 nodes are available: 2 Insufficient cpu.")"},
        {"pod=ml/other", 404, "no explanation kept for pod ml/other"},
        {"", 400, "want one query parameter pod=NAMESPACE/NAME"},
        {"pod=train-0", 400, "want one query parameter"},
        {"pod=/train-0", 400, "want one query parameter"},
        {"pod=ml/a/b", 400, "want one query parameter"},
        {"pod=ml/a&pod=ml/b", 400, "want one query parameter"},
    };
    for (const auto& c : cases) {
        INFO("?" << c.query);
        server::request req;
        req.message.method(http::verb::get);
        req.path = "/debug/explain";
        req.raw_query = c.query;
        const server::response res = explain_response(req, store);
        CHECK(res.status == c.want_status);
        CHECK(res.body.find(c.want_in_body) != std::string::npos);
        if (res.status == 200) {
            CHECK(res.content_type == "application/json");
        }
    }
}

}  // namespace multisched::profiles
