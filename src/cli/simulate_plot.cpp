// SPDX-License-Identifier: GPL-2.0-or-later
#include "cli/simulate_plot.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>

#include "cli/output.h"

namespace taskgov::cli {

namespace {

constexpr double kWidth = 900, kHeight = 420;
constexpr double kLeft = 70, kRight = 170, kTop = 40, kBottom = 50;  // margins; legend on the right
constexpr size_t kMaxPoints = 240;  // per line: small files
constexpr size_t kMaxBandPoints = 120;  // per band of the stacked chart (22 bands for 11 teams)

const char* const kPalette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                                "#e377c2", "#7f7f7f", "#bcbd22", "#17becf", "#393b79", "#637939"};
const char* colour(size_t i) { return kPalette[i % (sizeof(kPalette) / sizeof(kPalette[0]))]; }

std::string escape(const std::string& text) {
  std::string out;
  for (char c : text) {
    if (c == '<') out += "&lt;";
    else if (c == '>') out += "&gt;";
    else if (c == '&') out += "&amp;";
    else out += c;
  }
  return out;
}

// A plot area with linear or log10 axes, drawn in SVG.
class Plot {
 public:
  Plot(std::string title, double x0, double x1, double y0, double y1, bool log_x)
      : x0_(x0), x1_(x1), y0_(y0), y1_(y1), log_x_(log_x) {
    svg_ = fmt::format(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{}\" height=\"{}\" viewBox=\"0 0 {} {}\" "
        "font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        "<text x=\"{}\" y=\"22\" font-size=\"15\" font-weight=\"bold\">{}</text>\n",
        kWidth, kHeight, kWidth, kHeight, kLeft, escape(title));
  }

  double x(double v) const {
    double a = log_x_ ? std::log10(std::max(v, x0_)) : v, lo = log_x_ ? std::log10(x0_) : x0_,
           hi = log_x_ ? std::log10(x1_) : x1_;
    return kLeft + (a - lo) / (hi - lo) * (kWidth - kLeft - kRight);
  }
  double y(double v) const { return kHeight - kBottom - (v - y0_) / (y1_ - y0_) * (kHeight - kTop - kBottom); }

  void axes(const std::string& x_label, const std::string& y_label,
            const std::vector<std::pair<double, std::string>>& x_ticks,
            const std::vector<std::pair<double, std::string>>& y_ticks) {
    for (const auto& [v, label] : y_ticks) {
      svg_ += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
                          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"end\">{}</text>\n",
                          kLeft, y(v), kWidth - kRight, y(v), kLeft - 6, y(v) + 4, label);
    }
    for (const auto& [v, label] : x_ticks) {
      svg_ += fmt::format("<line x1=\"{:.1f}\" y1=\"{:.1f}\" x2=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#eee\"/>"
                          "<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                          x(v), kTop, x(v), kHeight - kBottom, x(v), kHeight - kBottom + 16, label);
    }
    svg_ += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"none\" stroke=\"#444\"/>\n", kLeft,
                        kTop, kWidth - kLeft - kRight, kHeight - kTop - kBottom);
    svg_ += fmt::format("<text x=\"{:.1f}\" y=\"{:.1f}\" text-anchor=\"middle\">{}</text>\n",
                        (kLeft + kWidth - kRight) / 2, kHeight - 12, escape(x_label));
    svg_ += fmt::format("<text transform=\"translate(16 {:.1f}) rotate(-90)\" text-anchor=\"middle\">{}</text>\n",
                        (kTop + kHeight - kBottom) / 2, escape(y_label));
  }

  void line(const std::vector<std::pair<double, double>>& points, const char* stroke, double width, bool dashed) {
    if (points.empty()) return;
    std::string d;
    for (const auto& [px, py] : points) d += fmt::format("{}{:.0f},{:.0f}", d.empty() ? "M" : "L", x(px), y(py));
    svg_ += fmt::format("<path d=\"{}\" fill=\"none\" stroke=\"{}\" stroke-width=\"{}\"{}/>\n", d, stroke, width,
                        dashed ? " stroke-dasharray=\"6 4\"" : "");
  }

  // The band between two series on the same x values.
  void band(const std::vector<double>& xs, const std::vector<double>& lower, const std::vector<double>& upper,
            const char* fill, double opacity) {
    if (xs.empty()) return;
    std::string d;
    for (size_t i = 0; i < xs.size(); ++i) d += fmt::format("{}{:.0f},{:.0f}", i ? "L" : "M", x(xs[i]), y(upper[i]));
    for (size_t i = xs.size(); i-- > 0;) d += fmt::format("L{:.0f},{:.0f}", x(xs[i]), y(lower[i]));
    svg_ += fmt::format("<path d=\"{} Z\" fill=\"{}\" fill-opacity=\"{}\" stroke=\"none\"/>\n", d, fill, opacity);
  }

