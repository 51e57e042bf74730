#pragma once

// A kube::ClientMetrics that records every observation. Thread-safe.

#include <mutex>
#include <string>
#include <vector>

#include "kube/client_metrics.h"

namespace spyt::fakes {

class FakeClientMetrics : public kube::ClientMetrics {
 public:
  struct Observation {
    std::string verb;
    int code;
    double seconds;
  };

  void ObserveRequest(const std::string& verb, int code, double seconds) override {
    std::lock_guard<std::mutex> lock(mu_);
    observations_.push_back({verb, code, seconds});
  }
  std::vector<Observation> observations() const {
    std::lock_guard<std::mutex> lock(mu_);
    return observations_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<Observation> observations_;
};

}  // namespace spyt::fakes
