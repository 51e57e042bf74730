#pragma once

// Kubernetes label and field selectors as the fake API server evaluates them.
//
// Label selectors: comma-separated requirements, all of which must hold:
//   "a=b", "a==b", "a!=b" (also matches objects without label a), "a" (exists),
//   "!a" (does not exist), "a in (x,y)", "a notin (x,y)" (also matches without a).
// Field selectors: "path=value", "path==value", "path!=value" on any dotted path
// of the object ("metadata.name", "status.phase"); a real server accepts only a
// few paths per resource, the fake accepts every path.

#include <string>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace spyt::fakes {

class LabelSelector {
 public:
  // Throws std::invalid_argument naming the bad requirement. "" selects everything.
  static LabelSelector Parse(std::string_view text);

  // `labels` is metadata.labels (an object, or null when absent).
  bool Matches(const json::Value& labels) const;
  bool Empty() const { return requirements_.empty(); }

 private:
  enum class Op { kEquals, kNotEquals, kExists, kNotExists, kIn, kNotIn };
  struct Requirement {
    std::string key;
    Op op;
    std::vector<std::string> values;
  };

  static Requirement ParseRequirement(std::string_view term);

  std::vector<Requirement> requirements_;
};

class FieldSelector {
 public:
  // Throws std::invalid_argument. "" selects everything.
  static FieldSelector Parse(std::string_view text);

  bool Matches(const json::Value& object) const;

 private:
  struct Requirement {
    std::vector<std::string> path;
    bool equals;
    std::string value;
  };

  std::vector<Requirement> requirements_;
};

// Whether `object` (a whole Kubernetes object) has a label selector match.
bool MatchesLabels(const LabelSelector& selector, const json::Value& object);

}  // namespace spyt::fakes
