#include "common/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

namespace spyt::yaml {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

// Advances over [0-9]* from i; returns how many digits it passed.
std::size_t SkipDigits(std::string_view s, std::size_t& i) {
  const std::size_t from = i;
  while (i < s.size() && IsDigit(s[i])) ++i;
  return i - from;
}

// [-+]?[0-9]+
bool IsInt(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  return SkipDigits(s, i) > 0 && i == s.size();
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?
bool IsFloat(std::string_view s) {
  std::size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
  const std::size_t whole = SkipDigits(s, i);
  if (i < s.size() && s[i] == '.') {
    ++i;
    if (SkipDigits(s, i) == 0 && whole == 0) return false;
  } else if (whole == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (SkipDigits(s, i) == 0) return false;
  }
  return i == s.size();
}

bool IsOneOf(std::string_view s, std::initializer_list<std::string_view> words) {
  return std::find(words.begin(), words.end(), s) != words.end();
}

// YAML 1.2 core schema resolution of a plain scalar. Hand-written matchers: std::regex
// took most of the time of loading a document (perf of the api_spec fuzz target);
// tests/common/yaml_test.cpp holds them against the patterns.
json::Value ResolvePlain(const std::string& s) {
  if (IsOneOf(s, {"", "~", "null", "Null", "NULL"})) return json::Value();
  if (IsOneOf(s, {"true", "True", "TRUE"})) return json::Value(true);
  if (IsOneOf(s, {"false", "False", "FALSE"})) return json::Value(false);
  if (IsInt(s)) {
    std::int64_t i = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(begin, s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size()) return json::Value(i);
    return json::Value(s);  // out of int64 range: keep the text
  }
  if (IsFloat(s)) {
    // As Kubernetes reads YAML (go-yaml: strconv.ParseFloat): a float beyond a double's
    // range ("6e400") stays text, one below its smallest magnitude ("1e-400") is 0.
    // strtod reads the '.' of the "C" locale, which the process never changes.
    errno = 0;
    const double d = std::strtod(s.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(d)) return json::Value(s);
    return json::Value(d);
  }
  return json::Value(s);
}

std::string Where(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// Builds one document's json::Value from yaml-cpp's parser events. (Its own
// LoadAll loops forever, allocating, on a stray ',' such as "{}," or ",": that
// bug, yaml-cpp #1040, is fixed upstream after 0.7, Debian's version; with the
// events the caller sees whether the parser moved, and stops.)
class Builder : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark& mark) override {
    start_ = mark;
    stack_.clear();
    root_.reset();
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Add(mark, json::Value(), anchor, std::nullopt);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    auto it = anchors_.find(anchor);
    if (it == anchors_.end()) throw ParseError(Where(mark) + ": an alias of no anchor");
    Add(mark, it->second.value, 0, it->second.text);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    // Quoted scalars carry the tag "!"; plain ones "?" and resolve by the core schema.
    const bool text = tag == "!" || tag == "tag:yaml.org,2002:str";
    Add(mark, text ? json::Value(value) : ResolvePlain(value), anchor, value);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    Push(mark, json::Value(json::Array{}), anchor);
  }
  void OnSequenceEnd() override { Pop(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    Push(mark, json::Value(json::Object{}), anchor);
  }
  void OnMapEnd() override { Pop(); }

  const YAML::Mark& start() const { return start_; }
  // The document's value; nullopt for an empty one.
  std::optional<json::Value> TakeRoot() { return std::exchange(root_, std::nullopt); }

 private:
  struct Anchored {
    json::Value value;
    std::optional<std::string> text;  // a scalar's text, which may be a mapping key
  };
  struct Frame {
    json::Value value;
    YAML::anchor_t anchor = 0;
    YAML::Mark mark;
    std::optional<std::string> key;  // a map's key waiting for its value
  };

  static void CheckKeyAllowed(const YAML::Mark& mark, const std::optional<std::string>& text) {
    if (!text) throw ParseError(Where(mark) + ": mapping keys must be scalars");
  }

  void Add(const YAML::Mark& mark, json::Value value, YAML::anchor_t anchor,
           std::optional<std::string> text) {
    if (anchor != 0) anchors_[anchor] = Anchored{value, text};
    if (stack_.empty()) {
      root_ = std::move(value);
      return;
    }
    Frame& top = stack_.back();
    if (top.value.is_array()) {
      top.value.as_array().push_back(std::move(value));
    } else if (!top.key) {
      CheckKeyAllowed(mark, text);
      top.key = std::move(text);
    } else {
      top.value.as_object().insert_or_assign(*top.key, std::move(value));
      top.key.reset();
    }
  }

  void Push(const YAML::Mark& mark, json::Value container, YAML::anchor_t anchor) {
    if (!stack_.empty() && stack_.back().value.is_object() && !stack_.back().key) {
      CheckKeyAllowed(mark, std::nullopt);
    }
    stack_.push_back(Frame{std::move(container), anchor, mark, std::nullopt});
  }

  void Pop() {
    Frame done = std::move(stack_.back());
    stack_.pop_back();
    Add(done.mark, std::move(done.value), done.anchor, std::nullopt);
  }

  YAML::Mark start_;
  std::vector<Frame> stack_;
  std::optional<json::Value> root_;
  std::map<YAML::anchor_t, Anchored> anchors_;
};

void Emit(YAML::Emitter& out, const json::Value& v) {
  switch (v.kind()) {
    case json::Value::Kind::kNull:
      out << YAML::Null;
      return;
    case json::Value::Kind::kBool:
      out << (v.as_bool() ? "true" : "false");
      return;
    case json::Value::Kind::kInt:
      out << v.as_int();
      return;
    case json::Value::Kind::kDouble:
      out << json::Dump(v);
      return;
    case json::Value::Kind::kString: {
      const auto& s = v.as_string();
      // Quote a string that would read back as something else.
      if (!ResolvePlain(s).is_string()) {
        out << YAML::DoubleQuoted << s;
      } else {
        out << s;
      }
      return;
    }
    case json::Value::Kind::kArray:
      out << YAML::BeginSeq;
      for (const auto& item : v.as_array()) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case json::Value::Kind::kObject:
      out << YAML::BeginMap;
      for (const auto& [key, child] : v.as_object()) {
        out << YAML::Key;
        if (!ResolvePlain(key).is_string()) {
          out << YAML::DoubleQuoted << key;
        } else {
          out << key;
        }
        out << YAML::Value;
        Emit(out, child);
      }
      out << YAML::EndMap;
      return;
  }
}

}  // namespace

std::vector<json::Value> ParseAll(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::vector<json::Value> out;
  try {
    YAML::Parser parser(in);
    Builder builder;
    std::optional<int> previous_start;
    while (parser.HandleNextDocument(builder)) {
      // A document that starts where the previous one did: the parser is stuck.
      if (previous_start == builder.start().pos) {
        throw ParseError("invalid YAML at " + Where(builder.start()) +
                         ": nothing can be read from here (a stray ','?)");
      }
      previous_start = builder.start().pos;
      if (auto root = builder.TakeRoot(); root && !root->is_null()) out.push_back(std::move(*root));
    }
  } catch (const YAML::Exception& e) {
    throw ParseError("invalid YAML at " + Where(e.mark) + ": " + e.msg);
  }
  return out;
}

json::Value ParseOne(std::string_view text) {
  auto docs = ParseAll(text);
  if (docs.size() != 1) {
    throw ParseError("expected exactly one YAML document, found " + std::to_string(docs.size()));
  }
  return std::move(docs.front());
}

std::string Dump(const json::Value& value) {
  YAML::Emitter out;
  out.SetIndent(2);
  out.SetMapFormat(YAML::Block);
  out.SetSeqFormat(YAML::Block);
  Emit(out, value);
  return std::string(out.c_str()) + "\n";
}

}  // namespace spyt::yaml
