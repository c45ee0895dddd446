// SPDX-License-Identifier: Apache-2.0
#include "core/metrics/registry.hpp"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <numeric>
#include <string>

#include "core/util/check.hpp"

namespace multisched::metrics {
namespace {

// client_golang's legacy name rules: [a-zA-Z_:][a-zA-Z0-9_:]* for metrics, no ':' in labels.
bool valid_name(std::string_view s, bool allow_colon) {
    if (s.empty()) {
        return false;
    }
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        const bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
                           (allow_colon && c == ':');
        if (!alpha && !(i > 0 && c >= '0' && c <= '9')) {
            return false;
        }
    }
    return true;
}

// expfmt's escaper (HELP: backslash, newline) and quotedEscaper (label values: also '"').
void append_escaped(std::string& out, std::string_view s, bool quote) {
    for (const char c : s) {
        if (c == '\\') {
            out += "\\\\";
        } else if (c == '\n') {
            out += "\\n";
        } else if (quote && c == '"') {
            out += "\\\"";
        } else {
            out += c;
        }
    }
}

void append_help_and_type(std::string& out, std::string_view name, std::string_view help,
                          metric_type type) {
    out += "# HELP ";
    out += name;
    out += ' ';
    append_escaped(out, help, false);
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += to_string(type);
    out += '\n';
}

// One sample line: name+suffix{labels[,le="bound"]} value
void append_sample(std::string& out, std::string_view name, std::string_view suffix,
                   std::string_view labels, const double* le, double value) {
    out += name;
    out += suffix;
    if (!labels.empty() || le != nullptr) {
        out += '{';
        out += labels;
        if (le != nullptr) {
            if (!labels.empty()) {
                out += ',';
            }
            out += "le=\"";
            append_float(out, *le);
            out += '"';
        }
        out += '}';
    }
    out += ' ';
    append_float(out, value);
    out += '\n';
}

std::string full_help(const desc& d) {
    std::string help;
    if (d.level != stability::none) {
        help += '[';
        help += to_string(d.level);
        help += "] ";
    }
    if (!d.deprecated_version.empty()) {
        help += "(Deprecated since " + d.deprecated_version + ") ";
    }
    return help + d.help;
}

}  // namespace

std::string_view to_string(stability s) {
    switch (s) {
        case stability::alpha:
            return "ALPHA";
        case stability::beta:
            return "BETA";
        case stability::stable:
            return "STABLE";
        case stability::none:
            break;
    }
    return "";
}

std::string_view to_string(metric_type t) {
    switch (t) {
        case metric_type::counter:
            return "counter";
        case metric_type::gauge:
            return "gauge";
        case metric_type::histogram:
            return "histogram";
    }
    return "untyped";
}

// Go's %g with shortest precision (strconv/ftoa.go, formatDigits): eprec is 6 when the precision
// is the shortest, so exponent form is used iff exp < -4 || exp >= 6; the exponent has at least
// two digits. std::to_chars in scientific form yields the same shortest round-trip digits.
void append_float(std::string& out, double v) {
    if (v == 0) {
        out += '0';  // expfmt's writeFloat prints "0" for both +0 and -0
        return;
    }
    if (std::isnan(v)) {
        out += "NaN";
        return;
    }
    if (std::isinf(v)) {
        out += v > 0 ? "+Inf" : "-Inf";
        return;
    }
    char buf[64];
    const auto res = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
    std::string_view sci(buf, static_cast<std::size_t>(res.ptr - buf));
    const bool negative = sci.front() == '-';
    if (negative) {
        sci.remove_prefix(1);
    }
    const std::size_t e_pos = sci.find('e');
    std::string digits;
    digits += sci[0];
    if (e_pos > 1) {
        digits += sci.substr(2, e_pos - 2);  // skip "d."
    }
    int exp = 0;
    std::string_view exp_text = sci.substr(e_pos + 1);
    if (exp_text.front() == '+') {
        exp_text.remove_prefix(1);
    }
    std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exp);

    if (negative) {
        out += '-';
    }
    const int nd = static_cast<int>(digits.size());
    if (exp < -4 || exp >= 6) {
        out += digits[0];
        if (nd > 1) {
            out += '.';
            out.append(digits, 1);
        }
        out += exp < 0 ? "e-" : "e+";
        const int mag = std::abs(exp);
        if (mag < 10) {
            out += '0';
        }
        out += std::to_string(mag);
        return;
    }
    if (exp < 0) {  // 0.000ddd
        out += "0.";
        out.append(static_cast<std::size_t>(-exp - 1), '0');
        out += digits;
        return;
    }
    const int int_digits = exp + 1;  // digits before the point
    if (nd <= int_digits) {
        out += digits;
        out.append(static_cast<std::size_t>(int_digits - nd), '0');
        return;
    }
    out.append(digits, 0, static_cast<std::size_t>(int_digits));
    out += '.';
    out.append(digits, static_cast<std::size_t>(int_digits));
}

