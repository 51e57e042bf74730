#include "fuzz/schema_check.h"

#include <cstdint>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <sstream>

#include "common/yaml.h"

namespace spyt::fuzz {
namespace {

using json::Value;

std::optional<std::string> Broken(const std::string& path, const std::string& rule) {
  return (path.empty() ? std::string("<root>") : path) + ": " + rule;
}

// Characters, not bytes: the API server counts runes.
std::size_t Runes(const std::string& s) {
  std::size_t n = 0;
  for (unsigned char c : s) {
    n += (c & 0xC0) != 0x80 ? 1 : 0;
  }
  return n;
}

// A schema has a few patterns; each is compiled once per process.
const std::regex& Compiled(const std::string& pattern) {
  static std::map<std::string, std::regex> cache;
  auto it = cache.find(pattern);
  if (it == cache.end()) {
    it = cache.emplace(pattern, std::regex(pattern, std::regex::ECMAScript)).first;
  }
  return it->second;
}

bool TypeMatches(const std::string& type, const Value& v) {
  if (type == "object") return v.is_object();
  if (type == "array") return v.is_array();
  if (type == "string") return v.is_string();
  if (type == "integer") return v.is_int();
  if (type == "number") return v.is_number();
  if (type == "boolean") return v.is_bool();
  return true;
}

std::optional<std::string> CheckType(const Value& schema, const Value& v, const std::string& path) {
  if (v.is_null()) {
    const Value* nullable = schema.find("nullable");
    if (nullable != nullptr && nullable->is_bool() && nullable->as_bool()) {
      return std::nullopt;
    }
  }
  const Value* int_or_string = schema.find("x-kubernetes-int-or-string");
  if (int_or_string != nullptr && int_or_string->is_bool() && int_or_string->as_bool()) {
    return v.is_int() || v.is_string() ? std::nullopt
                                       : Broken(path, "must be an integer or a string");
  }
  const Value* type = schema.find("type");
  if (type != nullptr && type->is_string() && !TypeMatches(type->as_string(), v)) {
    return Broken(path, "must be of type " + type->as_string());
  }
  return std::nullopt;
}

std::optional<std::string> CheckNumber(const Value& schema, const Value& v,
                                       const std::string& path) {
  if (!v.is_number()) return std::nullopt;
  const double x = v.as_double();
  if (const Value* min = schema.find("minimum");
      min != nullptr && min->is_number() && x < min->as_double()) {
    return Broken(path, "below the minimum " + json::Dump(*min));
  }
  if (const Value* max = schema.find("maximum");
      max != nullptr && max->is_number() && x > max->as_double()) {
    return Broken(path, "above the maximum " + json::Dump(*max));
  }
  const Value* format = schema.find("format");
  if (v.is_int() && format != nullptr && format->is_string() && format->as_string() == "int32") {
    const std::int64_t i = v.as_int();
    if (i < std::numeric_limits<std::int32_t>::min() ||
        i > std::numeric_limits<std::int32_t>::max()) {
      return Broken(path, "out of the int32 range");
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckString(const Value& schema, const Value& v,
                                       const std::string& path) {
  if (!v.is_string()) return std::nullopt;
  const std::string& s = v.as_string();
  if (const Value* max = schema.find("maxLength");
      max != nullptr && max->is_int() && Runes(s) > static_cast<std::size_t>(max->as_int())) {
    return Broken(path, "longer than " + json::Dump(*max));
  }
  if (const Value* min = schema.find("minLength");
      min != nullptr && min->is_int() && Runes(s) < static_cast<std::size_t>(min->as_int())) {
    return Broken(path, "shorter than " + json::Dump(*min));
  }
  if (const Value* pattern = schema.find("pattern"); pattern != nullptr && pattern->is_string()) {
    if (!std::regex_search(s, Compiled(pattern->as_string()))) {
      return Broken(path, "does not match " + pattern->as_string());
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckEnum(const Value& schema, const Value& v, const std::string& path) {
  const Value* values = schema.find("enum");
  if (values == nullptr || !values->is_array()) return std::nullopt;
  for (const auto& allowed : values->as_array()) {
    if (allowed == v) return std::nullopt;
  }
  return Broken(path, "not one of " + json::Dump(*values));
}

std::optional<std::string> CheckArray(const Value& schema, const Value& v,
                                      const std::string& path) {
  if (!v.is_array()) return std::nullopt;
  const auto& items = v.as_array();
  if (const Value* max = schema.find("maxItems");
      max != nullptr && max->is_int() && items.size() > static_cast<std::size_t>(max->as_int())) {
    return Broken(path, "more than " + json::Dump(*max) + " items");
  }
  if (const Value* min = schema.find("minItems");
      min != nullptr && min->is_int() && items.size() < static_cast<std::size_t>(min->as_int())) {
    return Broken(path, "fewer than " + json::Dump(*min) + " items");
  }
  const Value* item_schema = schema.find("items");
  if (item_schema == nullptr) return std::nullopt;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (auto broken =
            SchemaViolation(*item_schema, items[i], path + "[" + std::to_string(i) + "]")) {
      return broken;
    }
  }
  return std::nullopt;
}

std::optional<std::string> CheckObject(const Value& schema, const Value& v,
                                       const std::string& path) {
  if (!v.is_object()) return std::nullopt;
  const Value* properties = schema.find("properties");
  const Value* additional = schema.find("additionalProperties");
  for (const auto& [key, child] : v.as_object()) {
    const std::string child_path = path.empty() ? key : path + "." + key;
    const Value* child_schema = properties != nullptr ? properties->find(key) : nullptr;
    if (child_schema == nullptr && additional != nullptr && additional->is_object()) {
      child_schema = additional;
    }
    if (child_schema != nullptr) {
      if (auto broken = SchemaViolation(*child_schema, child, child_path)) return broken;
    }
  }
  if (const Value* required = schema.find("required");
      required != nullptr && required->is_array()) {
    for (const auto& name : required->as_array()) {
      if (name.is_string() && v.find(name.as_string()) == nullptr) {
        return Broken(path, "misses the required field " + name.as_string());
      }
    }
  }
  return std::nullopt;
}

}  // namespace

json::Value LoadCrdSchema(const std::string& crd_path) {
  std::ifstream in(crd_path);
  std::stringstream text;
  text << in.rdbuf();
  const json::Value crd = yaml::ParseOne(text.str());
  const json::Value* versions = json::At(crd, {"spec", "versions"});
  if (versions == nullptr || !versions->is_array() || versions->as_array().empty()) {
    throw std::runtime_error(crd_path + ": no spec.versions");
  }
  const json::Value* schema = json::At(versions->as_array()[0], {"schema", "openAPIV3Schema"});
  if (schema == nullptr) {
    throw std::runtime_error(crd_path + ": no openAPIV3Schema");
  }
  return *schema;
}

void PruneNulls(const json::Value& schema, json::Value& value) {
  if (value.is_array()) {
    if (const Value* items = schema.find("items"); items != nullptr && items->is_object()) {
      for (auto& item : value.as_array()) PruneNulls(*items, item);
    }
    return;
  }
  if (!value.is_object()) return;
  const Value* properties = schema.find("properties");
  const Value* additional = schema.find("additionalProperties");
  auto& fields = value.as_object();
  for (auto it = fields.begin(); it != fields.end();) {
    const Value* child = properties != nullptr ? properties->find(it->first) : nullptr;
    if (child == nullptr && additional != nullptr && additional->is_object()) child = additional;
    if (child == nullptr) {  // not in the schema: the API server prunes the field itself
      ++it;
      continue;
    }
    const Value* nullable = child->find("nullable");
    const bool keeps_null = (nullable != nullptr && nullable->is_bool() && nullable->as_bool()) ||
                            child->find("default") != nullptr;
    if (it->second.is_null() && !keeps_null) {
      it = fields.erase(it);
      continue;
    }
    PruneNulls(*child, it->second);
    ++it;
  }
}

std::optional<std::string> SchemaViolation(const json::Value& schema, const json::Value& value,
                                           const std::string& path) {
  if (auto broken = CheckType(schema, value, path)) return broken;
  if (value.is_null()) return std::nullopt;
  if (const Value* any_of = schema.find("anyOf"); any_of != nullptr && any_of->is_array()) {
    bool one = false;
    for (const auto& branch : any_of->as_array()) {
      one = one || !SchemaViolation(branch, value, path).has_value();
    }
    if (!one) return Broken(path, "matches none of anyOf " + json::Dump(*any_of));
  }
  for (auto check : {CheckEnum, CheckNumber, CheckString, CheckArray, CheckObject}) {
    if (auto broken = check(schema, value, path)) return broken;
  }
  return std::nullopt;
}

}  // namespace spyt::fuzz
