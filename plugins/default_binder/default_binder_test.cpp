// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/defaultbinder/default_binder_test.go, as a table, against a fake api_client
// that records the request and returns a canned answer.
#include "plugins/default_binder/default_binder.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "core/json/json.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::default_binder {
namespace {

using multisched::testing::make_pod;

class fake_client final : public client::api_client {
  public:
    explicit fake_client(result<client::http_response> answer) : answer_(std::move(answer)) {}

    task<result<client::http_response>> send(client::http_request req) override {
        requests.push_back(std::move(req));
        co_return answer_;
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(
        std::string /*target*/, std::chrono::milliseconds /*idle_timeout*/) override {
        co_return error{{}, "watch not supported by the fake"};
    }

    std::vector<client::http_request> requests;

  private:
    result<client::http_response> answer_;
};

using testing::fake_handle;

framework::status run_bind(framework::bind_plugin& p,
                           std::shared_ptr<const framework::pod_info> pod, std::string node) {
    asio::io_context ioc;
    auto fut = asio::co_spawn(
        ioc, p.bind(std::make_shared<framework::cycle_state>(), std::move(pod), std::move(node)),
        asio::use_future);
    ioc.run();
    return fut.get();
}

TEST_CASE("default_binder.bind") {
    struct test_case {
        std::string name;
        result<client::http_response> answer;
        framework::code want_code;
        std::string want_message;
    };
    const std::string long_body(400, 'x');
    const std::vector<test_case> cases = {
        {"successful (201 Created)", client::http_response{201, "{}", std::nullopt},
         framework::code::success, ""},
        {"successful (200 OK)", client::http_response{200, "{}", std::nullopt},
         framework::code::success, ""},
        {"binding error (409 Conflict)",
         client::http_response{409, R"({"reason":"Conflict"})", std::nullopt},
         framework::code::error, R"(binding rejected: 409 {"reason":"Conflict"})"},
        {"long bodies are cut", client::http_response{500, long_body, std::nullopt},
         framework::code::error, "binding rejected: 500 " + long_body.substr(0, kBodyExcerpt)},
        {"transport error", error{{}, "POST: connection refused"}, framework::code::error,
         "binding pod ns/foo to node foohost: POST: connection refused"},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            fake_client client(c.answer);
            fake_handle h(client);
            auto made = make(YAML::Node(), h);
            REQUIRE(made.has_value());
            auto* binder = dynamic_cast<framework::bind_plugin*>(made->get());
            REQUIRE(binder != nullptr);
            CHECK(binder->name() == "DefaultBinder");

            const auto pod = make_pod().ns("ns").name("foo").uid("foo-uid").info();
            const auto st = run_bind(*binder, pod, "foohost");
            CHECK(st.code() == c.want_code);
            CHECK(st.message() == c.want_message);

            REQUIRE(client.requests.size() == 1);
            const auto& req = client.requests[0];
            CHECK(req.method == boost::beast::http::verb::post);
            CHECK(req.target == "/api/v1/namespaces/ns/pods/foo/binding");
            auto doc = json::document::parse(req.body);
            REQUIRE(doc.has_value());
            const auto root = doc->root();
            CHECK(root["apiVersion"].as_string() == "v1");
            CHECK(root["kind"].as_string() == "Binding");
            CHECK(root["metadata"]["name"].as_string() == "foo");
            CHECK(root["metadata"]["namespace"].as_string() == "ns");
            CHECK(root["metadata"]["uid"].as_string() == "foo-uid");
            CHECK(root["target"]["kind"].as_string() == "Node");
            CHECK(root["target"]["name"].as_string() == "foohost");
        }
    }
}

}  // namespace
}  // namespace multisched::plugins::default_binder
