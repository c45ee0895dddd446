// SPDX-License-Identifier: Apache-2.0
// Strict decoding of KubeSchedulerConfiguration YAML/JSON, as upstream's strict codec: unknown
// fields, duplicate keys and wrongly typed values are errors, and all of them are reported at once.
// Plain scalars are typed as go-yaml v2 (YAML 1.1) resolves them, so `schedulerName: 123` or
// `parallelism: "16"` fail as they do in kube-scheduler.
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <functional>

#include <fmt/format.h>

#include "core/config/config.hpp"
#include "core/config/extenders.hpp"
#include "core/config/field_reader.hpp"
#include "core/config/yaml_scalar.hpp"

namespace multisched::config {
namespace {

using namespace yaml_scalar;

// Decodes one document into a scheduler_config, collecting every error.
class decoder : private field_reader {
  public:
    decoder(scheduler_config& cfg, std::vector<field_error>& errors)
        : field_reader(cfg.origins, errors), cfg_(cfg) {}

    void decode_root(const YAML::Node& root);

  private:
    void decode_client_connection(const YAML::Node& n, const std::string& path);
    void decode_leader_election(const YAML::Node& n, const std::string& path);
    void decode_profile(const YAML::Node& n, const std::string& path, profile_config& out);
    void decode_plugins(const YAML::Node& n, const std::string& path, plugins& out);
    void decode_plugin_set(const YAML::Node& n, const std::string& path, plugin_set& out);
    void decode_plugin_list(const YAML::Node& n, const std::string& path, bool with_weight,
                            std::vector<plugin>& out);

    scheduler_config& cfg_;
};

void decoder::decode_root(const YAML::Node& root) {
    const bool v1beta2 = cfg_.api_version == kApiVersionV1beta2;
    bool contention_set = false;
    fields(root, "", [&](std::string_view key, const YAML::Node& v, const std::string& path) {
        if (key == "apiVersion" || key == "kind") {
            return true;  // checked before decoding
        }
        if (key == "parallelism") {
            set_int32(v, path, cfg_.parallelism);
        } else if (key == "leaderElection") {
            decode_leader_election(v, path);
        } else if (key == "clientConnection") {
            decode_client_connection(v, path);
        } else if (key == "enableProfiling") {
            set(bool_value(v, path), cfg_.enable_profiling);
        } else if (key == "enableContentionProfiling") {
            const auto b = bool_value(v, path);
            contention_set = b.has_value();
            set(b, cfg_.enable_contention_profiling);
        } else if (key == "percentageOfNodesToScore") {
            set_opt_int32(v, path, cfg_.percentage_of_nodes_to_score);
        } else if (key == "podInitialBackoffSeconds") {
            set_int64(v, path, cfg_.pod_initial_backoff_seconds);
        } else if (key == "podMaxBackoffSeconds") {
            set_int64(v, path, cfg_.pod_max_backoff_seconds);
        } else if (key == "profiles") {
            // An absent key gets upstream's one default profile; an explicitly empty list is
            // almost always a broken edit, so multisched refuses it instead of guessing.
            if (v.IsSequence() && v.size() == 0) {
                fail(v, path,
                     "Required value: at least one profile is required (remove the key for the "
                     "default profile)");
            }
            items(v, path, "list", [&](std::size_t, const YAML::Node& item, const std::string& p) {
                cfg_.profiles.emplace_back();
                decode_profile(item, p, cfg_.profiles.back());
            });
        } else if (key == "extenders") {
            decode_extenders(*this, v, path, cfg_.extenders);
        } else if (key == "delayCacheUntilActive") {
            set(bool_value(v, path), cfg_.delay_cache_until_active);
        } else if (v1beta2 && (key == "healthzBindAddress" || key == "metricsBindAddress")) {
            // v1beta2 only; removed in v1beta3. multisched serves on --bind-address/--secure-port.
            if (const auto s = string_value(v, path); s && !s->empty()) {
                fail(v, path,
                     fmt::format("Invalid value: \"{}\": must be empty (insecure serving was "
                                 "removed; use --bind-address and --secure-port)",
                                 *s));
            }
        } else {
            return false;
        }
        return true;
    });
    // SetDefaults: contention profiling defaults to true only when profiling is enabled.
    if (!contention_set && !cfg_.enable_profiling) {
        cfg_.enable_contention_profiling = false;
    }
}

void decoder::decode_client_connection(const YAML::Node& n, const std::string& path) {
    auto& cc = cfg_.client_connection;
    fields(n, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
        if (key == "kubeconfig") {
            set(string_value(v, p), cc.kubeconfig);
        } else if (key == "acceptContentTypes") {
            set(string_value(v, p), cc.accept_content_types);
        } else if (key == "contentType") {
            set(string_value(v, p), cc.content_type);
        } else if (key == "qps") {
            if (const auto f = float_value(v, p)) {
                cc.qps = static_cast<float>(*f);
            }
        } else if (key == "burst") {
            set_int32(v, p, cc.burst);
        } else {
            return false;
        }
        return true;
    });
}

void decoder::decode_leader_election(const YAML::Node& n, const std::string& path) {
    auto& le = cfg_.leader_election;
    fields(n, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
        if (key == "leaderElect") {
            set(bool_value(v, p), le.leader_elect);
        } else if (key == "leaseDuration") {
            set(duration_value(v, p), le.lease_duration);
        } else if (key == "renewDeadline") {
            set(duration_value(v, p), le.renew_deadline);
        } else if (key == "retryPeriod") {
            set(duration_value(v, p), le.retry_period);
        } else if (key == "resourceLock") {
            set(string_value(v, p), le.resource_lock);
        } else if (key == "resourceName") {
            set(string_value(v, p), le.resource_name);
        } else if (key == "resourceNamespace") {
            set(string_value(v, p), le.resource_namespace);
        } else {
            return false;
        }
        return true;
    });
}

