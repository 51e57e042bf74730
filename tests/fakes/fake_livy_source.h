#pragma once

// The Livy monitor's read side (livy::ObservationSource) with observations the
// test sets, keyed "namespace/name".

#include <map>
#include <optional>
#include <string>

#include "livy/monitor.h"

namespace spyt::fakes {

struct FakeLivySource : livy::ObservationSource {
  std::map<std::string, livy::Observation> latest;
  std::optional<livy::Observation> Latest(const std::string& ns,
                                          const std::string& name) const override {
    auto it = latest.find(ns + "/" + name);
    if (it == latest.end()) return std::nullopt;
    return it->second;
  }
};

}  // namespace spyt::fakes
