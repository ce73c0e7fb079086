// SPDX-License-Identifier: Apache-2.0
// The kernel and compile-latency benchmark (run on demand by bench/run.sh, never by tests).
// Loads leads into memory once, checks that the interpreter, the JIT and the hand-written
// reference agree on every lead, then times each over the same records and prints tables.
//   rubric-bench --leads FILE.jsonl|FILE.csv [--max-leads N] [--passes P] [--model MODEL] [--kernel-only]
//                [--only reference|jit|aot|jit1000|interp1000]
// With --kernel-only (any model, e.g. the X Education example over its CSV) only the interpreter
// and the JIT are timed; otherwise MODEL must be the B2B example, which the reference implements.
// With --only, one kernel is timed and nothing else, for a profiler (`perf record`) or A/B runs:
// the B2B model's (reference, jit, aot: its ahead-of-time build) or the 1000-rule model's.
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <sstream>

#include "bench/reference_b2b.h"
#include "compiler/driver/driver.h"
#include "runtime/interp/batch.h"
#include "runtime/interp/interp.h"
#include "runtime/io/reader.h"
#include "runtime/io/time.h"
#include "runtime/jit/jit.h"
#include "runtime/native/native.h"

namespace {

using Clock = std::chrono::steady_clock;
using rubric::interp::Outcome;
using rubric::interp::Record;

double seconds_since(Clock::time_point t) { return std::chrono::duration<double>(Clock::now() - t).count(); }

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A 1000-rule model over the B2B schema: ten scores of 100 rules, every kind of condition.
std::string thousand_rule_model(const std::string& b2b) {
  std::string m = b2b.substr(0, b2b.find("define decision_maker"));
  static const char* titles[] = {"vp", "director", "manager", "head", "chief", "engineer", "analyst", "founder"};
  for (int s = 0; s < 10; ++s) {
    m += fmt::format("\nscore s{}, at most 500, at least 0{}:\n", s, s % 2 ? ", decay half-life 21 days" : "");
    for (int i = 0; i < 100; ++i) {
      int k = s * 100 + i;
      switch (k % 10) {
        case 0: m += fmt::format("  employees > {}: +1\n", (k * 37) % 5000); break;
        case 1: m += fmt::format("  job_title contains \"{}\": +2\n", titles[k % 8]); break;
        case 2: m += fmt::format("  visited pricing within {} days: +3\n", 1 + k % 60); break;
        case 3: m += fmt::format("  opened email within {} days: +1 each, at most 5\n", 1 + k % 90); break;
        case 4: m += fmt::format("  country in {{\"US\", \"DE\", \"GB\"}} and employees < {}: +1\n", 100 + k % 900); break;
        case 5: m += fmt::format("  industry is software or annual_revenue > {}: +2\n", k * 1000); break;
        case 6: m += fmt::format("  count of visited any page within {} days > {}: +1\n", 1 + k % 45, k % 7); break;
        case 7: m += fmt::format("  visited docs at least {} times within {} days: +2\n", 1 + k % 3, 1 + k % 30); break;
        case 8: m += fmt::format("  email domain in {{\"gmail.com\", \"yahoo.com\"}}: -1\n"); break;
        default: m += fmt::format("  days since last clicked email < {}: +1\n", 1 + k % 30); break;
      }
    }
  }
  m += "\ntiers temperature:\n  hot: total >= 900\n  warm: total >= 400\n  cold: otherwise\n";
  return m;
}

bool same(const Outcome& a, const Outcome& b) {
  return a.scores == b.scores && a.total == b.total && a.disqualifier == b.disqualifier && a.tiers == b.tiers;
}

// Median leads per second over `passes` passes of `score` over every record.
double throughput(const std::vector<Record>& leads, int passes, const std::function<void(const Record&)>& score) {
  std::vector<double> rates;
  for (int p = 0; p < passes; ++p) {
    auto start = Clock::now();
    for (const Record& r : leads) score(r);
    rates.push_back(double(leads.size()) / seconds_since(start));
  }
  return median(rates);
}

struct Compiled {
  std::shared_ptr<const rubric::check::CheckedModel> model;
  std::shared_ptr<rubric::source::SourceManager> sources;
  double check_ms = 0;
};

Compiled compile(const std::string& name, const std::string& text, int runs) {
  Compiled c;
  std::vector<double> t;
  for (int i = 0; i < runs; ++i) {
    auto start = Clock::now();
    auto comp = rubric::driver::compile_source(name, text);
    t.push_back(seconds_since(start) * 1000);
    if (!comp.ok()) {
      std::cerr << rubric::diag::render_text(comp.diagnostics, *comp.sources);
      std::exit(2);
    }
    c.model = comp.model;
    c.sources = comp.sources;
  }
  c.check_ms = median(t);
  return c;
}

void compile_latency(const std::string& label, const std::string& text, const Compiled& c, int runs) {
  using rubric::jit::CompileTimes;
  std::vector<double> lower, opt, codegen, link, total, disk;
  std::string cache = "/tmp/rubric-bench-cache";
  std::string err;
  for (int i = 0; i < runs; ++i) {
    CompileTimes t;
    auto m = rubric::jit::JitModel::compile(c.model, &err, &t);
    if (!m) {
      std::cerr << err << "\n";
      std::exit(2);
    }
    lower.push_back(t.lower_ms);
    opt.push_back(t.optimize_ms);
    codegen.push_back(t.codegen_ms);
    link.push_back(t.link_ms);
    total.push_back(t.lower_ms + t.optimize_ms + t.codegen_ms + t.link_ms);
  }
  rubric::jit::CompileOptions opts;
  opts.identity = text + "#bench";
  opts.cache_dir = cache;
  std::filesystem::remove_all(cache);
  { auto warm = rubric::jit::JitModel::compile(c.model, &err, nullptr, opts); }  // fills the disk cache
  for (int i = 0; i < runs; ++i) {
    CompileTimes t;
    auto start = Clock::now();
    auto m = rubric::jit::JitModel::compile(c.model, &err, &t, opts);  // the last copy died: from disk
    double ms = seconds_since(start) * 1000;
    if (t.source != CompileTimes::Source::DiskCache) std::cerr << "warning: not served from the disk cache\n";
    disk.push_back(ms);
  }
  std::filesystem::remove_all(cache);
  std::cout << fmt::format("| {} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} | {:.2f} |\n", label, c.check_ms,
                           median(lower), median(opt), median(codegen), median(link), median(total), median(disk));
}

}  // namespace