void decoder::decode_profile(const YAML::Node& n, const std::string& path, profile_config& out) {
    fields(n, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
        if (key == "schedulerName") {
            const auto s = string_value(v, p);
            set(s, out.scheduler_name);
            if (!s) {
                forget_origin(p);  // null = unset, so defaulting may name the profile
            }
        } else if (key == "percentageOfNodesToScore") {
            set_opt_int32(v, p, out.percentage_of_nodes_to_score);
        } else if (key == "plugins") {
            decode_plugins(v, p, out.plugins);
        } else if (key == "pluginConfig") {
            items(v, p, "list", [&](std::size_t, const YAML::Node& item, const std::string& ip) {
                plugin_config pc;
                pc.origin = origin_of(item);
                fields(item, ip,
                       [&](std::string_view k, const YAML::Node& iv, const std::string& fp) {
                           if (k == "name") {
                               set(string_value(iv, fp), pc.name);
                           } else if (k == "args") {
                               pc.args = raw_yaml(iv);
                           } else {
                               return false;
                           }
                           return true;
                       });
                out.plugin_config.push_back(std::move(pc));
            });
        } else {
            return false;
        }
        return true;
    });
}

void decoder::decode_plugins(const YAML::Node& n, const std::string& path, plugins& out) {
    fields(n, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
        for (const auto& ep : kExtensionPoints) {
            if (ep.name == key) {
                decode_plugin_set(v, p, out.*ep.member);
                return true;
            }
        }
        return false;
    });
}

void decoder::decode_plugin_set(const YAML::Node& n, const std::string& path, plugin_set& out) {
    fields(n, path, [&](std::string_view key, const YAML::Node& v, const std::string& p) {
        if (key == "enabled") {
            decode_plugin_list(v, p, true, out.enabled);
        } else if (key == "disabled") {
            decode_plugin_list(v, p, false, out.disabled);
        } else {
            return false;
        }
        return true;
    });
}

