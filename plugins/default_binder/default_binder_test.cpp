// SPDX-License-Identifier: Apache-2.0
// Upstream plugins/defaultbinder/default_binder_test.go, as a table, against a fake api_client
// that records the requests and gives canned answers in turn; plus the read back after an
// ambiguous answer.
#include "plugins/default_binder/default_binder.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <catch2/catch.hpp>

#include "core/client/write_fence.hpp"
#include "core/json/json.hpp"
#include "test/util/builders.hpp"
#include "test/util/fake_handle.hpp"

namespace multisched::plugins::default_binder {
namespace {

using multisched::testing::make_pod;

class fake_client final : public client::api_client {
  public:
    // The i-th request gets answers[i]; later ones the last answer.
    explicit fake_client(std::vector<result<client::http_response>> answers)
        : answers_(std::move(answers)) {}

    task<result<client::http_response>> send(client::http_request req) override {
        requests.push_back(std::move(req));
        co_return answers_[std::min(requests.size(), answers_.size()) - 1];
    }
    task<result<std::unique_ptr<client::watch_stream>>> watch(
        std::string /*target*/, std::chrono::milliseconds /*idle_timeout*/) override {
        co_return error{{}, "watch not supported by the fake"};
    }

    std::vector<client::http_request> requests;

  private:
    std::vector<result<client::http_response>> answers_;
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
    using client::http_response;
    const auto answer = [](unsigned status, std::string body) -> result<http_response> {
        return http_response{status, std::move(body), std::nullopt};
    };
    const auto read_back = [&answer](std::string uid, std::string node) {
        return answer(200, R"({"kind":"Pod","metadata":{"name":"foo","namespace":"ns","uid":")" +
                               uid + R"("},"spec":{"nodeName":")" + node + R"("}})");
    };
    const result<http_response> lost = error{{}, "POST: connection refused"};
    const result<http_response> conflict = answer(409, R"({"reason":"Conflict"})");
    const result<http_response> fenced = error{client::kNotSent, "not sent: not the leader"};
    const std::string lost_message = "binding pod ns/foo to node foohost: POST: connection refused";
    const std::string conflict_message = R"(binding rejected: 409 {"reason":"Conflict"})";

    struct test_case {
        std::string name;
        std::vector<result<http_response>> answers;  // the POST's, then the reads'
        framework::code want_code;
        std::string want_message;
        std::size_t want_requests;  // the POST and the reads back
    };
    const std::string long_body(400, 'x');
    const std::vector<test_case> cases = {
        {"successful (201 Created)", {answer(201, "{}")}, framework::code::success, "", 1},
        {"successful (200 OK)", {answer(200, "{}")}, framework::code::success, "", 1},
        {"rejected (403), not read back",
         {answer(403, "{}")},
         framework::code::error,
         "binding rejected: 403 {}",
         1},
        {"binding error (409 Conflict), bound elsewhere",
         {conflict, read_back("foo-uid", "otherhost")},
         framework::code::error,
         conflict_message,
         2},
        {"409 after an earlier binding of ours landed",
         {conflict, read_back("foo-uid", "foohost")},
         framework::code::success,
         "",
         2},
        {"long bodies are cut",
         {answer(500, long_body), read_back("foo-uid", "")},
         framework::code::error,
         "binding rejected: 500 " + long_body.substr(0, kBodyExcerpt),
         2},
        {"transport error, the pod still unbound",
         {lost, read_back("foo-uid", "")},
         framework::code::error,
         lost_message,
         2},
        {"transport error, the binding was applied",
         {lost, read_back("foo-uid", "foohost")},
         framework::code::success,
         "",
         2},
        {"transport error, a new pod of that name bound there",
         {lost, read_back("other-uid", "foohost")},
         framework::code::error,
         lost_message,
         2},
        {"transport error, the pod gone",
         {lost, answer(404, "{}")},
         framework::code::error,
         lost_message,
         2},
        {"transport error, reads fail then succeed",
         {lost, lost, answer(503, "{}"), read_back("foo-uid", "foohost")},
         framework::code::success,
         "",
         4},
        {"transport error, every read fails",
         {lost},
         framework::code::error,
         lost_message,
         1 + kConfirmAttempts},
        {"refused by the write fence: not sent, so not read back",
         {fenced},
         framework::code::error,
         "binding pod ns/foo to node foohost: not sent: not the leader",
         1},
    };
    for (const auto& c : cases) {
        DYNAMIC_SECTION(c.name) {
            fake_client client(c.answers);
            fake_handle h(client);
            auto made = make(YAML::Node(), h);
            REQUIRE(made.has_value());
            auto* made_binder = dynamic_cast<framework::bind_plugin*>(made->get());
            REQUIRE(made_binder != nullptr);
            CHECK(made_binder->name() == "DefaultBinder");
            default_binder binder(client, std::chrono::milliseconds(0));

            const auto pod = make_pod().ns("ns").name("foo").uid("foo-uid").info();
            const auto st = run_bind(binder, pod, "foohost");
            CHECK(st.code() == c.want_code);
            CHECK(st.message() == c.want_message);

            REQUIRE(client.requests.size() == c.want_requests);
            for (std::size_t i = 1; i < client.requests.size(); ++i) {
                CHECK(client.requests[i].method == boost::beast::http::verb::get);
                CHECK(client.requests[i].target == "/api/v1/namespaces/ns/pods/foo");
            }
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
