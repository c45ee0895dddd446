// SPDX-License-Identifier: Apache-2.0
// A small Prometheus metrics registry: counter, gauge and histogram families with fixed label
// names, one child per label-value tuple, and expose() that writes text exposition format 0.0.4
// byte for byte as prometheus/client_golang (expfmt) writes it for a component-base registry:
// families sorted by name, children sorted by label values (labels ordered by name), HELP
// prefixed with the stability level ("[STABLE] ..."), numbers as Go's FormatFloat(v,'g',-1,64).
//
// Threading: a registry and everything in it belong to the single io_context thread. Nothing is
// atomic or locked; call with(), inc(), observe(), expose() and reset() from that thread only.
// Lifetime: families and children are never removed; references returned by add_*() and
// with() stay valid until the registry is destroyed, so hot paths cache them and a later
// inc()/observe() is a plain add with no lookup.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace multisched::metrics {

// component-base's StabilityLevel; `none` is for raw collectors (process_*), printed bare.
enum class stability {
    none,
    alpha,
    beta,
    stable
};
enum class metric_type {
    counter,
    gauge,
    histogram
};

std::string_view to_string(stability s);
std::string_view to_string(metric_type t);

// What a family is. `name` is the full name (subsystem included); `labels` are in the order
// with() takes values. A deprecated family prints "(Deprecated since X) " after the stability.
struct desc {
    std::string name;
    std::string help;
    stability level = stability::alpha;
    std::vector<std::string> labels;
    std::string deprecated_version;
    // false: reset() leaves the family alone (upstream registers such metrics raw, e.g. build
    // info).
    bool resettable = true;
};

// The common case of a desc: name, help, stability and label names.
desc make_desc(std::string name, std::string help, stability level,
               std::vector<std::string> labels = {});

// Go's strconv.FormatFloat(v, 'g', -1, 64) as expfmt's writeFloat uses it: shortest round-trip
// digits, exponent form when the decimal exponent is < -4 or >= 6 ("1e-05", "1.234567e+06"),
// "+Inf", "-Inf", "NaN", and "0" for both zeros.
void append_float(std::string& out, double v);
std::string format_float(double v);

// client_golang's ExponentialBuckets / LinearBuckets: the same repeated multiplication /
// addition, so the bounds (and their printed digits) equal upstream's exactly.
std::vector<double> exponential_buckets(double start, double factor, std::size_t count);
std::vector<double> linear_buckets(double start, double width, std::size_t count);

class counter {
  public:
    void inc() {
        value_ += 1.0;
        live_ = true;
    }
    // v must be >= 0 (a negative increment is a programming error and aborts).
    void add(double v);
    double value() const { return value_; }

  private:
    template <class>
    friend class family;
    double value_ = 0;
    bool live_ = true;
};

class gauge {
  public:
    void set(double v) {
        value_ = v;
        live_ = true;
    }
    void inc() { add(1.0); }
    void dec() { add(-1.0); }
    void add(double v) {
        value_ += v;
        live_ = true;
    }
    void sub(double v) { add(-v); }
    double value() const { return value_; }

  private:
    template <class>
    friend class family;
    double value_ = 0;
    bool live_ = true;
};

// Counts observations into the family's buckets: a value v lands in the first bucket whose
// upper bound is >= v (client_golang's rule; NaN and values above the last bound only in +Inf).
class histogram {
  public:
    explicit histogram(const std::vector<double>* bounds)
        : bounds_(bounds), counts_(bounds->size() + 1, 0) {}
    void observe(double v);
    std::uint64_t count() const { return count_; }
    double sum() const { return sum_; }
    // Per-bucket (not cumulative) counts; the last entry is the +Inf bucket.
    std::span<const std::uint64_t> bucket_counts() const { return counts_; }

  private:
    template <class>
    friend class family;
    const std::vector<double>* bounds_;
    std::vector<std::uint64_t> counts_;
    double sum_ = 0;
    std::uint64_t count_ = 0;
    bool live_ = true;
};