  void legend(size_t row, const std::string& label, const char* colour_text, double opacity) {
    const double lx = kWidth - kRight + 12, ly = kTop + 6 + 17.0 * static_cast<double>(row);
    svg_ += fmt::format("<rect x=\"{:.1f}\" y=\"{:.1f}\" width=\"14\" height=\"10\" fill=\"{}\" fill-opacity=\"{}\"/>"
                        "<text x=\"{:.1f}\" y=\"{:.1f}\">{}</text>\n",
                        lx, ly, colour_text, opacity, lx + 20, ly + 10, escape(label));
  }

  std::string finish() { return svg_ + "</svg>\n"; }

 private:
  double x0_, x1_, y0_, y1_;
  bool log_x_;
  std::string svg_;
};

// Buckets merged so that a series has at most kMaxPoints points (means of the merged ones).
std::vector<double> coarsen(const std::vector<double>& series, size_t factor) {
  std::vector<double> out;
  for (size_t i = 0; i < series.size(); i += factor) {
    double sum = 0;
    size_t n = 0;
    for (size_t k = i; k < std::min(series.size(), i + factor); ++k, ++n) sum += series[k];
    out.push_back(sum / static_cast<double>(n));
  }
  return out;
}

double nice_step(double range, int ticks) {
  const double raw = range / ticks;
  const double magnitude = std::pow(10.0, std::floor(std::log10(raw)));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (raw <= m * magnitude) return m * magnitude;
  return 10 * magnitude;
}

std::vector<std::pair<double, std::string>> linear_ticks(double lo, double hi, int count,
                                                         const std::string& suffix = "") {
  std::vector<std::pair<double, std::string>> out;
  const double step = nice_step(hi - lo, count);
  for (double v = std::ceil(lo / step) * step; v <= hi + 1e-9; v += step)
    out.emplace_back(v, fmt::format("{:g}{}", v, suffix));
  return out;
}

size_t longest_series(const std::vector<RegimeResult>& regimes) {
  size_t n = 0;
  for (const RegimeResult& r : regimes) n = std::max(n, r.busy.size());
  return n;
}

Chart utilization_chart(const std::vector<RegimeResult>& regimes) {
  const size_t buckets = longest_series(regimes);
  const size_t factor = std::max<size_t>(1, (buckets + kMaxPoints - 1) / kMaxPoints);
  const double bucket_days = static_cast<double>(regimes[0].bucket_s) / 86400.0;
  const double days = std::max(1e-9, static_cast<double>(buckets) * bucket_days);
  Plot plot(fmt::format("GPU utilization over time ({} GPUs; means over {})", regimes[0].capacity,
                        format_duration(static_cast<int64_t>(factor) * regimes[0].bucket_s)),
            0, days, 0, 100, false);
  plot.axes("days since the first submission", "GPUs busy (%)", linear_ticks(0, days, 10),
            linear_ticks(0, 100, 5, "%"));
  for (size_t r = 0; r < regimes.size(); ++r) {
    std::vector<double> series = coarsen(regimes[r].busy, factor);
    std::vector<std::pair<double, double>> points;
    for (size_t i = 0; i < series.size(); ++i)
      points.emplace_back((static_cast<double>(i) + 0.5) * factor * bucket_days,
                          100.0 * series[i] / std::max(1, regimes[r].capacity));
    plot.line(points, colour(r), 1.4, false);
    plot.legend(r, fmt::format("{} ({:.1f}%)", regimes[r].regime, 100.0 * regimes[r].total.utilization), colour(r), 1);
  }
  return {"utilization.svg", plot.finish()};
}

Chart teams_chart(const RegimeResult& regime) {
  const size_t factor = std::max<size_t>(1, (regime.busy.size() + kMaxBandPoints - 1) / kMaxBandPoints);
  const double bucket_days = static_cast<double>(regime.bucket_s) / 86400.0;
  const double days = std::max(1e-9, static_cast<double>(regime.busy.size()) * bucket_days);
  Plot plot(fmt::format("{}: GPUs held per team (solid: within quota, pale: borrowed)", regime.regime), 0, days, 0,
            regime.capacity, false);
  plot.axes("days since the first submission", "GPUs", linear_ticks(0, days, 10),
            linear_ticks(0, regime.capacity, 8));
  std::vector<double> xs, lower;
  for (size_t i = 0; i < (regime.busy.size() + factor - 1) / factor; ++i)
    xs.push_back((static_cast<double>(i) + 0.5) * factor * bucket_days);
  lower.assign(xs.size(), 0.0);
  for (size_t t = 0; t < regime.in_quota.size(); ++t) {
    for (const auto* part : {&regime.in_quota[t], &regime.borrowed[t]}) {
      std::vector<double> series = coarsen(*part, factor);
      series.resize(xs.size(), 0.0);
      std::vector<double> upper(xs.size());
      for (size_t i = 0; i < xs.size(); ++i) upper[i] = lower[i] + series[i];
      plot.band(xs, lower, upper, colour(t), part == &regime.in_quota[t] ? 0.9 : 0.35);
      lower = upper;
    }
    plot.legend(t, fmt::format("{} (quota {})", regime.teams[t].name, regime.teams[t].quota), colour(t), 0.9);
  }
  return {"teams-" + regime.regime + ".svg", plot.finish()};
}

