#include "fakes/label_selector.h"

#include <algorithm>
#include <stdexcept>

namespace spyt::fakes {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Splits on commas outside parentheses ("a in (x,y),b" -> "a in (x,y)", "b").
std::vector<std::string_view> SplitTerms(std::string_view text) {
  std::vector<std::string_view> terms;
  int depth = 0;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    char c = i < text.size() ? text[i] : ',';
    if (c == '(') {
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == ',' && depth == 0) {
      terms.push_back(Trim(text.substr(start, i - start)));
      start = i + 1;
    }
  }
  return terms;
}

[[noreturn]] void Fail(std::string_view what, std::string_view term) {
  throw std::invalid_argument(std::string(what) + ": \"" + std::string(term) + "\"");
}

void CheckKey(std::string_view key, std::string_view term) {
  if (key.empty() || key.find_first_of(" \t=!(),") != std::string_view::npos) {
    Fail("invalid selector key", term);
  }
}

std::vector<std::string> ParseSet(std::string_view rest, std::string_view term) {
  rest = Trim(rest);
  if (rest.size() < 2 || rest.front() != '(' || rest.back() != ')') {
    Fail("expected a parenthesised value list", term);
  }
  std::vector<std::string> values;
  std::string_view inner = rest.substr(1, rest.size() - 2);
  std::size_t start = 0;
  for (std::size_t i = 0; i <= inner.size(); ++i) {
    if (i == inner.size() || inner[i] == ',') {
      values.emplace_back(Trim(inner.substr(start, i - start)));
      start = i + 1;
    }
  }
  return values;
}

const json::Value* Labels(const json::Value& object) {
  const json::Value* meta = object.find("metadata");
  return meta != nullptr ? meta->find("labels") : nullptr;
}

}  // namespace

LabelSelector LabelSelector::Parse(std::string_view text) {
  LabelSelector selector;
  if (Trim(text).empty()) {
    return selector;
  }
  for (std::string_view term : SplitTerms(text)) {
    if (term.empty()) {
      Fail("empty requirement in label selector", text);
    }
    selector.requirements_.push_back(ParseRequirement(term));
  }
  return selector;
}

LabelSelector::Requirement LabelSelector::ParseRequirement(std::string_view term) {
  if (term.front() == '!') {
    std::string_view key = Trim(term.substr(1));
    CheckKey(key, term);
    return {std::string(key), Op::kNotExists, {}};
  }
  if (auto paren = term.find('('); paren != std::string_view::npos) {
    std::string_view head = Trim(term.substr(0, paren));
    auto space = head.find_last_of(" \t");
    if (space == std::string_view::npos) {
      Fail("expected \"key in (...)\" or \"key notin (...)\"", term);
    }
    std::string_view key = Trim(head.substr(0, space));
    std::string_view word = head.substr(space + 1);
    CheckKey(key, term);
    if (word != "in" && word != "notin") {
      Fail("expected \"in\" or \"notin\"", term);
    }
    return {std::string(key), word == "in" ? Op::kIn : Op::kNotIn,
            ParseSet(term.substr(paren), term)};
  }
  for (auto [token, op] : {std::pair{"!=", Op::kNotEquals}, std::pair{"==", Op::kEquals},
                           std::pair{"=", Op::kEquals}}) {
    if (auto at = term.find(token); at != std::string_view::npos) {
      std::string_view key = Trim(term.substr(0, at));
      std::string_view value = Trim(term.substr(at + std::string_view(token).size()));
      CheckKey(key, term);
      if (value.find_first_of("=!(), \t") != std::string_view::npos) {
        Fail("invalid selector value", term);
      }
      return {std::string(key), op, {std::string(value)}};
    }
  }
  CheckKey(term, term);
  return {std::string(term), Op::kExists, {}};
}

bool LabelSelector::Matches(const json::Value& labels) const {
  for (const auto& r : requirements_) {
    const json::Value* v = labels.find(r.key);
    bool has = v != nullptr && v->is_string();
    const std::string empty;
    const std::string& value = has ? v->as_string() : empty;
    bool in_set = has && std::find(r.values.begin(), r.values.end(), value) != r.values.end();
    bool ok = false;
    switch (r.op) {
      case Op::kEquals:
      case Op::kIn:
        ok = in_set;
        break;
      case Op::kNotEquals:
      case Op::kNotIn:
        ok = !in_set;
        break;
      case Op::kExists:
        ok = has;
        break;
      case Op::kNotExists:
        ok = !has;
        break;
    }
    if (!ok) {
      return false;
    }
  }
  return true;
}

FieldSelector FieldSelector::Parse(std::string_view text) {
  FieldSelector selector;
  if (Trim(text).empty()) {
    return selector;
  }
  for (std::string_view term : SplitTerms(text)) {
    bool equals = true;
    std::size_t at = term.find("!=");
    std::size_t skip = 2;
    if (at != std::string_view::npos) {
      equals = false;
    } else if ((at = term.find("==")) == std::string_view::npos) {
      at = term.find('=');
      skip = 1;
    }
    if (at == std::string_view::npos || at == 0) {
      Fail("field selector requirements are \"path=value\" or \"path!=value\"", term);
    }
    Requirement r{{}, equals, std::string(Trim(term.substr(at + skip)))};
    std::string_view path = Trim(term.substr(0, at));
    std::size_t start = 0;
    for (std::size_t i = 0; i <= path.size(); ++i) {
      if (i == path.size() || path[i] == '.') {
        if (i == start) {
          Fail("empty segment in field path", term);
        }
        r.path.emplace_back(path.substr(start, i - start));
        start = i + 1;
      }
    }
    selector.requirements_.push_back(std::move(r));
  }
  return selector;
}

bool FieldSelector::Matches(const json::Value& object) const {
  for (const auto& r : requirements_) {
    const json::Value* v = &object;
    for (const auto& segment : r.path) {
      v = v != nullptr ? v->find(segment) : nullptr;
    }
    std::string value;
    if (v != nullptr && v->is_string()) {
      value = v->as_string();
    } else if (v != nullptr && !v->is_null()) {
      value = json::Dump(*v);
    }
    if ((value == r.value) != r.equals) {
      return false;
    }
  }
  return true;
}

bool MatchesLabels(const LabelSelector& selector, const json::Value& object) {
  const json::Value* labels = Labels(object);
  return selector.Matches(labels != nullptr ? *labels : json::Value());
}

}  // namespace spyt::fakes
