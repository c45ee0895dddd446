// SPDX-License-Identifier: Apache-2.0
// http_extender against a tiny extender server on 127.0.0.1 (port 0) in the test's io_context,
// answering canned bodies per path; plain HTTP, and HTTPS with a throw-away CA. No threads, no
// sleeps: testing::run polls the io_context while the server coroutines serve.
#include "core/extender/http_extender.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <catch2/catch.hpp>
#include <fmt/format.h>

#include "test/util/builders.hpp"
#include "test/util/loopback_server.hpp"
#include "test/util/task_runner.hpp"
#include "test/util/test_pki.hpp"

namespace multisched::extender {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using namespace std::chrono_literals;

// What the server answers on one path.
struct canned {
    unsigned status = 200;
    std::string body;
    bool hang = false;  // read the request, never answer
};

struct extender_server : testing::loopback_server {
    using loopback_server::loopback_server;

    std::string url(std::string_view path = "/sched/") const {
        return fmt::format("{}://127.0.0.1:{}{}", scheme(), port(), path);
    }

    std::map<std::string, canned> answers;  // by request target
    std::vector<std::string> targets;
    std::vector<std::string> bodies;
    std::vector<std::string> content_types;
};

template <class Stream>
task<void> serve(std::shared_ptr<extender_server> st, Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request<http::string_body> req;
        auto [ec, n] = co_await http::async_read(stream, buffer, req, use_task);
        if (ec) {
            co_return;
        }
        st->targets.emplace_back(req.target());
        st->bodies.push_back(req.body());
        st->content_types.emplace_back(req[http::field::content_type]);
        const auto it = st->answers.find(std::string(req.target()));
        canned answer = it != st->answers.end() ? it->second : canned{404, "not found", false};
        if (answer.hang) {
            char byte;
            for (;;) {  // until the client gives up and closes
                auto [rec, got] = co_await stream.async_read_some(asio::buffer(&byte, 1), use_task);
                if (rec) {
                    co_return;
                }
            }
        }
        http::response<http::string_body> res{static_cast<http::status>(answer.status), 11};
        res.set(http::field::content_type, "application/json");
        res.body() = answer.body;
        res.keep_alive(true);
        res.prepare_payload();
        auto [wec, written] = co_await http::async_write(stream, res, use_task);
        if (wec) {
            co_return;
        }
    }
}

struct fixture {
    asio::io_context ioc;
    std::shared_ptr<extender_server> server = start(nullptr);
    pod_ptr pod = testing::make_pod().name("p").ns("default").uid("pu").ptr();
    std::vector<node_ptr> nodes = {testing::make_node().name("n1").ptr(),
                                   testing::make_node().name("n2").ptr()};

    std::shared_ptr<extender_server> start(std::shared_ptr<ssl::context> tls) {
        auto st = std::make_shared<extender_server>(ioc, std::move(tls));
        testing::start_serving(ioc, st,
                               [](auto server, auto& stream) { return serve(server, stream); });
        return st;
    }

    config::extender_config config() const {
        config::extender_config c;
        c.url_prefix = server->url();
        c.filter_verb = "filter";
        c.prioritize_verb = "prioritize";
        c.weight = 3;
        c.bind_verb = "bind";
        c.preempt_verb = "preempt";
        return c;
    }

    std::unique_ptr<http_extender> make(const config::extender_config& c) {
        auto ext = http_extender::create(ioc.get_executor(), c);
        INFO((ext ? std::string() : ext.error().message));
        REQUIRE(ext.has_value());
        return std::move(*ext);
    }

    void answer(std::string path, std::string body, unsigned status = 200) {
        server->answers[std::move(path)] = canned{status, std::move(body), false};
    }
};

