#include "common/yaml.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include "common/utf8.h"
#include "common/yaml_scalar.h"

namespace spyt::yaml {
namespace {

std::string Where(const YAML::Mark& mark) {
  return "line " + std::to_string(mark.line + 1) + ", column " + std::to_string(mark.column + 1);
}

// yaml-cpp decodes the escapes \N (U+0085) and \_ (U+00A0) of double-quoted scalars to
// the single bytes 0x85 and 0xA0, not to UTF-8 (every other escape it encodes). The stream
// was checked to be UTF-8 and escapes end on a character boundary, so those two bytes are
// the only ones in a scalar that start no valid sequence: encode them as their characters.
std::string EncodeLatin1Escapes(const YAML::Mark& mark, const std::string& decoded) {
  if (!utf8::FirstInvalid(decoded)) return decoded;
  std::string out;
  for (std::size_t i = 0; i < decoded.size();) {
    const std::size_t at = i;
    if (utf8::Next(decoded, i)) {
      out.append(decoded, at, i - at);
      continue;
    }
    const auto byte = static_cast<unsigned char>(decoded[i]);
    if (byte != 0x85 && byte != 0xA0) {
      throw ParseError(Where(mark) + ": a scalar decodes to text that is not UTF-8");
    }
    utf8::Append(out, byte);
    ++i;
  }
  return out;
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
    std::string decoded = EncodeLatin1Escapes(mark, value);
    Add(mark, text ? json::Value(decoded) : ResolvePlain(decoded), anchor, decoded);
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

// A YAML stream is Unicode text. go-yaml, and so kubectl, refuses bytes that are not
// UTF-8 and characters outside c-printable; yaml-cpp would take them. So refuse them too.
void CheckCharacters(std::string_view text) {
  int line = 1;
  int column = 1;
  auto fail = [&](const char* format, unsigned value) {
    char what[64];
    std::snprintf(what, sizeof(what), format, value);
    throw ParseError("invalid YAML at line " + std::to_string(line) + ", column " +
                     std::to_string(column) + ": " + what);
  };
  for (std::size_t i = 0; i < text.size();) {
    const unsigned char byte = static_cast<unsigned char>(text[i]);
    const auto cp = utf8::Next(text, i);
    if (!cp) fail("byte 0x%02X is not UTF-8", byte);
    if (!IsPrintable(*cp)) fail("character U+%04X is not allowed in YAML", *cp);
    if (*cp == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
}

}  // namespace

std::vector<json::Value> ParseAll(std::string_view text) {
  CheckCharacters(text);
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

}  // namespace spyt::yaml
