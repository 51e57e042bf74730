#include "common/yaml.h"

#include <yaml-cpp/yaml.h>

#include <charconv>
#include <regex>

namespace spyt::yaml {
namespace {

// YAML 1.2 core schema resolution of a plain scalar.
json::Value ResolvePlain(const std::string& s) {
  static const std::regex kNull("^(~|null|Null|NULL)?$");
  static const std::regex kTrue("^(true|True|TRUE)$");
  static const std::regex kFalse("^(false|False|FALSE)$");
  static const std::regex kInt("^[-+]?[0-9]+$");
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  if (std::regex_match(s, kNull)) return json::Value();
  if (std::regex_match(s, kTrue)) return json::Value(true);
  if (std::regex_match(s, kFalse)) return json::Value(false);
  if (std::regex_match(s, kInt)) {
    std::int64_t i = 0;
    const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
    auto [p, ec] = std::from_chars(begin, s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size()) return json::Value(i);
    return json::Value(s);  // out of int64 range: keep the text
  }
  if (std::regex_match(s, kFloat)) return json::Value(std::stod(s));
  return json::Value(s);
}

json::Value FromNode(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
    case YAML::NodeType::Undefined:
      return json::Value();
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") {
        return json::Value(node.Scalar());
      }
      return ResolvePlain(node.Scalar());
    case YAML::NodeType::Sequence: {
      json::Array arr;
      for (const auto& item : node) arr.push_back(FromNode(item));
      return json::Value(std::move(arr));
    }
    case YAML::NodeType::Map: {
      json::Object obj;
      for (const auto& kv : node) {
        if (!kv.first.IsScalar()) {
          throw ParseError("line " + std::to_string(kv.first.Mark().line + 1) +
                           ": mapping keys must be scalars");
        }
        obj.insert_or_assign(kv.first.Scalar(), FromNode(kv.second));
      }
      return json::Value(std::move(obj));
    }
  }
  return json::Value();
}

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
  std::vector<YAML::Node> docs;
  try {
    docs = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& e) {
    throw ParseError("invalid YAML at line " + std::to_string(e.mark.line + 1) + ", column " +
                     std::to_string(e.mark.column + 1) + ": " + e.msg);
  }
  std::vector<json::Value> out;
  for (const auto& doc : docs) {
    if (doc.IsNull() || !doc.IsDefined()) continue;
    out.push_back(FromNode(doc));
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