TEST_CASE("extender.filter_with_nodes") {
    fixture f;
    f.answer("/sched/filter",
             R"({"Nodes":{"items":[{"metadata":{"name":"n2"}}]},"FailedNodes":{"n1":"too hot"},)"
             R"("FailedAndUnresolvableNodes":{},"Error":""})");
    auto ext = f.make(f.config());
    auto got = testing::run(f.ioc, ext->filter(f.pod, f.nodes));
    REQUIRE(got.has_value());
    CHECK(got->feasible == std::vector<std::string>{"n2"});
    CHECK(got->failed == failed_nodes_map{{"n1", "too hot"}});
    CHECK(got->failed_and_unresolvable.empty());
    REQUIRE(f.server->targets == std::vector<std::string>{"/sched/filter"});
    CHECK(f.server->content_types[0] == "application/json");
    CHECK(f.server->bodies[0] == encode_extender_args(*f.pod, f.nodes, false));
}

TEST_CASE("extender.filter_with_node_names") {
    fixture f;
    f.answer("/sched/filter", R"({"nodenames":["n1"],"failedAndUnresolvableNodes":{"n2":"no"}})");
    auto c = f.config();
    c.node_cache_capable = true;
    auto ext = f.make(c);
    auto got = testing::run(f.ioc, ext->filter(f.pod, f.nodes));
    REQUIRE(got.has_value());
    CHECK(got->feasible == std::vector<std::string>{"n1"});
    CHECK(got->failed_and_unresolvable == failed_nodes_map{{"n2", "no"}});
    REQUIRE(f.server->bodies.size() == 1);
    CHECK_THAT(f.server->bodies[0], Catch::EndsWith(R"("Nodes":null,"NodeNames":["n1","n2"]})"));
}

TEST_CASE("extender.filter_failures") {
    struct row {
        const char* name;
        canned answer;
        std::string message;  // "{url}" stands for the server's URL without the trailing '/'
        unsigned http_status;
    };
    const std::vector<row> rows = {
        {"error field", {200, R"({"Error":"extender refuses"})", false}, "extender refuses", 0},
        {"non-200",
         {500, R"({"Error":"ignored"})", false},
         "failed filter with extender at URL {url}/filter, code 500",
         500},
        {"not found",
         {404, "", false},
         "failed filter with extender at URL {url}/filter, code 404",
         404},
        {"malformed JSON", {200, R"({"NodeNames":)", false}, "", 0},
        {"wrong type",
         {200, R"({"failedNodes":["n1"]})", false},
         "extender {url}/: filter result: failedNodes must be an object, got array",
         0},
        {"unknown node",
         {200, R"({"Nodes":{"items":[{"metadata":{"name":"n9"}}]}})", false},
         "extender \"{url}/\" claims a filtered node \"n9\" which is not found in the input node "
         "list",
         0},
    };
    for (const auto& r : rows) {
        SECTION(r.name) {
            fixture f;
            f.server->answers["/sched/filter"] = r.answer;
            auto ext = f.make(f.config());
            auto got = testing::run(f.ioc, ext->filter(f.pod, f.nodes));
            REQUIRE_FALSE(got.has_value());
            const std::string url = f.server->url("/sched");
            std::string want = r.message;
            if (const auto at = want.find("{url}"); at != std::string::npos) {
                want.replace(at, 5, url);
            }
            if (want.empty()) {
                CHECK_THAT(got.error().message,
                           Catch::StartsWith(fmt::format("extender {}/: filter result: ", url)));
            } else {
                CHECK(got.error().message == want);
            }
            CHECK(got.error().http_status == r.http_status);
        }
    }
}

TEST_CASE("extender.filter_timeout") {
    fixture f;
    f.server->answers["/sched/filter"] = canned{200, "", true};
    auto c = f.config();
    c.http_timeout = 200ms;
    auto ext = f.make(c);
    CHECK(ext->timeout() == 200ms);
    const auto start = std::chrono::steady_clock::now();
    auto got = testing::run(f.ioc, ext->filter(f.pod, f.nodes), 10s);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    REQUIRE_FALSE(got.has_value());
    CHECK(got.error().code == beast::error::timeout);
    CHECK_THAT(got.error().message, Catch::Contains("deadline 200ms"));
    CHECK_THAT(got.error().message, Catch::StartsWith("extender " + f.server->url() + ": filter:"));
    CHECK(elapsed >= 150ms);
    CHECK(elapsed < 5s);
}

