// SPDX-License-Identifier: Apache-2.0
#include "profiles/profile_set.hpp"

#include <algorithm>

#include "core/cache/default_selector.hpp"
#include "core/util/log.hpp"
#include "plugins/names.hpp"

namespace multisched::profiles {
namespace {

class profile_handle final : public framework::handle {
  public:
    profile_handle(client::api_client& client, cache::cache& cache, std::string name,
                   std::shared_ptr<plugin_runtime> runtime)
        : client_(client), cache_(cache), name_(std::move(name)), runtime_(std::move(runtime)) {}
    client::api_client& client() override { return client_; }
    const std::string& profile_name() const override { return name_; }
    std::size_t node_count() const override { return cache_.node_count(); }
    std::size_t nodes_with_image(std::string_view image) const override {
        return cache_.nodes_with_image(image);
    }
    std::span<const framework::node_info* const> all_nodes() override {
        const auto& nodes = cache_.nodes();
        return {nodes.data(), nodes.size()};
    }
    std::optional<std::span<const framework::node_info* const>> nodes_with_pod_affinity() override {
        const auto& nodes = cache_.nodes_with_pod_affinity();
        return std::span<const framework::node_info* const>(nodes.data(), nodes.size());
    }
    std::optional<std::span<const framework::node_info* const>> nodes_with_required_anti_affinity()
        override {
        const auto& nodes = cache_.nodes_with_required_anti_affinity();
        return std::span<const framework::node_info* const>(nodes.data(), nodes.size());
    }
    const api::label_map* namespace_labels(std::string_view ns) const override {
        return cache_.namespace_labels(ns);
    }
    api::label_selector default_selector(const api::pod& pod) const override {
        return cache::default_selector(cache_.objects(), pod);
    }
    const cache::cluster_objects& objects() const override { return cache_.objects(); }
    const framework::nominator& nominated() const override { return cache_.nominated(); }
    bool is_assumed(std::string_view uid) const override { return cache_.is_assumed(uid); }
    framework::framework* profile_framework() override { return framework_; }
    metrics::scheduler_metrics* metrics() override { return runtime_->metrics; }
    void activate(const std::vector<std::string>& uids) override {
        if (runtime_->activate) {
            runtime_->activate(uids);
        }
    }
    std::shared_ptr<void>* persistent_slot(std::string_view key) override {
        auto it = runtime_->persistent.find(key);
        if (it == runtime_->persistent.end()) {
            it = runtime_->persistent.emplace(std::string(key), nullptr).first;
        }
        return &it->second;
    }
    std::optional<std::uint64_t> random_seed() const override { return runtime_->random_seed; }
    void record_event(const api::pod& regarding, const api::pod* related, std::string_view type,
                      std::string_view reason, std::string_view action, std::string note) override {
        if (runtime_->record) {
            runtime_->record(regarding, related, name_, type, reason, action, std::move(note));
        }
    }
    void spawn_write(task<void> work) override {
        if (runtime_->spawn) {
            // The write may outlive a reload that retires this profile: it keeps the framework
            // (and so this handle and the plugins) alive until it is done.
            runtime_->spawn(keep_alive(framework_owner_.lock(), std::move(work)));
        } else {
            MS_LOG_WARN("profile {}: a plugin's API write was dropped before start-up", name_);
        }
    }

    void set_framework(const std::shared_ptr<framework::framework>& fw) {
        framework_ = fw.get();
        framework_owner_ = fw;
    }

  private:
    client::api_client& client_;
    cache::cache& cache_;
    std::string name_;
    std::shared_ptr<plugin_runtime> runtime_;
    framework::framework* framework_ = nullptr;
    std::weak_ptr<framework::framework> framework_owner_;

