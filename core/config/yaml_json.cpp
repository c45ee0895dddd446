// SPDX-License-Identifier: Apache-2.0
#include "core/config/yaml_json.hpp"

#include <cmath>

#include <boost/system/errc.hpp>
#include <fmt/format.h>

#include "core/config/yaml_scalar.hpp"

namespace multisched::config {
namespace {

namespace ys = yaml_scalar;

class yaml_writer {
  public:
    explicit yaml_writer(json::writer& out) : out_(out) {}

    // Writes `n`; false (with error()) at the first node that has no JSON form.
    bool write(const YAML::Node& n, int depth) {
        if (depth > kMaxYamlDepth) {
            return fail(n, fmt::format("nested deeper than {} levels", kMaxYamlDepth));
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

    json::writer& out_;
    std::string error_;
};

}  // namespace

result<void> write_yaml_as_json(const YAML::Node& node, json::writer& out) {
    yaml_writer w(out);
    if (!w.write(node, 0)) {
        return error{boost::system::errc::make_error_code(boost::system::errc::bad_message),
                     w.error()};
    }
    return {};
}

result<std::string> yaml_to_json(const YAML::Node& node) {
    json::writer out;
    if (auto written = write_yaml_as_json(node, out); !written) {
        return written.error();
    }
    return out.str();
}

}  // namespace multisched::config
