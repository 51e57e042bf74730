#include "kube/time_source.h"

#include <thread>

namespace spyt::kube {
namespace {

class SystemTime : public TimeSource {
 public:
  TimePoint Now() override { return std::chrono::steady_clock::now(); }
  void SleepFor(Duration d) override {
    if (d > Duration::zero()) {
      std::this_thread::sleep_for(d);
    }
  }
};

}  // namespace

TimeSource& SystemTimeSource() {
  static SystemTime time;
  return time;
}

}  // namespace spyt::kube
