// SPDX-License-Identifier: Apache-2.0
#include "core/snapshot/yaml_json.hpp"

#include <cmath>
#include <cstdlib>

#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include "core/config/yaml_scalar.hpp"

namespace multisched::snapshot::detail {
namespace {

namespace ys = config::yaml_scalar;

class yaml_writer {
  public:
    // Writes `n`; false (with error()) at the first node that has no JSON form.
    bool write(const YAML::Node& n, int depth) {
        if (depth > kMaxDepth) {
            return fail(n, fmt::format("nested deeper than {} levels", kMaxDepth));
        }
        if (!n.IsDefined() || n.IsNull()) {
            out_.null();
            return true;
        }
        if (n.IsMap()) {
            return write_map(n, depth);
        }
        if (n.IsSequence()) {
            out_.begin_array();
            for (const auto& item : n) {
                if (!write(item, depth + 1)) {
                    return false;
                }
            }
            out_.end_array();
            return true;
        }
        write_scalar(n);
        return true;
    }

    const std::string& error() const { return error_; }
    std::string text() const { return out_.str(); }

  private:
    bool write_map(const YAML::Node& n, int depth) {
        out_.begin_object();
        for (const auto& kv : n) {
            if (!kv.first.IsScalar() && !kv.first.IsNull()) {
                return fail(kv.first, "a mapping key must be a scalar");
            }
            out_.key(kv.first.IsScalar() ? kv.first.Scalar() : std::string());
            if (!write(kv.second, depth + 1)) {
                return false;
            }
        }
        out_.end_object();
        return true;
    }

    void write_scalar(const YAML::Node& n) {
        const ys::scalar_value v = ys::resolve(n);
        switch (v.kind) {
            case ys::scalar_kind::null:
                out_.null();
                return;
            case ys::scalar_kind::boolean:
                out_.boolean(v.bool_value);
                return;
            case ys::scalar_kind::integer:
                if (v.int_overflow) {
                    out_.string(n.Scalar());
                } else {
                    out_.integer(v.int_value);
                }
                return;
            case ys::scalar_kind::floating:
                if (std::isfinite(v.float_value)) {
                    out_.number(v.float_value);
                } else {
                    out_.string(n.Scalar());
                }
                return;
            case ys::scalar_kind::string:
                out_.string(n.Scalar());
                return;
        }
    }

    bool fail(const YAML::Node& at, std::string_view what) {
        const YAML::Mark m = at.Mark();
        error_ = m.is_null()
                     ? std::string(what)
                     : fmt::format("line {}, column {}: {}", m.line + 1, m.column + 1, what);
        return false;
    }

    json::writer out_;
    std::string error_;
};

void copy_value(json::value v, json::writer& out);

void copy_object(json::value v, json::writer& out, const meta_defaults* defaults) {
    out.begin_object();
    v.for_each_member([&](std::string_view key, json::value member) {
        if (defaults != nullptr && ((key == "uid" && !defaults->uid.empty()) ||
                                    (key == "namespace" && !defaults->ns.empty()))) {
            return;  // replaced below
        }
        out.key(key);
        copy_value(member, out);
    });
    if (defaults != nullptr && !defaults->uid.empty()) {
        out.field("uid", defaults->uid);
    }
    if (defaults != nullptr && !defaults->ns.empty()) {
        out.field("namespace", defaults->ns);
    }
    out.end_object();
}

void copy_value(json::value v, json::writer& out) {
    if (v.is_object()) {
        copy_object(v, out, nullptr);
    } else if (v.is_array()) {
        out.begin_array();
        v.for_each_item([&](json::value item) { copy_value(item, out); });
        out.end_array();
    } else if (v.is_string()) {
        out.string(v.as_string());
    } else if (v.is_bool()) {
        out.boolean(v.as_bool());
    } else if (const auto i = v.as_int()) {
        out.integer(*i);
    } else if (v.is_number()) {
        out.number(std::strtod(v.dump().c_str(), nullptr));
    } else {
        out.null();
    }
}

}  // namespace

result<std::string> yaml_to_json(const YAML::Node& node) {
    yaml_writer w;
    if (!w.write(node, 0)) {
        return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                     w.error()};
    }
    return w.text();
}

std::string with_meta_defaults(json::value obj, const meta_defaults& defaults) {
    json::writer out;
    out.begin_object();
    obj.for_each_member([&](std::string_view key, json::value member) {
        out.key(key);
        if (key == "metadata" && member.is_object()) {
            copy_object(member, out, &defaults);
        } else {
            copy_value(member, out);
        }
    });
    out.end_object();
    return out.str();
}

}  // namespace multisched::snapshot::detail
