// SPDX-License-Identifier: Apache-2.0
// multisched_bind_flood: the raw-binding ceiling of an apiserver, run (a) of the apiserver
// benchmark (test/bench/apiserver_bench.py). No scheduler: it lists the pending pods of one
// namespace and the nodes, then POSTs one Binding per pod (pod i to node i mod N, no fit check)
// with `--concurrency` requests in flight, through the daemon's own HTTP client and client-side
// rate limiter (clientConnection qps/burst). A request that fails (transport, 429, 5xx) is
// retried up to 5 times after 100 ms; a 409 (already bound) counts as done. With --events each
// successful Binding is followed by the events.k8s.io/v1 "Scheduled" Event kube-scheduler writes
// (same fields and note), so the run is the ceiling of a scheduler that records its decisions.
//
// Prints one JSON object: {"pods":P,"bound":B,"failed":F,"events":E,"failed_events":G,
// "seconds":S}. Exit 1 on a setup error (kubeconfig, LIST), or when a pod stayed unbound or an
// event unwritten.
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <string>
#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/program_options.hpp>
#include <fmt/format.h>
#include <rapidjson/document.h>

#include "core/client/api_client.hpp"
#include "core/client/rate_limit.hpp"
#include "core/client/rest_config.hpp"
#include "core/util/task.hpp"

namespace multisched::bench {
namespace {

namespace po = boost::program_options;
namespace http = boost::beast::http;

struct options {
    std::string kubeconfig;
    std::string namespace_name = "default";
    int concurrency = 32;
    double qps = 5000;
    int burst = 5000;
    bool events = false;
};

struct pending_pod {
    std::string name;
    std::string uid;
};

struct flood_state {
    std::vector<pending_pod> pods;
    std::vector<std::string> nodes;
    std::size_t next = 0;
    std::size_t bound = 0;
    std::size_t failed = 0;
    std::size_t events = 0;
    std::size_t failed_events = 0;
};

// Every page of a paged LIST of `path`; `on_item` sees each item object.
template <class OnItem>
task<result<void>> list_all(client::api_client& api, std::string path, OnItem on_item) {
    std::string cont;
    do {
        client::http_request req;
        req.target = path + (path.find('?') == std::string::npos ? "?" : "&") + "limit=500" +
                     (cont.empty() ? "" : "&continue=" + cont);
        auto res = co_await api.send(std::move(req));
        if (!res) {
            co_return res.error();
        }
        if (res->status != 200) {
            co_return error{{}, fmt::format("GET {}: HTTP {}: {}", path, res->status, res->body)};
        }
        rapidjson::Document doc;
        doc.Parse(res->body.data(), res->body.size());
        if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("items")) {
            co_return error{{}, fmt::format("GET {}: not a list", path)};
        }
        for (const auto& item : doc["items"].GetArray()) {
            on_item(item);
        }
        cont.clear();
        if (doc.HasMember("metadata") && doc["metadata"].HasMember("continue")) {
            cont = doc["metadata"]["continue"].GetString();
        }
    } while (!cont.empty());
    co_return result<void>{};
}

std::string binding_body(const pending_pod& pod, const std::string& node) {
    return fmt::format(
        R"({{"apiVersion":"v1","kind":"Binding","metadata":{{"name":"{}","uid":"{}"}},)"
        R"("target":{{"apiVersion":"v1","kind":"Node","name":"{}"}}}})",
        pod.name, pod.uid, node);
}

// kube-scheduler's Normal "Scheduled" event about `pod`, as events.k8s.io/v1.
std::string scheduled_event(const std::string& ns, const pending_pod& pod, const std::string& node,
                            std::size_t seq) {
    // MicroTime: "2006-01-02T15:04:05.000000Z".
    const auto micros = std::chrono::duration_cast<std::chrono::microseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const std::time_t secs = micros / 1000000;
    std::tm utc{};
    gmtime_r(&secs, &utc);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &utc);
    const std::string now = fmt::format("{}.{:06d}", stamp, micros % 1000000);
    return fmt::format(
        R"({{"apiVersion":"events.k8s.io/v1","kind":"Event",)"
        R"("metadata":{{"name":"{1}.bindflood{4:x}","namespace":"{0}"}},)"
        R"("eventTime":"{3}Z","reportingController":"default-scheduler",)"
        R"("reportingInstance":"default-scheduler-bind-flood","action":"Binding",)"
        R"("reason":"Scheduled","type":"Normal",)"
        R"("regarding":{{"apiVersion":"v1","kind":"Pod","namespace":"{0}","name":"{1}","uid":"{2}"}},)"
        R"("note":"Successfully assigned {0}/{1} to {5}"}})",
        ns, pod.name, pod.uid, now, seq, node);
}

// POSTs one request, retrying transport errors, 429 and 5xx up to 5 times after 100 ms; true
// when answered with `done` or `also_done` (0: none). (No initializer_list: GCC 12 mishandles
// braced temporaries in co_await arguments.)
task<bool> post_with_retries(client::api_client& api, std::string target, std::string body,
                             unsigned done, unsigned also_done = 0) {
    auto ex = co_await asio::this_coro::executor;
    for (int attempt = 0; attempt < 6; ++attempt) {
        if (attempt > 0) {
            asio::steady_timer t(ex, std::chrono::milliseconds(100));
            co_await t.async_wait(use_task);
        }
        client::http_request req;
        req.method = http::verb::post;
        req.target = target;
        req.body = body;
        req.timeout = std::chrono::seconds(10);
        auto res = co_await api.send(std::move(req));
        if (res && (res->status == done || (also_done != 0 && res->status == also_done))) {
            co_return true;
        }
        if (res && res->status != 429 && res->status < 500) {
            co_return false;  // another 4xx: retrying would not help
        }
    }
    co_return false;
}

