#include "fakes/json_merge.h"

namespace spyt::fakes {

json::Value MergePatch(const json::Value& target, const json::Value& patch) {
  if (!patch.is_object()) {
    return patch;
  }
  json::Value result = target.is_object() ? target : json::Value(json::Object{});
  for (const auto& [key, value] : patch.as_object()) {
    if (value.is_null()) {
      result.as_object().erase(key);
      continue;
    }
    const json::Value* current = result.find(key);
    json::Value merged = MergePatch(current != nullptr ? *current : json::Value(), value);
    result[key] = std::move(merged);
  }
  return result;
}

}  // namespace spyt::fakes