std::string format_float(double v) {
    std::string s;
    append_float(s, v);
    return s;
}

std::vector<double> exponential_buckets(double start, double factor, std::size_t count) {
    MS_CHECK(count >= 1 && start > 0 && factor > 1, "exponential_buckets: invalid arguments");
    std::vector<double> b(count);
    for (double& x : b) {
        x = start;
        start *= factor;
    }
    return b;
}

std::vector<double> linear_buckets(double start, double width, std::size_t count) {
    MS_CHECK(count >= 1, "linear_buckets: count must be positive");
    std::vector<double> b(count);
    for (double& x : b) {
        x = start;
        start += width;
    }
    return b;
}

void counter::add(double v) {
    MS_CHECK(v >= 0, "counter::add: counters cannot decrease");
    value_ += v;
    live_ = true;
}

void histogram::observe(double v) {
    const std::vector<double>& b = *bounds_;
    std::size_t i = 0;
    while (i < b.size() && !(b[i] >= v)) {
        ++i;
    }
    ++counts_[i];
    ++count_;
    sum_ += v;
    live_ = true;
}

family_base::family_base(desc d, metric_type type) : desc_(std::move(d)), type_(type) {
    MS_CHECK(valid_name(desc_.name, true), "metric: invalid metric name " + desc_.name);
    name_order_.resize(desc_.labels.size());
    std::iota(name_order_.begin(), name_order_.end(), std::size_t{0});
    std::sort(name_order_.begin(), name_order_.end(),
              [this](std::size_t a, std::size_t b) { return desc_.labels[a] < desc_.labels[b]; });
    for (std::size_t i = 0; i < desc_.labels.size(); ++i) {
        const std::string& l = desc_.labels[name_order_[i]];
        MS_CHECK(valid_name(l, false) && !l.starts_with("__"),
                 "metric " + desc_.name + ": invalid label name " + l);
        MS_CHECK(type_ != metric_type::histogram || l != "le",
                 "metric " + desc_.name + ": label le is reserved in histograms");
        MS_CHECK(i == 0 || l != desc_.labels[name_order_[i - 1]],
                 "metric " + desc_.name + ": duplicate label " + l);
    }
}

void family_base::write(std::string& out) const {
    const std::size_t start = out.size();
    append_help_and_type(out, desc_.name, full_help(desc_), type_);
    if (!write_children(out)) {
        out.resize(start);  // a vector without live children is not exposed at all
    }
}

std::string family_base::render_labels(const std::vector<std::string>& key) const {
    std::string s;
    for (std::size_t i = 0; i < key.size(); ++i) {
        if (i > 0) {
            s += ',';
        }
        s += desc_.labels[name_order_[i]];
        s += "=\"";
        append_escaped(s, key[i], true);
        s += '"';
    }
    return s;
}

std::vector<std::string> family_base::make_key(std::span<const std::string_view> values) const {
    MS_CHECK(values.size() == desc_.labels.size(),
             "metric " + desc_.name + ": expected " + std::to_string(desc_.labels.size()) +
                 " label values, got " + std::to_string(values.size()));
    std::vector<std::string> key;
    key.reserve(values.size());
    for (const std::size_t declared : name_order_) {
        key.emplace_back(values[declared]);
    }
    return key;
}

template <class Child>
family<Child>::family(desc d, metric_type type, std::vector<double> bounds)
    : family_base(std::move(d), type), bounds_(std::move(bounds)) {
    if (desc_.labels.empty()) {
        with({});
    }
}

template <class Child>
Child& family<Child>::with(std::span<const std::string_view> values) {
    auto key = make_key(values);
    auto it = children_.find(key);
    if (it == children_.end()) {
        if constexpr (std::is_same_v<Child, histogram>) {
            it = children_.try_emplace(std::move(key), &bounds_).first;
        } else {
            it = children_.try_emplace(std::move(key)).first;
        }
    }
    it->second.live_ = true;  // as upstream With(): asking for a child makes it exist
    return it->second;
}

template <class Child>
Child& family<Child>::with(std::initializer_list<std::string_view> values) {
    return with(std::span<const std::string_view>(values.begin(), values.size()));
}

template <class Child>
Child& family<Child>::with(const std::vector<std::string>& values) {
    std::vector<std::string_view> views(values.begin(), values.end());
    return with(std::span<const std::string_view>(views));
}

