// SPDX-License-Identifier: Apache-2.0
// profile_routing: loading and validating the rules file, reloads that keep the rules in force
// on a broken edit, the check a configuration reload makes, and the /mutate-pods answer.
#include "profiles/routing.hpp"

#include <filesystem>
#include <fstream>
#include <stdlib.h>

#include <catch2/catch.hpp>

#include "core/json/json.hpp"

namespace multisched::profiles {
namespace {

namespace fs = std::filesystem;

const std::string kHeader = "apiVersion: multisched.io/v1alpha1\nkind: ProfileRouting\n";
const std::string kBatchRule =
    "rules:\n- name: batch\n  schedulerName: batch\n  match: {podSelector: {matchLabels: "
    "{tier: batch}}}\n";

class rules_file {
  public:
    rules_file() {
        std::string tmpl = (fs::temp_directory_path() / "routing_XXXXXX").string();
        dir_ = mkdtemp(tmpl.data());
        path_ = (fs::path(dir_) / "routing.yaml").string();
    }
    ~rules_file() { fs::remove_all(dir_); }
    void write(const std::string& text) const { std::ofstream(path_) << text; }
    const std::string& path() const { return path_; }

  private:
    std::string dir_;
    std::string path_;
};

server::request admission_request(const std::string& labels) {
    server::request req;
    req.message.method(boost::beast::http::verb::post);
    req.message.body() =
        R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{"uid":"u1",)"
        R"("kind":{"group":"","version":"v1","kind":"Pod"},)"
        R"("resource":{"group":"","version":"v1","resource":"pods"},"namespace":"ml",)"
        R"("operation":"CREATE","object":{"apiVersion":"v1","kind":"Pod","metadata":{"labels":)" +
        labels + R"(},"spec":{"containers":[{"name":"c"}]}}}})";
    return req;
}

bool patched(const server::response& res) {
    auto doc = json::document::parse(res.body);
    REQUIRE(doc.has_value());
    return !doc->root()["response"]["patch"].absent();
}

TEST_CASE("routing.load_and_validate") {
    struct test_case {
        std::string name;
        std::string text;
        std::string want_error;  // substring; empty: loads
    };
    const std::vector<test_case> cases{
        {"a rule to a served profile", kHeader + kBatchRule, ""},
        {"no rules", kHeader, ""},
        {"a profile not served", kHeader + "rules:\n- name: x\n  schedulerName: gang\n",
         "rules[0].schedulerName: Unsupported value: \"gang\""},
        {"an unknown field", kHeader + "rulez: []\n", "unknown field \"rulez\""},
        {"not YAML", "rules: [\n", "routing.yaml:"},
    };
    for (const auto& tc : cases) {
        INFO(tc.name);
        rules_file f;
        f.write(tc.text);
        auto r = profile_routing::load(f.path(), [] {
            return std::set<std::string>{"default-scheduler", "batch"};
        });
        if (tc.want_error.empty()) {
            CHECK(r.has_value());
        } else {
            REQUIRE_FALSE(r.has_value());
            CHECK_THAT(r.error().message, Catch::Contains(tc.want_error));
        }
    }
    // A missing file names the flag.
    auto missing =
        profile_routing::load("/nonexistent/routing.yaml", [] { return std::set<std::string>{}; });
    REQUIRE_FALSE(missing.has_value());
    CHECK_THAT(missing.error().message, Catch::StartsWith("--routing-config: "));
}

TEST_CASE("routing.reload_keeps_rules_on_a_broken_edit") {
    rules_file f;
    f.write(kHeader + kBatchRule);
    std::set<std::string> served{"default-scheduler", "batch", "etl"};
    auto loaded = profile_routing::load(f.path(), [&] { return served; });
    REQUIRE(loaded.has_value());
    auto& r = **loaded;
    CHECK(patched(r.serve(admission_request(R"({"tier":"batch"})"), {})));
    CHECK_FALSE(patched(r.serve(admission_request(R"({"tier":"etl"})"), {})));

    // Unchanged bytes: nothing to do.
    auto same = r.reload_if_changed();
    REQUIRE(same.has_value());
    CHECK_FALSE(*same);
    // A broken edit and an edit naming a profile not served: errors, the batch rule stays.
    for (const std::string& bad :
         {kHeader + "rules: [\n", kHeader + "rules:\n- name: x\n  schedulerName: nope\n"}) {
        f.write(bad);
        CHECK_FALSE(r.reload_if_changed().has_value());
        CHECK(patched(r.serve(admission_request(R"({"tier":"batch"})"), {})));
    }
    // A good edit takes effect.
    f.write(kHeader + kBatchRule +
            "- name: etl\n  schedulerName: etl\n  match: {podSelector: {matchLabels: "
            "{tier: etl}}}\n");
    auto good = r.reload_if_changed();
    REQUIRE(good.has_value());
    CHECK(*good);
    CHECK(patched(r.serve(admission_request(R"({"tier":"etl"})"), {})));

    // A configuration that drops a profile the rules name is refused.
    CHECK(r.check_served({"default-scheduler", "batch", "etl"}).has_value());
    auto dropped = r.check_served({"default-scheduler", "batch"});
    REQUIRE_FALSE(dropped.has_value());
    CHECK_THAT(dropped.error().message, Catch::Contains("\"etl\""));
}

TEST_CASE("routing.serve_malformed") {
    rules_file f;
    f.write(kHeader + kBatchRule);
    auto r = profile_routing::load(f.path(), [] {
        return std::set<std::string>{"default-scheduler", "batch"};
    });
    REQUIRE(r.has_value());
    server::request req;
    req.message.method(boost::beast::http::verb::post);
    req.message.body() = "{not json";
    const auto res = (*r)->serve(req, {});
    CHECK(res.status == 400);
    CHECK_FALSE(res.body.empty());
}

}  // namespace
}  // namespace multisched::profiles
