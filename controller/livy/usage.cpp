#include "livy/usage.h"

#include <array>

#include "common/json.h"

namespace spyt::livy {

bool CountsTowardLimit(std::string_view state) {
  static constexpr std::array<std::string_view, 4> kEnded = {"error", "dead", "killed", "success"};
  for (auto ended : kEnded) {
    if (state == ended) return false;
  }
  return true;
}

void Usage::Add(bool batch, const std::string& state) {
  ++(batch ? batches : sessions)[state];
  if (CountsTowardLimit(state)) ++in_use;
}

Page ParsePage(std::string_view body) {
  json::Value doc;
  try {
    doc = json::Parse(body);
  } catch (const json::ParseError& e) {
    throw LivyError(std::string("the session list is not JSON: ") + e.what());
  }
  const json::Value* total = doc.is_object() ? doc.find("total") : nullptr;
  const json::Value* items = doc.is_object() ? doc.find("sessions") : nullptr;
  if (total == nullptr || !total->is_int())
    throw LivyError("the session list has no integer \"total\"");
  if (items == nullptr || !items->is_array())
    throw LivyError("the session list has no \"sessions\" array");
  Page page;
  page.total = static_cast<int>(total->as_int());
  for (const auto& item : items->as_array()) {
    const json::Value* state = item.is_object() ? item.find("state") : nullptr;
    if (state == nullptr || !state->is_string())
      throw LivyError("a session in the list has no string \"state\"");
    page.states.push_back(state->as_string());
  }
  return page;
}

std::string DescribeStates(const std::map<std::string, int>& by_state) {
  std::string out;
  for (const auto& [state, count] : by_state) {
    if (!out.empty()) out += ", ";
    out += std::to_string(count) + " " + state;
  }
  return out.empty() ? "none" : out;
}

}  // namespace spyt::livy
