#include "common/failpoints.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <map>
#include <mutex>
#include <random>
#include <system_error>
#include <thread>

#include <fmt/format.h>

#include "common/closest_match.hpp"
#include "fjord/configuration.hpp"

namespace fjord::failpoint {

namespace detail {
std::atomic<bool> armed{false};
}  // namespace detail

namespace {

enum class kind { off, crash, error, delay, pause };

struct arming {
  kind what = kind::off;
  int arg = 0;              ///< errno for error, milliseconds for delay
  int percent = 100;        ///< probability of firing on a hit
  int only_hit = 0;         ///< fire from this hit on (0: every hit)
  int times = 0;            ///< with only_hit or alone: fire on this many hits (0: see only_hit)
  std::string text;         ///< as written, for the firing line
  int hits = 0;
  int fired = 0;
};

struct registry {
  std::mutex mtx;
  std::map<std::string, arming> armed;
  std::mt19937 rng{std::random_device{}()};
};

registry& reg() {
  static registry r;
  return r;
}

const std::map<std::string, int>& errno_names() {
  static const std::map<std::string, int> names{
    {"EIO", EIO},       {"ENOSPC", ENOSPC}, {"EMFILE", EMFILE}, {"ENFILE", ENFILE},
    {"EACCES", EACCES}, {"EROFS", EROFS},   {"EDQUOT", EDQUOT}, {"EAGAIN", EAGAIN},
    {"EINTR", EINTR},   {"ESTALE", ESTALE}, {"ENOENT", ENOENT}, {"EEXIST", EEXIST},
  };
  return names;
}

[[noreturn]] void bad(const std::string& item, const std::string& why) {
  throw config_error(fmt::format("failpoints: '{}': {}", item, why));
}

int parse_int(const std::string& item, const std::string& text, const char* what) {
  int value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 0)
    bad(item, fmt::format("{} '{}' is not a non-negative number", what, text));
  return value;
}

arming parse_action(const std::string& item, std::string text) {
  arming a;
  a.text = text;
  if (auto pct = text.find('%'); pct != std::string::npos) {
    a.percent = parse_int(item, text.substr(0, pct), "probability");
    if (a.percent > 100)
      bad(item, "a probability is at most 100%");
    text = text.substr(pct + 1);
  }
  if (auto star = text.rfind('*'); star != std::string::npos) {
    a.times = parse_int(item, text.substr(star + 1), "count");
    if (a.times < 1)
      bad(item, "*N fires on N hits, N >= 1");
    text = text.substr(0, star);
  }
  if (auto at = text.rfind('@'); at != std::string::npos) {
    a.only_hit = parse_int(item, text.substr(at + 1), "hit number");
    if (a.only_hit < 1)
      bad(item, "hits count from 1 (@1 is the first hit)");
    text = text.substr(0, at);
  }
  if (a.times > 0 && a.only_hit == 0)
    a.only_hit = 1;
  if (a.only_hit > 0 && a.times == 0)
    a.times = 1;
  std::string arg;
  if (auto open = text.find('('); open != std::string::npos) {
    if (text.back() != ')')
      bad(item, "missing ')'");
    arg = text.substr(open + 1, text.size() - open - 2);
    text = text.substr(0, open);
  }
  if (text == "off") {
    a.what = kind::off;
  } else if (text == "crash") {
    a.what = kind::crash;
  } else if (text == "pause") {
    a.what = kind::pause;
  } else if (text == "delay") {
    a.what = kind::delay;
    a.arg = parse_int(item, arg, "delay");
  } else if (text == "error") {
    a.what = kind::error;
    auto i = errno_names().find(arg.empty() ? "EIO" : arg);
    if (i == errno_names().end())
      bad(item, fmt::format("unknown errno '{}' (use EIO, ENOSPC, EMFILE, EACCES, ...)", arg));
    a.arg = i->second;
  } else {
    bad(item, fmt::format("unknown action '{}' (use crash, error(ERRNO), delay(MS), pause or off)",
                          text));
  }
  if ((a.what == kind::crash || a.what == kind::pause || a.what == kind::off) && !arg.empty())
    bad(item, fmt::format("'{}' takes no argument", text));
  return a;
}

void report_firing(const char* name, const arming& a) {
  auto line = fmt::format("fjord: failpoint {} fired: {} (hit {}, pid {})\n", name, a.text,
                          a.hits, ::getpid());
  // Raw writes: a crash follows at once, and no logger buffer would survive it.
  [[maybe_unused]] auto n = ::write(STDERR_FILENO, line.data(), line.size());
  if (const char* log = std::getenv("FJORD_FAILPOINTS_LOG"); log && *log) {
    int fd = ::open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (fd >= 0) {
      n = ::write(fd, line.data(), line.size());
      ::fsync(fd);
      ::close(fd);
    }
  }
}

}  // namespace

void configure(const std::string& spec) {
  std::map<std::string, arming> parsed;
  std::vector<std::string> known;
  for (auto& i : catalog())
    known.emplace_back(i.name);
  std::size_t start = 0;
  while (start <= spec.size()) {
    auto comma = spec.find(',', start);
    auto item = spec.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    start = comma == std::string::npos ? spec.size() + 1 : comma + 1;
    if (item.empty())
      continue;
    auto eq = item.find('=');
    if (eq == std::string::npos || eq == 0)
      bad(item, "expected name=action");
    auto name = item.substr(0, eq);
    if (std::find(known.begin(), known.end(), name) == known.end()) {
      auto close = closest_match(name, known);
      bad(item, fmt::format("unknown failpoint '{}'{} (fjord failpoints lists them)", name,
                            close ? fmt::format(" (did you mean '{}'?)", *close) : ""));
    }
    parsed[name] = parse_action(item, item.substr(eq + 1));
  }
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  r.armed = std::move(parsed);
  detail::armed.store(!r.armed.empty(), std::memory_order_relaxed);
}

void configure_from_environment() {
  if (const char* spec = std::getenv("FJORD_FAILPOINTS"); spec && *spec)
    configure(spec);
}

void reset() {
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  r.armed.clear();
  detail::armed.store(false, std::memory_order_relaxed);
}

int fired(const std::string& name) {
  auto& r = reg();
  std::lock_guard<std::mutex> guard{r.mtx};
  auto i = r.armed.find(name);
  return i == r.armed.end() ? 0 : i->second.fired;
}

void detail::evaluate(const char* name) {
  auto& r = reg();
  arming fire;
  {
    std::lock_guard<std::mutex> guard{r.mtx};
    auto i = r.armed.find(name);
    if (i == r.armed.end() || i->second.what == kind::off)
      return;
    auto& a = i->second;
    ++a.hits;
    if (a.only_hit > 0 && (a.hits < a.only_hit || a.hits >= a.only_hit + a.times))
      return;
    if (a.percent < 100 && static_cast<int>(r.rng() % 100) >= a.percent)
      return;
    ++a.fired;
    fire = a;
  }
  report_firing(name, fire);
  switch (fire.what) {
    case kind::off:
      return;
    case kind::crash:
      ::_exit(86);
    case kind::error:
      throw std::system_error(fire.arg, std::generic_category(),
                              fmt::format("failpoint {}", name));
    case kind::delay:
      std::this_thread::sleep_for(std::chrono::milliseconds(fire.arg));
      return;
    case kind::pause:
      for (;;)
        std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace fjord::failpoint