TEST_CASE("extender.verbs_not_configured") {
    fixture f;
    config::extender_config c;
    c.url_prefix = f.server->url();
    auto ext = f.make(c);
    CHECK_FALSE(ext->is_filter());
    CHECK_FALSE(ext->is_prioritizer());
    CHECK_FALSE(ext->is_binder());
    CHECK_FALSE(ext->supports_preemption());
    CHECK(ext->timeout() == config::kDefaultExtenderHttpTimeout);
    auto filtered = testing::run(f.ioc, ext->filter(f.pod, f.nodes));
    REQUIRE(filtered.has_value());
    CHECK(filtered->feasible == std::vector<std::string>{"n1", "n2"});
    auto scored = testing::run(f.ioc, ext->prioritize(f.pod, f.nodes));
    REQUIRE(scored.has_value());
    CHECK(scored->scores == host_priority_list{{"n1", 0}, {"n2", 0}});
    CHECK(scored->weight == 0);
    auto bound = testing::run(f.ioc, ext->bind(f.pod, "n1"));
    REQUIRE_FALSE(bound.has_value());
    CHECK(bound.error().message == "unexpected empty bindVerb in extender");
    auto preempted = testing::run(f.ioc, ext->process_preemption(f.pod, {}, nullptr));
    REQUIRE_FALSE(preempted.has_value());
    CHECK(preempted.error().message ==
          fmt::format("preempt verb is not defined for extender {} but run into "
                      "ProcessPreemption",
                      f.server->url()));
    CHECK(f.server->targets.empty());
}

TEST_CASE("extender.prioritize") {
    fixture f;
    f.answer("/sched/prioritize", R"([{"Host":"n1","Score":4},{"host":"n2","score":10}])");
    auto ext = f.make(f.config());
    CHECK(ext->weight() == 3);
    auto got = testing::run(f.ioc, ext->prioritize(f.pod, f.nodes));
    REQUIRE(got.has_value());
    CHECK(got->scores == host_priority_list{{"n1", 4}, {"n2", 10}});
    CHECK(got->weight == 3);
    const std::vector<prioritize_outcome> answers = {*got};
    const auto totals = combine_extender_scores(answers);
    CHECK(totals.at("n1") == 120);
    CHECK(totals.at("n2") == 300);
    CHECK(f.server->bodies.at(0) == encode_extender_args(*f.pod, f.nodes, false));

    f.answer("/sched/prioritize", R"({"n1":4})");
    auto bad = testing::run(f.ioc, ext->prioritize(f.pod, f.nodes));
    REQUIRE_FALSE(bad.has_value());
    CHECK_THAT(bad.error().message, Catch::EndsWith("prioritize result: expected an array, got "
                                                    "object"));
}

TEST_CASE("extender.bind") {
    fixture f;
    auto ext = f.make(f.config());
    f.answer("/sched/bind", R"({"Error":""})");
    auto ok = testing::run(f.ioc, ext->bind(f.pod, "n2"));
    CHECK(ok.has_value());
    CHECK(f.server->bodies.at(0) ==
          R"({"PodName":"p","PodNamespace":"default","PodUID":"pu","Node":"n2"})");
    f.answer("/sched/bind", R"({"error":"node n2 is full"})");
    auto refused = testing::run(f.ioc, ext->bind(f.pod, "n2"));
    REQUIRE_FALSE(refused.has_value());
    CHECK(refused.error().message == "node n2 is full");
    f.answer("/sched/bind", "", 503);
    auto down = testing::run(f.ioc, ext->bind(f.pod, "n2"));
    REQUIRE_FALSE(down.has_value());
    CHECK(down.error().http_status == 503);
    CHECK(f.server->targets == std::vector<std::string>(3, "/sched/bind"));
}