// One of `concurrency` workers: takes the next pod until none is left.
task<void> bind_worker(client::api_client& api, flood_state& st, std::string ns, bool events) {
    while (st.next < st.pods.size()) {
        const std::size_t i = st.next++;
        const pending_pod& pod = st.pods[i];
        const std::string& node = st.nodes[i % st.nodes.size()];
        const bool bound = co_await post_with_retries(
            api, fmt::format("/api/v1/namespaces/{}/pods/{}/binding", ns, pod.name),
            binding_body(pod, node), 201, 409);
        bound ? ++st.bound : ++st.failed;
        if (bound && events) {
            const bool recorded = co_await post_with_retries(
                api, fmt::format("/apis/events.k8s.io/v1/namespaces/{}/events", ns),
                scheduled_event(ns, pod, node, i), 201);
            recorded ? ++st.events : ++st.failed_events;
        }
    }
}

task<result<void>> flood(client::api_client& api, options o, flood_state& st, double& seconds) {
    auto listed = co_await list_all(
        api, fmt::format("/api/v1/namespaces/{}/pods?fieldSelector=spec.nodeName%3D", o.namespace_name),
        [&](const rapidjson::Value& item) {
            const auto& meta = item["metadata"];
            st.pods.push_back({meta["name"].GetString(), meta["uid"].GetString()});
        });
    if (!listed) {
        co_return listed.error();
    }
    listed = co_await list_all(api, "/api/v1/nodes", [&](const rapidjson::Value& item) {
        st.nodes.emplace_back(item["metadata"]["name"].GetString());
    });
    if (!listed) {
        co_return listed.error();
    }
    if (st.nodes.empty()) {
        co_return error{{}, "no nodes"};
    }
    auto ex = co_await asio::this_coro::executor;
    const auto start = std::chrono::steady_clock::now();
    int running = o.concurrency;
    asio::steady_timer all_done(ex, std::chrono::steady_clock::time_point::max());
    for (int w = 0; w < o.concurrency; ++w) {
        asio::co_spawn(
            ex,
            [&]() -> task<void> {
                co_await bind_worker(api, st, o.namespace_name, o.events);
                if (--running == 0) {
                    all_done.cancel();
                }
            },
            asio::detached);
    }
    co_await all_done.async_wait(use_task);
    seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    co_return result<void>{};
}

int run(const options& o) {
    auto rc = client::load_kubeconfig(o.kubeconfig);
    if (!rc) {
        std::fprintf(stderr, "multisched_bind_flood: %s\n", rc.error().message.c_str());
        return 1;
    }
    rc->user_agent = "multisched/bind-flood";
    asio::io_context ioc;
    auto inner = client::create_api_client(ioc.get_executor(), std::move(*rc));
    if (!inner) {
        std::fprintf(stderr, "multisched_bind_flood: %s\n", inner.error().message.c_str());
        return 1;
    }
    auto api = client::rate_limited(std::move(*inner), o.qps, o.burst);
    flood_state st;
    double seconds = 0;
    result<void> outcome = error{{}, "not run"};
    asio::co_spawn(
        ioc, [&]() -> task<void> { outcome = co_await flood(*api, o, st, seconds); },
        asio::detached);
    ioc.run();
    if (!outcome) {
        std::fprintf(stderr, "multisched_bind_flood: %s\n", outcome.error().message.c_str());
        return 1;
    }
    std::printf(
        "{\"pods\":%zu,\"bound\":%zu,\"failed\":%zu,\"events\":%zu,\"failed_events\":%zu,"
        "\"seconds\":%.3f}\n",
        st.pods.size(), st.bound, st.failed, st.events, st.failed_events, seconds);
    return st.failed == 0 && st.failed_events == 0 ? 0 : 1;
}

}  // namespace
}  // namespace multisched::bench

int main(int argc, char** argv) {
    namespace po = boost::program_options;
    multisched::bench::options o;
    po::options_description desc("multisched_bind_flood: Binding POSTs with no scheduler");
    desc.add_options()("help", "this text")(
        "kubeconfig", po::value(&o.kubeconfig)->required(), "kubeconfig of the binding identity")(
        "namespace", po::value(&o.namespace_name)->default_value(o.namespace_name),
        "namespace whose pending pods are bound")(
        "concurrency", po::value(&o.concurrency)->default_value(o.concurrency),
        "requests in flight")("qps", po::value(&o.qps)->default_value(o.qps),
                              "client-side rate limit (<= 0: none)")(
        "burst", po::value(&o.burst)->default_value(o.burst), "client-side burst")(
        "events", po::bool_switch(&o.events), "after each Binding, POST its Scheduled event");
    po::variables_map vm;
    try {
        po::store(po::parse_command_line(argc, argv, desc), vm);
        if (vm.count("help")) {
            std::cout << desc;
            return 0;
        }
        po::notify(vm);
    } catch (const po::error& e) {
        std::fprintf(stderr, "multisched_bind_flood: %s\n", e.what());
        return 2;
    }
    if (o.concurrency < 1) {
        std::fprintf(stderr, "multisched_bind_flood: --concurrency must be at least 1\n");
        return 2;
    }
    return multisched::bench::run(o);
}