template <class Child>
void family<Child>::reset() {
    const bool hide = !desc_.labels.empty();
    for (auto& [key, child] : children_) {
        if constexpr (std::is_same_v<Child, histogram>) {
            std::fill(child.counts_.begin(), child.counts_.end(), 0);
            child.sum_ = 0;
            child.count_ = 0;
        } else {
            child.value_ = 0;
        }
        child.live_ = !hide;
    }
}

template <class Child>
bool family<Child>::write_children(std::string& out) const {
    bool any = false;
    for (const auto& [key, child] : children_) {
        if (!child.live_) {
            continue;
        }
        any = true;
        const std::string labels = render_labels(key);
        if constexpr (std::is_same_v<Child, histogram>) {
            // expfmt prints bucket and _count values through writeFloat too (1e+06 and all).
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i < bounds_.size(); ++i) {
                cumulative += child.counts_[i];
                append_sample(out, desc_.name, "_bucket", labels, &bounds_[i],
                              static_cast<double>(cumulative));
            }
            const double inf = HUGE_VAL;
            append_sample(out, desc_.name, "_bucket", labels, &inf,
                          static_cast<double>(child.count_));
            append_sample(out, desc_.name, "_sum", labels, nullptr, child.sum_);
            append_sample(out, desc_.name, "_count", labels, nullptr,
                          static_cast<double>(child.count_));
        } else {
            append_sample(out, desc_.name, "", labels, nullptr, child.value_);
        }
    }
    return any;
}

template class family<counter>;
template class family<gauge>;
template class family<histogram>;

template <class Child>
family<Child>& registry::add(desc d, metric_type type, std::vector<double> bounds) {
    const std::string name = d.name;
    MS_CHECK(!families_.contains(name), "metrics: duplicate metric " + name);
    auto f = std::make_unique<family<Child>>(std::move(d), type, std::move(bounds));
    family<Child>& ref = *f;
    families_.emplace(name, std::move(f));
    return ref;
}

family<counter>& registry::add_counter(desc d) {
    return add<counter>(std::move(d), metric_type::counter, {});
}

family<gauge>& registry::add_gauge(desc d) {
    return add<gauge>(std::move(d), metric_type::gauge, {});
}

family<histogram>& registry::add_histogram(desc d, std::vector<double> bounds) {
    MS_CHECK(!bounds.empty(), "metrics: histogram " + d.name + " has no buckets");
    for (std::size_t i = 1; i < bounds.size(); ++i) {
        MS_CHECK(bounds[i - 1] < bounds[i],
                 "metrics: histogram " + d.name + " buckets not strictly increasing");
    }
    MS_CHECK(!std::isinf(bounds.back()), "metrics: histogram " + d.name + " has a +Inf bound");
    return add<histogram>(std::move(d), metric_type::histogram, std::move(bounds));
}

void registry::add_collector(collector c) {
    collectors_.push_back(std::move(c));
}

void registry::disable(std::string_view name) {
    disabled_.emplace_back(name);
}

const family_base* registry::find(std::string_view name) const {
    const auto it = families_.find(name);
    return it == families_.end() ? nullptr : it->second.get();
}

std::string registry::expose() const {
    std::string out;
    expose_to(out);
    return out;
}

void registry::expose_to(std::string& out) const {
    std::vector<collected_value> collected;
    for (const collector& c : collectors_) {
        c(collected);
    }
    std::sort(collected.begin(), collected.end(),
              [](const collected_value& a, const collected_value& b) { return a.name < b.name; });
    const auto is_disabled = [this](std::string_view n) {
        return std::find(disabled_.begin(), disabled_.end(), n) != disabled_.end();
    };
    // Merge the two name-sorted sequences; a collected name equal to a family's is a bug.
    auto next = collected.begin();
    const auto write_collected_before = [&](const std::string* limit) {
        for (; next != collected.end() && (limit == nullptr || next->name < *limit); ++next) {
            if (!is_disabled(next->name)) {
                append_help_and_type(out, next->name, next->help, next->type);
                append_sample(out, next->name, "", "", nullptr, next->value);
            }
        }
        MS_CHECK(limit == nullptr || next == collected.end() || next->name != *limit,
                 "metrics: collector duplicates metric " + *limit);
    };
    for (const auto& [name, fam] : families_) {
        write_collected_before(&name);
        if (!is_disabled(name)) {
            fam->write(out);
        }
    }
    write_collected_before(nullptr);
}

void registry::reset() {
    for (auto& [name, fam] : families_) {
        if (fam->description().resettable) {
            fam->reset();
        }
    }
}

desc make_desc(std::string name, std::string help, stability level,
               std::vector<std::string> labels) {
    desc d;
    d.name = std::move(name);
    d.help = std::move(help);
    d.level = level;
    d.labels = std::move(labels);
    return d;
}

}  // namespace multisched::metrics