class family_base {
  public:
    family_base(desc d, metric_type type);
    virtual ~family_base() = default;
    family_base(const family_base&) = delete;
    family_base& operator=(const family_base&) = delete;

    const desc& description() const { return desc_; }
    metric_type type() const { return type_; }
    // Appends "# HELP", "# TYPE" and the sample lines; nothing when no child is live.
    void write(std::string& out) const;
    // Zeroes every child. A labelled family's children also disappear from expose() until they
    // are next changed (upstream deletes a vector's children on reset); unlabelled stay shown.
    virtual void reset() = 0;

  protected:
    // Appends the sample lines of one child; `labels` is the rendered `a="x",b="y"` (may be "").
    virtual bool write_children(std::string& out) const = 0;
    // Renders label pairs for a key stored in name order.
    std::string render_labels(const std::vector<std::string>& key) const;
    // Maps values given in declared label order to a key in label-name order; aborts when the
    // count differs from the family's label count.
    std::vector<std::string> make_key(std::span<const std::string_view> values) const;

    desc desc_;
    metric_type type_;
    std::vector<std::size_t> name_order_;  // name_order_[i] = declared index of i-th name
};

template <class Child>
class family final : public family_base {
  public:
    family(desc d, metric_type type, std::vector<double> bounds = {});

    // The child for these label values (declared label order), created on first use. The
    // reference stays valid for the registry's lifetime. Aborts on a wrong value count.
    Child& with(std::initializer_list<std::string_view> values);
    Child& with(std::span<const std::string_view> values);
    Child& with(const std::vector<std::string>& values);
    std::size_t size() const { return children_.size(); }
    // Histogram families: the bucket upper bounds (without +Inf).
    const std::vector<double>& bounds() const { return bounds_; }

    void reset() override;

  protected:
    bool write_children(std::string& out) const override;

  private:
    std::vector<double> bounds_;
    std::map<std::vector<std::string>, Child> children_;  // key: values in label-name order
};

// A value read at exposition time by a collector (process_cpu_seconds_total, ...): unlabelled,
// printed without a stability prefix, untouched by reset(), as client_golang's raw collectors.
struct collected_value {
    std::string name;
    std::string help;
    metric_type type = metric_type::gauge;
    double value = 0;
};
using collector = std::function<void(std::vector<collected_value>& out)>;

class registry {
  public:
    registry() = default;
    registry(const registry&) = delete;
    registry& operator=(const registry&) = delete;

    // Register a family; aborts on an invalid or duplicate name, an invalid label name, or (for
    // histograms) bounds that are empty or not strictly increasing. Unlabelled families get
    // their single child at once, so they are exposed (at 0) from the start as upstream.
    family<counter>& add_counter(desc d);
    family<gauge>& add_gauge(desc d);
    family<histogram>& add_histogram(desc d, std::vector<double> bounds);
    // Called by every expose() to add values computed on the spot.
    void add_collector(collector c);
    // Families whose name is listed are not exposed (kube-scheduler's --disabled-metrics).
    void disable(std::string_view name);

    // The whole registry in text format 0.0.4 (Content-Type "text/plain; version=0.0.4;
    // charset=utf-8").
    std::string expose() const;
    void expose_to(std::string& out) const;
    // Upstream's DELETE /metrics: resets every resettable family (see family_base::reset).
    void reset();

    const family_base* find(std::string_view name) const;

  private:
    template <class Child>
    family<Child>& add(desc d, metric_type type, std::vector<double> bounds);

    std::map<std::string, std::unique_ptr<family_base>, std::less<>> families_;
    std::vector<collector> collectors_;
    std::vector<std::string> disabled_;
};

extern template class family<counter>;
extern template class family<gauge>;
extern template class family<histogram>;

}  // namespace multisched::metrics