void decoder::decode_plugin_list(const YAML::Node& n, const std::string& path, bool with_weight,
                                 std::vector<plugin>& out) {
    items(n, path, "list", [&](std::size_t, const YAML::Node& item, const std::string& ip) {
        plugin pl;
        pl.origin = origin_of(item);
        fields(item, ip, [&](std::string_view k, const YAML::Node& v, const std::string& fp) {
            if (k == "name") {
                set(string_value(v, fp), pl.name);
            } else if (k == "weight") {
                // Upstream's Plugin type has a weight in disabled lists too; it is ignored there.
                set_int32(v, fp, pl.weight);
                if (!with_weight) {
                    pl.weight = 0;
                }
            } else {
                return false;
            }
            return true;
        });
        out.push_back(std::move(pl));
    });
}

// apiVersion/kind gate; false = stop (an error was recorded).
bool check_type_meta(const YAML::Node& root, scheduler_config& cfg,
                     std::vector<field_error>& errors) {
    YAML::Node api_version;
    YAML::Node kind;
    bool has_api_version = false;
    bool has_kind = false;
    for (auto it = root.begin(); it != root.end(); ++it) {
        if (!it->first.IsScalar()) {
            continue;
        }
        if (it->first.Scalar() == "apiVersion" && !has_api_version) {
            api_version.reset(it->second);
            has_api_version = true;
        } else if (it->first.Scalar() == "kind" && !has_kind) {
            kind.reset(it->second);
            has_kind = true;
        }
    }
    if (!has_kind || !kind.IsScalar() || kind.Scalar().empty()) {
        errors.push_back(
            {origin_of(root), "kind", fmt::format("Required value: expected \"{}\"", kKind)});
        return false;
    }
    if (kind.Scalar() != kKind) {
        errors.push_back({origin_of(kind), "kind",
                          fmt::format("couldn't decode as {}, got {}", kKind, kind.Scalar())});
        return false;
    }
    if (!has_api_version || !api_version.IsScalar() || api_version.Scalar().empty()) {
        errors.push_back({origin_of(root), "apiVersion", "Required value"});
        return false;
    }
    const std::string& v = api_version.Scalar();
    if (v != kApiVersionV1 && v != kApiVersionV1beta3 && v != kApiVersionV1beta2) {
        errors.push_back({origin_of(api_version), "apiVersion",
                          fmt::format("Unsupported value: \"{}\": supported values: \"{}\", "
                                      "\"{}\", \"{}\"",
                                      v, kApiVersionV1, kApiVersionV1beta3, kApiVersionV1beta2)});
        return false;
    }
    // v1beta2/v1beta3 have the same shape for every field multisched reads (v1beta2 also has
    // healthzBindAddress/metricsBindAddress); they are decoded as v1 and defaulted with v1
    // defaults. Their older default weights only differ for plugins multisched lacks so far.
    cfg.api_version = v;
    return true;
}

error make_error(std::string_view source, const std::vector<field_error>& errors) {
    return error{std::make_error_code(std::errc::invalid_argument), format_errors(source, errors)};
}

}  // namespace

std::string format_errors(std::string_view source_name, const std::vector<field_error>& errors) {
    std::string out;
    for (const auto& e : errors) {
        if (!out.empty()) {
            out += '\n';
        }
        if (!e.origin.flag.empty()) {
            out += fmt::format("flag {}: ", e.origin.flag);
        } else if (!source_name.empty() && e.origin.line > 0) {
            out += fmt::format("{}:{}:{}: ", source_name, e.origin.line, e.origin.column);
        } else if (!source_name.empty()) {
            out += fmt::format("{}: ", source_name);
        }
        out += e.path.empty() ? e.detail : fmt::format("{}: {}", e.path, e.detail);
    }
    return out;
}