// Fraction of waits at or below each wait, on a log axis from 1 minute; waits under a minute
// sit at the left edge.
std::vector<std::pair<double, double>> cdf(std::vector<int64_t> waits, size_t max_points) {
  std::sort(waits.begin(), waits.end());
  std::vector<std::pair<double, double>> points;
  const size_t n = waits.size();
  const size_t step = std::max<size_t>(1, n / max_points);
  for (size_t i = 0; i < n; i += step)
    points.emplace_back(std::max<double>(60, static_cast<double>(waits[i])), static_cast<double>(i + 1) / n);
  if (n) points.emplace_back(std::max<double>(60, static_cast<double>(waits.back())), 1.0);
  return points;
}

std::vector<std::pair<double, std::string>> log_wait_ticks(double max) {
  std::vector<std::pair<double, std::string>> out;
  for (auto [v, label] : std::vector<std::pair<double, const char*>>{
           {60, "1m"}, {600, "10m"}, {3600, "1h"}, {6 * 3600, "6h"}, {86400, "1d"}, {7 * 86400, "1w"}, {30 * 86400, "30d"}})
    if (v <= max) out.emplace_back(v, label);
  return out;
}

Chart wait_chart(const std::string& name, const std::string& title,
                 const std::vector<std::pair<std::string, std::vector<int64_t>>>& series) {
  int64_t longest = 3600;
  for (const auto& s : series)
    for (int64_t w : s.second) longest = std::max(longest, w);
  const double max = static_cast<double>(longest) * 1.2;
  Plot plot(title, 60, max, 0, 1, true);
  plot.axes("wait (completion - submit - run time; log scale)", "share of jobs waiting at most this long",
            log_wait_ticks(max), linear_ticks(0, 1, 5));
  for (size_t i = 0; i < series.size(); ++i) {
    const bool observed = series[i].first.rfind("observed", 0) == 0;
    plot.line(cdf(series[i].second, kMaxPoints / std::max<size_t>(1, series.size() / 4)), observed ? "#000" : colour(i), 1.4, observed);
    plot.legend(i, series[i].first, observed ? "#000" : colour(i), 1);
  }
  return {name, plot.finish()};
}

}  // namespace

std::vector<Chart> simulation_charts(const std::vector<RegimeResult>& regimes, const Trace& trace) {
  std::vector<Chart> charts;
  if (regimes.empty()) return charts;
  charts.push_back(utilization_chart(regimes));
  for (const RegimeResult& r : regimes) charts.push_back(teams_chart(r));
  std::vector<std::pair<std::string, std::vector<int64_t>>> all;
  for (const RegimeResult& r : regimes) all.emplace_back(r.regime, r.total.waits);
  std::vector<int64_t> observed;
  for (const TraceJob& job : trace.jobs)
    if (job.observed_wait) observed.push_back(*job.observed_wait);
  if (!observed.empty()) all.emplace_back("observed (trace)", std::move(observed));
  charts.push_back(wait_chart("wait-cdf.svg", "Wait time, all jobs", all));
  for (const RegimeResult& r : regimes) {
    std::vector<std::pair<std::string, std::vector<int64_t>>> teams;
    for (const TeamMetrics& m : r.teams) teams.emplace_back(m.name, m.waits);
    charts.push_back(wait_chart("wait-cdf-" + r.regime + ".svg", r.regime + ": wait time per team", teams));
  }
  return charts;
}

bool write_charts(const std::string& dir, const std::vector<Chart>& charts, std::string* error) {
  if (mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST) {
    *error = fmt::format("cannot create {}: {}", dir, std::strerror(errno));
    return false;
  }
  for (const Chart& chart : charts)
    if (!write_output(dir + "/" + chart.name, chart.svg, error)) return false;
  return true;
}

}  // namespace taskgov::cli