    static task<void> keep_alive([[maybe_unused]] std::shared_ptr<framework::framework> owner,
                                 task<void> work) {
        co_await std::move(work);
    }
};

bool disabled(const config::plugin_set& set, std::string_view name) {
    return std::any_of(set.disabled.begin(), set.disabled.end(),
                       [&](const auto& p) { return p.name == "*" || p.name == name; });
}

// One extension point's resolved entries: name and (Score only) weight, in execution order.
struct point_entry {
    std::string name;
    std::int32_t weight = 0;
};

// Upstream's expansion: plugins enabled at the point itself run first, then MultiPoint plugins
// that implement the point and are not disabled there. A plugin listed twice at the same point
// is an error; one re-declared at a specific point keeps that declaration (and its weight).
result<std::vector<point_entry>> expand(const config::plugins& p, const config::plugin_set& set,
                                        std::string_view point,
                                        const std::function<bool(std::string_view)>& implements) {
    std::vector<point_entry> out;
    const auto listed = [&](std::string_view name) {
        return std::any_of(out.begin(), out.end(), [&](const auto& e) { return e.name == name; });
    };
    for (const auto& e : set.enabled) {
        if (listed(e.name)) {
            return error{
                {},
                "plugin \"" + e.name + "\" already registered as \"" + std::string(point) + "\""};
        }
        out.push_back({e.name, e.weight});
    }
    for (const auto& e : p.multi_point.enabled) {
        if (!implements(e.name) || disabled(set, e.name) || listed(e.name)) {
            continue;
        }
        out.push_back({e.name, e.weight});
    }
    return out;
}

template <class Point>
Point* as(framework::plugin* p) {
    return dynamic_cast<Point*>(p);
}

// Carries an extension-point interface type into the generic lambdas below.
template <class Point>
struct point_tag {
    using type = Point;
};

}  // namespace

result<std::shared_ptr<framework::framework>> build_framework(
    const config::profile_config& profile, const framework::registry& registry,
    client::api_client& client, cache::cache& cache, std::shared_ptr<plugin_runtime> runtime,
    const std::vector<std::string>& extender_ignored_resources) {
    metrics::scheduler_metrics* const metrics = runtime ? runtime->metrics : nullptr;
    auto handle =
        std::make_shared<profile_handle>(client, cache, profile.scheduler_name, std::move(runtime));
    std::vector<std::unique_ptr<framework::plugin>> owned;
    std::map<std::string, framework::plugin*, std::less<>> by_name;

    // Instantiates `name` once, with its pluginConfig args.
    const auto instance = [&](const std::string& name) -> result<framework::plugin*> {
        if (auto it = by_name.find(name); it != by_name.end()) {
            return it->second;
        }
        const framework::plugin_factory* factory = registry.find(name);
        if (factory == nullptr) {
            return error{{}, "plugin \"" + name + "\" does not exist"};
        }
        YAML::Node args;
        for (const auto& pc : profile.plugin_config) {
            if (pc.name == name) {
                args = pc.args.node();
            }
        }
        if (name == plugins::names::kNodeResourcesFit && !extender_ignored_resources.empty()) {
            args = args.IsMap() ? YAML::Clone(args) : YAML::Node(YAML::NodeType::Map);
            for (const auto& r : extender_ignored_resources) {
                args["ignoredResources"].push_back(r);
            }
        }
        auto made = (*factory)(args, *handle);
        if (!made) {
            return error{{}, "plugin \"" + name + "\": " + made.error().message};
        }
        framework::plugin* raw = made->get();
        owned.push_back(std::move(*made));
        by_name.emplace(name, raw);
        return raw;
    };

    // MultiPoint plugins are instantiated to learn which points they implement.
    for (const auto& e : profile.plugins.multi_point.enabled) {
        if (auto r = instance(e.name); !r) {
            return r.error();
        }
    }
    const auto implements_fn = [&](auto tag) {
        using point_type = typename decltype(tag)::type;
        return [&by_name](std::string_view name) {
            auto it = by_name.find(name);
            return it != by_name.end() && dynamic_cast<point_type*>(it->second) != nullptr;
        };
    };

    framework::plugin_lists lists;
    std::string failure;
    // Resolves one point into `out`, checking every plugin implements it.
    const auto resolve = [&](const config::plugin_set& set, std::string_view point, auto tag,
                             auto&& add) -> bool {
        using point_type = typename decltype(tag)::type;
        auto entries = expand(profile.plugins, set, point, implements_fn(tag));
        if (!entries) {
            failure = entries.error().message;
            return false;
        }
        for (const auto& e : *entries) {
            auto inst = instance(e.name);
            if (!inst) {
                failure = inst.error().message;
                return false;
            }
            auto* typed = as<point_type>(*inst);
            if (typed == nullptr) {
                failure =
                    "plugin \"" + e.name + "\" does not extend " + std::string(point) + " plugin";
                return false;
            }
            add(typed, e.weight);
        }
        return true;
    };
    const auto& P = profile.plugins;
    const bool ok = resolve(P.pre_enqueue, "PreEnqueue", point_tag<framework::pre_enqueue_plugin>{},
                            [&](auto* x, auto) { lists.pre_enqueue.push_back(x); }) &&
                    resolve(P.queue_sort, "QueueSort", point_tag<framework::queue_sort_plugin>{},
                            [&](auto* x, auto) {
                                if (lists.queue_sort == nullptr) {
                                    lists.queue_sort = x;
                                } else {
                                    failure = "only one queue sort plugin can be enabled";
                                }
                            }) &&
                    resolve(P.pre_filter, "PreFilter", point_tag<framework::pre_filter_plugin>{},
                            [&](auto* x, auto) { lists.pre_filter.push_back(x); }) &&
                    resolve(P.filter, "Filter", point_tag<framework::filter_plugin>{},
                            [&](auto* x, auto) { lists.filter.push_back(x); }) &&
                    resolve(P.post_filter, "PostFilter", point_tag<framework::post_filter_plugin>{},
                            [&](auto* x, auto) { lists.post_filter.push_back(x); }) &&
                    resolve(P.pre_score, "PreScore", point_tag<framework::pre_score_plugin>{},
                            [&](auto* x, auto) { lists.pre_score.push_back(x); }) &&
                    resolve(P.score, "Score", point_tag<framework::score_plugin>{},
                            [&](auto* x, std::int32_t w) {
                                // A zero weight means "unset": upstream runs such plugins with
                                // weight 1.
                                lists.score.push_back({x, w == 0 ? 1 : w});
                            }) &&
                    resolve(P.reserve, "Reserve", point_tag<framework::reserve_plugin>{},
                            [&](auto* x, auto) { lists.reserve.push_back(x); }) &&
                    resolve(P.permit, "Permit", point_tag<framework::permit_plugin>{},
                            [&](auto* x, auto) { lists.permit.push_back(x); }) &&
                    resolve(P.pre_bind, "PreBind", point_tag<framework::pre_bind_plugin>{},
                            [&](auto* x, auto) { lists.pre_bind.push_back(x); }) &&
                    resolve(P.bind, "Bind", point_tag<framework::bind_plugin>{},
                            [&](auto* x, auto) { lists.bind.push_back(x); }) &&
                    resolve(P.post_bind, "PostBind", point_tag<framework::post_bind_plugin>{},
                            [&](auto* x, auto) { lists.post_bind.push_back(x); });
    if (!ok || !failure.empty()) {
        return error{{}, failure};
    }
    if (lists.queue_sort == nullptr) {
        return error{{}, "one queue sort plugin required for profile"};
    }
    if (lists.bind.empty()) {
        return error{{}, "at least one bind plugin is needed"};
    }
    auto fw = std::make_shared<framework::framework>(profile.scheduler_name, handle,
                                                     std::move(owned), std::move(lists),
                                                     profile.percentage_of_nodes_to_score);
    handle->set_framework(fw);
    fw->set_metrics(metrics);
    return fw;
}

result<profile_set> profile_set::build(const config::scheduler_config& cfg,
                                       const framework::registry& registry,
                                       client::api_client& client, cache::cache& cache,
                                       std::shared_ptr<plugin_runtime> runtime) {
    profile_set set;
    if (runtime) {
        set.runtime_ = std::move(runtime);
    }
    std::vector<std::string> ignored;
    for (const auto& e : cfg.extenders) {
        for (const auto& r : e.managed_resources) {
            if (r.ignored_by_scheduler) {
                ignored.push_back(r.name);
            }
        }
    }
    for (std::size_t i = 0; i < cfg.profiles.size(); ++i) {
        const auto& profile = cfg.profiles[i];
        auto fw = build_framework(profile, registry, client, cache, set.runtime_, ignored);
        if (!fw) {
            return error{{},
                         "profiles[" + std::to_string(i) + "] (" + profile.scheduler_name +
                             "): " + fw.error().message};
        }
        if (!set.by_name_.emplace(profile.scheduler_name, std::move(*fw)).second) {
            return error{{},
                         "profiles[" + std::to_string(i) + "].schedulerName: Duplicate value: \"" +
                             profile.scheduler_name + "\""};
        }
        set.names_.push_back(profile.scheduler_name);
    }
    if (set.names_.empty()) {
        return error{{}, "profiles: Required value: at least one profile is required"};
    }
    return set;
}

std::shared_ptr<framework::framework> profile_set::find(std::string_view scheduler_name) const {
    auto it = by_name_.find(scheduler_name);
    return it == by_name_.end() ? nullptr : it->second;
}

std::shared_ptr<framework::framework> profile_set::first() const {
    return names_.empty() ? nullptr : find(names_.front());
}

const framework::queue_sort_plugin* profile_set::queue_sort() const {
    const auto fw = first();
    return fw ? fw->queue_sort() : nullptr;
}

void profile_set::set_metrics(metrics::scheduler_metrics* m) {
    runtime_->metrics = m;
    for (const auto& [name, fw] : by_name_) {
        fw->set_metrics(m);
    }
}

void profile_set::adopt_waiting(const profile_set& previous) {
    for (const auto& [name, fw] : by_name_) {
        if (const auto old = previous.find(name)) {
            fw->adopt_waiting(old->shared_waiting());
        }
    }
}

}  // namespace multisched::profiles