TEST_CASE("extender.process_preemption") {
    fixture f;
    const auto a = testing::make_pod().name("a").ns("d").uid("ua").obj();
    const auto b = testing::make_pod().name("b").ns("d").uid("ub").obj();
    const framework::node_info n1 =
        testing::make_node_info(testing::make_node().name("n1").obj(), {a, b});
    const node_lookup lookup = [&n1](std::string_view name) -> const framework::node_info* {
        return name == "n1" ? &n1 : nullptr;
    };
    victims_map candidates;
    candidates["n1"].pods = {n1.pods()[0], n1.pods()[1]};
    candidates["n2"].pods = {testing::make_pod().name("c").ns("d").uid("uc").info()};

    f.answer("/sched/preempt",
             R"({"NodeNameToMetaVictims":{"n1":{"Pods":[{"UID":"ub"}],"NumPDBViolations":1}}})");
    auto c = f.config();
    c.node_cache_capable = true;
    auto ext = f.make(c);
    auto got = testing::run(f.ioc, ext->process_preemption(f.pod, candidates, lookup));
    REQUIRE(got.has_value());
    REQUIRE(got->size() == 1);
    REQUIRE(got->at("n1").pods.size() == 1);
    CHECK(got->at("n1").pods[0]->pod->meta.name == "b");
    CHECK(got->at("n1").num_pdb_violations == 1);
    CHECK(f.server->bodies.at(0) == encode_preemption_args(*f.pod, candidates, true));

    f.answer("/sched/preempt", R"({"NodeNameToMetaVictims":{"n2":{"Pods":[{"UID":"uc"}]}}})");
    auto unknown = testing::run(f.ioc, ext->process_preemption(f.pod, candidates, lookup));
    REQUIRE_FALSE(unknown.has_value());
    CHECK_THAT(unknown.error().message, Catch::EndsWith("nodeinfo not found for node name \"n2\""));
}

TEST_CASE("extender.https_with_ca_data") {
    fixture f;
    const auto ca = testing::make_test_ca();
    const auto cert = testing::issue_cert(ca, "extender", testing::cert_usage::server,
                                          "DNS:extender.example,IP:127.0.0.1");
    auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
    ctx->use_certificate_chain(asio::buffer(cert.cert_pem));
    ctx->use_private_key(asio::buffer(cert.key_pem), ssl::context::pem);
    f.server = f.start(ctx);
    f.answer("/sched/filter", R"({"NodeNames":["n1"],"Nodes":{"items":[]}})");
    auto c = f.config();
    c.enable_https = true;
    c.tls_config = config::extender_tls_config{};
    c.tls_config->ca_data = ca.pem.cert_pem;
    c.tls_config->server_name = "extender.example";
    auto ext = f.make(c);
    auto got = testing::run(f.ioc, ext->filter(f.pod, f.nodes));
    REQUIRE(got.has_value());
    CHECK(got->feasible.empty());  // not nodeCacheCapable: Nodes counts, NodeNames does not

    c.tls_config->server_name = "other.example";
    auto wrong_name = f.make(c);
    auto refused = testing::run(f.ioc, wrong_name->filter(f.pod, f.nodes));
    REQUIRE_FALSE(refused.has_value());
    CHECK_THAT(refused.error().message, Catch::Contains("handshake"));
}