int main(int argc, char** argv) {
  std::string leads_path, model_path = "examples/b2b/b2b.rubric";
  size_t max_leads = 200000;
  int passes = 5;
  bool kernel_only = false;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--leads" && i + 1 < argc) leads_path = argv[++i];
    else if (a == "--max-leads" && i + 1 < argc) max_leads = std::stoul(argv[++i]);
    else if (a == "--passes" && i + 1 < argc) passes = std::stoi(argv[++i]);
    else if (a == "--model" && i + 1 < argc) model_path = argv[++i];
    else if (a == "--kernel-only") kernel_only = true;
    else if (a == "--only" && i + 1 < argc) only = argv[++i];
    else {
      std::cerr << "usage: rubric-bench --leads FILE.jsonl [--max-leads N] [--passes P] [--model MODEL] [--kernel-only]\n"
                   "                    [--only reference|jit|aot|jit1000|interp1000]\n";
      return 2;
    }
  }
  const std::string kOnly[] = {"reference", "jit", "aot", "jit1000", "interp1000"};
  if (!only.empty() && std::find(std::begin(kOnly), std::end(kOnly), only) == std::end(kOnly)) {
    std::cerr << "--only takes reference, jit, aot, jit1000 or interp1000\n";
    return 2;
  }
  const int64_t as_of = *rubric::io::parse_time("2026-11-01");
  std::string b2b_text = read_file(model_path);
  if (kernel_only) {
    Compiled c = compile(model_path, b2b_text, 1);
    std::string err;
    auto jit = rubric::jit::JitModel::compile(c.model, &err);
    if (!jit) {
      std::cerr << err << "\n";
      return 2;
    }
    std::ifstream in(leads_path, std::ios::binary);
    std::string fatal;
    rubric::io::ReaderOptions ro;
    if (leads_path.size() > 4 && leads_path.substr(leads_path.size() - 4) == ".csv") ro.format = rubric::io::InputFormat::Csv;
    auto reader = rubric::io::open_reader(in, *c.model, ro, fatal);
    if (!reader) {
      std::cerr << fatal << "\n";
      return 2;
    }
    std::vector<Record> leads;
    rubric::io::InputRecord rec;
    while (leads.size() < max_leads && reader->next(rec))
      if (rec.ok()) leads.push_back(std::move(rec.record));
    rubric::interp::Interpreter interp(c.model);
    for (const Record& r : leads)
      if (!same(interp.score(r, as_of, false), jit->score(r, as_of, false))) {
        std::cerr << "the interpreter and the JIT disagree\n";
        return 1;
      }
    volatile int64_t sink = 0;
    double j = throughput(leads, passes, [&](const Record& r) { sink = sink + jit->score(r, as_of, false).total; });
    double i = throughput(leads, passes, [&](const Record& r) { sink = sink + interp.score(r, as_of, false).total; });
    std::cout << fmt::format("| {} ({} leads) | {:.0f} | {:.0f} | {:.2f}x |\n", model_path, leads.size(), j, i, j / i);
    return 0;
  }
  std::string big_text = thousand_rule_model(b2b_text);

  // The first JIT compile in a process also starts LLVM: measured on its own.
  Compiled b2b = compile("b2b.rubric", b2b_text, 5);
  std::string err;
  auto cold_start = Clock::now();
  rubric::jit::CompileTimes cold;
  auto b2b_jit = rubric::jit::JitModel::compile(b2b.model, &err, &cold);
  double cold_ms = seconds_since(cold_start) * 1000;
  Compiled big = compile("thousand.rubric", big_text, 3);
  auto big_jit = rubric::jit::JitModel::compile(big.model, &err);
  if (!b2b_jit || !big_jit) {
    std::cerr << "the JIT failed: " << err << "\n";
    return 2;
  }

  std::ifstream in(leads_path, std::ios::binary);
  std::string fatal;
  auto reader = rubric::io::open_reader(in, *b2b.model, {}, fatal);
  std::vector<Record> leads;
  rubric::io::InputRecord rec;
  size_t events = 0;
  while (leads.size() < max_leads && reader->next(rec)) {
    if (!rec.ok()) continue;
    events += rec.record.events.size();
    leads.push_back(std::move(rec.record));
  }
  std::cout << fmt::format("{} leads in memory, {:.1f} events per lead on average\n\n", leads.size(),
                           double(events) / double(leads.size()));

  rubric::interp::Interpreter interp(b2b.model), big_interp(big.model);
  rubric::interp::BatchInterpreter batch(b2b.model), big_batch(big.model);
  rubric::bench::ReferenceB2B reference;
  // An ahead-of-time build of the same model (`rubric build`), loaded with dlopen: for the
  // portable baseline CPU ("") or this machine's ("native").
  auto build_aot = [&](const std::string& cpu) {
    rubric::jit::BuildOptions bo;
    bo.cpu = cpu;
    bo.model_name = "b2b.rubric";
    bo.source = b2b_text;
    rubric::jit::BuildOutput built;
    std::string so = (std::filesystem::temp_directory_path() / fmt::format("rubric-bench-{}-{}.so", ::getpid(), cpu)).string();
    if (!rubric::jit::build_object(*b2b.model, *b2b.sources, bo, built, &err) || !rubric::jit::link_shared_object(built.object, so, &err)) {
      std::cerr << "rubric build failed: " << err << "\n";
      return rubric::native::Loaded{};
    }
    rubric::native::Loaded loaded = rubric::native::load_shared_object(so);
    std::filesystem::remove(so);
    if (!loaded.scorer) std::cerr << loaded.error << "\n";
    return loaded;
  };
  volatile int64_t sink = 0;
  // One kernel alone, unchecked (the full run checks them all), for a profiler.
  if (!only.empty()) {
    rubric::native::Loaded loaded;
    if (only == "aot" && !(loaded = build_aot("")).scorer) return 2;
    auto start = Clock::now();
    std::function<void(const Record&)> one;
    if (only == "reference") one = [&](const Record& r) { sink = sink + reference.score(r, as_of).total; };
    else if (only == "jit") one = [&](const Record& r) { sink = sink + b2b_jit->score(r, as_of, false).total; };
    else if (only == "jit1000") one = [&](const Record& r) { sink = sink + big_jit->score(r, as_of, false).total; };
    else if (only == "interp1000") one = [&](const Record& r) { sink = sink + big_interp.score(r, as_of, false).total; };
    else one = [&](const Record& r) { sink = sink + loaded.scorer->score(r, as_of, false).total; };
    double rate = throughput(leads, passes, one);
    std::cout << fmt::format("{}: {:.0f} leads/s (median of {} passes, {:.1f} s in all)\n", only, rate, passes, seconds_since(start));
    return 0;
  }
  size_t disagree = 0;
  for (const Record& r : leads) {
    Outcome a = interp.score(r, as_of, false), b = b2b_jit->score(r, as_of, false), c = reference.score(r, as_of);
    Outcome d = batch.score(r, as_of, false);
    if (!same(a, b) || !same(a, c) || !same(a, d)) ++disagree;
  }
  std::cout << fmt::format("agreement: the interpreter, the batch interpreter, the JIT and the reference agree on {} of {} leads\n\n",
                           leads.size() - disagree, leads.size());
  if (disagree) return 1;

  double ref = throughput(leads, passes, [&](const Record& r) { sink = sink + reference.score(r, as_of).total; });
  double jit = throughput(leads, passes, [&](const Record& r) { sink = sink + b2b_jit->score(r, as_of, false).total; });
  double itp = throughput(leads, passes, [&](const Record& r) { sink = sink + interp.score(r, as_of, false).total; });
  std::vector<const Record*> ptrs;
  for (const Record& r : leads) ptrs.push_back(&r);
  std::vector<Outcome> outs(ptrs.size());
  // Batch throughput: the whole set in batches of BatchInterpreter::kBatch, per pass.
  auto batch_rate = [&](const rubric::interp::BatchInterpreter& b, int p) {
    std::vector<double> rates;
    for (int i = 0; i < p; ++i) {
      auto start = Clock::now();
      b.score_batch(ptrs.data(), ptrs.size(), as_of, false, outs.data());
      rates.push_back(double(ptrs.size()) / seconds_since(start));
    }
    return median(rates);
  };
  double bat = batch_rate(batch, passes);
  double big_b = batch_rate(big_batch, std::max(1, passes / 2));
  double big_j = throughput(leads, std::max(1, passes / 2), [&](const Record& r) { sink = sink + big_jit->score(r, as_of, false).total; });
  // Ahead-of-time builds of the same model (`rubric build`), loaded with dlopen: the portable
  // baseline CPU and this machine's CPU. Each must agree with the interpreter before it is timed.
  std::vector<std::pair<std::string, double>> aot;
  for (std::string cpu : {"", "native"}) {
    rubric::native::Loaded loaded = build_aot(cpu);
    if (!loaded.scorer) return 2;
    for (const Record& r : leads)
      if (!same(interp.score(r, as_of, false), loaded.scorer->score(r, as_of, false))) {
        std::cerr << "the ahead-of-time model disagrees with the interpreter\n";
        return 1;
      }
    aot.emplace_back(cpu.empty() ? "ahead-of-time .so (x86-64 baseline)" : "ahead-of-time .so (--cpu native)",
                     throughput(leads, passes, [&](const Record& r) { sink = sink + loaded.scorer->score(r, as_of, false).total; }));
  }
  double big_i = throughput(leads, std::max(1, passes / 2), [&](const Record& r) { sink = sink + big_interp.score(r, as_of, false).total; });

  std::cout << "## Kernel (single thread, leads already in memory; median of passes)\n\n";
  std::cout << "| model | back end | leads/s | time vs JIT |\n|---|---|---:|---:|\n";
  std::cout << fmt::format("| b2b (19 rules) | hand-written C++ | {:.0f} | {:.2f}x |\n", ref, jit / ref);
  std::cout << fmt::format("| b2b (19 rules) | JIT | {:.0f} | 1.00x |\n", jit);
  for (const auto& [label, rate] : aot) std::cout << fmt::format("| b2b (19 rules) | {} | {:.0f} | {:.2f}x |\n", label, rate, jit / rate);
  std::cout << fmt::format("| b2b (19 rules) | interpreter | {:.0f} | {:.2f}x |\n", itp, jit / itp);
  std::cout << fmt::format("| b2b (19 rules) | batch interpreter | {:.0f} | {:.2f}x |\n", bat, jit / bat);
  std::cout << fmt::format("| generated (1000 rules) | JIT | {:.0f} | 1.00x |\n", big_j);
  std::cout << fmt::format("| generated (1000 rules) | interpreter | {:.0f} | {:.2f}x |\n", big_i, big_j / big_i);
  std::cout << fmt::format("| generated (1000 rules) | batch interpreter | {:.0f} | {:.2f}x |\n\n", big_b, big_j / big_b);
  std::cout << fmt::format("JIT time / hand-written time: {:.2f} (target <= 1.2); interpreter time / JIT time: {:.2f}, "
                           "batch interpreter time / JIT time: {:.2f} (target <= 3)\n\n",
                           ref / jit, jit / itp, jit / bat);

  std::cout << "## Compile latency (milliseconds, median of 5)\n\n";
  std::cout << fmt::format("First JIT compile in a process (starts LLVM): {:.1f} ms\n\n", cold_ms);
  std::cout << "| model | parse+check | IR generation | optimisation (O1) | machine code (O2) | load+link | JIT total | from disk cache |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|\n";
  compile_latency("b2b (19 rules)", b2b_text, b2b, 5);
  compile_latency("generated (1000 rules)", big_text, big, 5);
  return sink == 42 ? 3 : 0;
}