bool yaml_equal(const YAML::Node& a, const YAML::Node& b) {
    const bool a_null = !a.IsDefined() || a.IsNull();
    const bool b_null = !b.IsDefined() || b.IsNull();
    if (a_null || b_null) {
        return a_null == b_null;
    }
    if (a.Type() != b.Type()) {
        return false;
    }
    if (a.IsScalar()) {
        return a.Scalar() == b.Scalar();
    }
    if (a.size() != b.size()) {
        return false;
    }
    if (a.IsSequence()) {
        for (std::size_t i = 0; i < a.size(); ++i) {
            if (!yaml_equal(a[i], b[i])) {
                return false;
            }
        }
        return true;
    }
    for (auto ia = a.begin(); ia != a.end(); ++ia) {
        bool found = false;
        for (auto ib = b.begin(); ib != b.end(); ++ib) {
            if (yaml_equal(ia->first, ib->first)) {
                found = yaml_equal(ia->second, ib->second);
                break;
            }
        }
        if (!found) {
            return false;
        }
    }
    return true;
}

result<scheduler_config> decode_config(std::string_view yaml_text, std::string_view source_name,
                                       const args_defaulter& defaulter) {
    const std::string source(source_name);
    std::vector<field_error> errors;
    if (yaml_text.size() > kMaxConfigFileBytes) {
        errors.push_back(
            {{}, "", fmt::format("configuration is larger than {} bytes", kMaxConfigFileBytes)});
        return make_error(source, errors);
    }
    const std::string text(yaml_text);
    YAML::Node root;
    std::size_t documents = 1;
    try {
        root = YAML::Load(text);
        // Only look for a second document when a document marker follows the first line.
        if (text.find("\n---") != std::string::npos || text.find("\n...") != std::string::npos) {
            documents = count_yaml_documents(text, 2);
        }
    } catch (const YAML::Exception& e) {
        field_origin at;
        if (!e.mark.is_null()) {
            at = {e.mark.line + 1, e.mark.column + 1, {}};
        }
        errors.push_back({at, "", fmt::format("invalid YAML: {}", e.msg)});
        return make_error(source, errors);
    } catch (const std::exception& e) {
        errors.push_back({{}, "", fmt::format("invalid YAML: {}", e.what())});
        return make_error(source, errors);
    }
    if (root.IsNull()) {
        errors.push_back({{}, "", fmt::format("empty configuration: expected a {}", kKind)});
        return make_error(source, errors);
    }
    if (documents > 1) {
        errors.push_back(
            {{}, "", "multiple YAML documents: expected exactly one KubeSchedulerConfiguration"});
        return make_error(source, errors);
    }
    if (!root.IsMap()) {
        errors.push_back({origin_of(root), "",
                          fmt::format("couldn't decode as {}: expected an object, got {}", kKind,
                                      describe(root))});
        return make_error(source, errors);
    }
    scheduler_config cfg;
    cfg.source_name = source;
    try {
        if (!check_type_meta(root, cfg, errors)) {
            return make_error(source, errors);
        }
        decoder(cfg, errors).decode_root(root);
    } catch (const std::exception& e) {  // yaml-cpp accessors may throw on malformed trees
        errors.push_back({{}, "", fmt::format("couldn't decode: {}", e.what())});
    }
    if (!errors.empty()) {
        return make_error(source, errors);
    }
    set_defaults(cfg, defaulter);
    return cfg;
}

result<scheduler_config> load_config_file(const std::string& path,
                                          const args_defaulter& defaulter) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        return error{std::error_code(errno, std::generic_category()),
                     fmt::format("open {}: {}", path, std::strerror(errno))};
    }
    std::string text;
    char buf[64 * 1024];
    while (in.read(buf, sizeof(buf)) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxConfigFileBytes) {
            return error{std::make_error_code(std::errc::file_too_large),
                         fmt::format("{}: configuration is larger than {} bytes", path,
                                     kMaxConfigFileBytes)};
        }
    }
    if (in.bad()) {
        return error{std::make_error_code(std::errc::io_error), fmt::format("read {}", path)};
    }
    return decode_config(text, path, defaulter);
}

}  // namespace multisched::config