TEST_CASE("extender.rest_config") {
    const auto dir =
        std::filesystem::temp_directory_path() /
        fmt::format("ms_extender_{}", std::chrono::steady_clock::now().time_since_epoch().count());
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "ca.pem") << "CA FROM FILE";
    std::ofstream(dir / "cert.pem") << "CERT FROM FILE";

    config::extender_config c;
    c.url_prefix = "https://ext.example:8443/api/sched/";
    auto plain = extender_rest_config(c);
    REQUIRE(plain.has_value());
    CHECK(plain->scheme == "https");
    CHECK(plain->host == "ext.example");
    CHECK(plain->port == "8443");
    CHECK(plain->base_path == "/api/sched");
    CHECK_FALSE(plain->insecure_skip_tls_verify);  // system trust store

    c.enable_https = true;
    auto no_ca = extender_rest_config(c);
    REQUIRE(no_ca.has_value());
    CHECK(no_ca->insecure_skip_tls_verify);  // upstream: HTTPS without a CA skips verification

    c.tls_config = config::extender_tls_config{};
    c.tls_config->ca_file = (dir / "ca.pem").string();
    c.tls_config->cert_file = (dir / "cert.pem").string();
    c.tls_config->key_data = "KEY DATA";
    c.tls_config->server_name = "sni.example";
    auto files = extender_rest_config(c);
    REQUIRE(files.has_value());
    CHECK_FALSE(files->insecure_skip_tls_verify);
    CHECK(files->ca_pem == "CA FROM FILE");
    CHECK(files->client_cert_pem == "CERT FROM FILE");
    CHECK(files->client_key_pem == "KEY DATA");
    CHECK(files->tls_server_name == "sni.example");

    c.tls_config->ca_data = "CA DATA";  // data wins over the file
    CHECK(extender_rest_config(c)->ca_pem == "CA DATA");

    c.tls_config->insecure = true;
    auto both = extender_rest_config(c);
    REQUIRE_FALSE(both.has_value());
    CHECK_THAT(both.error().message, Catch::Contains("insecure flag is not allowed"));

    c.tls_config->insecure = false;
    c.tls_config->ca_data.clear();
    c.tls_config->ca_file = (dir / "missing.pem").string();
    auto missing = extender_rest_config(c);
    REQUIRE_FALSE(missing.has_value());
    CHECK_THAT(missing.error().message,
               Catch::StartsWith("extender https://ext.example:8443/api/sched/: tlsConfig.caFile: "
                                 "cannot read"));

    for (const char* bad : {"ext.example:8443", "ftp://ext.example", ""}) {
        c.url_prefix = bad;
        auto r = extender_rest_config(c);
        REQUIRE_FALSE(r.has_value());
        CHECK_THAT(r.error().message, Catch::Contains("urlPrefix"));
    }
    std::filesystem::remove_all(dir);
}

TEST_CASE("extender.is_interested") {
    auto with_resources = [](std::vector<std::string> names) {
        config::extender_config c;
        c.url_prefix = "http://127.0.0.1:1";
        for (auto& n : names) {
            config::extender_managed_resource r;
            r.name = std::move(n);
            c.managed_resources.push_back(std::move(r));
        }
        return http_extender(c, nullptr);
    };
    const http_extender all = with_resources({});
    const http_extender gpu = with_resources({"example.com/gpu", "example.com/fpga"});
    struct row {
        const char* name;
        api::pod pod;
        bool all;
        bool gpu;
    };
    const std::vector<row> rows = {
        {"no containers", testing::make_pod().obj(), true, false},
        {"cpu only", testing::make_pod().req({{"cpu", "1"}}).obj(), true, false},
        {"container gpu",
         testing::make_pod().req({{"cpu", "1"}}).req({{"example.com/gpu", "1"}}).obj(), true, true},
        {"init container fpga", testing::make_pod().init_req({{"example.com/fpga", "2"}}).obj(),
         true, true},
        {"zero request still names it", testing::make_pod().req({{"example.com/gpu", "0"}}).obj(),
         true, true},
        {"other extended resource", testing::make_pod().req({{"example.com/tpu", "1"}}).obj(), true,
         false},
        {"overhead does not count", testing::make_pod().overhead({{"example.com/gpu", "1"}}).obj(),
         true, false},
    };
    for (const auto& r : rows) {
        INFO(r.name);
        CHECK(all.is_interested(r.pod) == r.all);
        CHECK(gpu.is_interested(r.pod) == r.gpu);
    }
}

}  // namespace
}  // namespace multisched::extender
