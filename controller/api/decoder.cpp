#include "api/decoder.h"

namespace spyt::api::detail {

ObjectReader::ObjectReader(const json::Value* value, std::string path, FieldErrors& errors)
    : value_(value != nullptr && value->is_object() ? value : nullptr),
      path_(std::move(path)),
      errors_(errors) {}

void ObjectReader::AddError(FieldError::Type type, std::string path, std::string value,
                            std::string detail) {
  errors_.push_back({type, std::move(path), std::move(value), std::move(detail)});
}

bool ObjectReader::Has(const std::string& key) const {
  const json::Value* v = value_ ? value_->find(key) : nullptr;
  return v != nullptr && !v->is_null();
}

void ObjectReader::RejectUnknown() {
  if (value_ == nullptr || allow_unknown_) return;
  for (const auto& [key, child] : value_->as_object()) {
    if (seen_.count(key) == 0) {
      AddError(FieldError::Type::kUnknown, Child(key), "", "field not declared in schema");
    }
  }
}

const json::Value* ObjectReader::Get(const std::string& key, bool required) {
  seen_.insert(key);
  const json::Value* v = value_ ? value_->find(key) : nullptr;
  if (v == nullptr || v->is_null()) {
    if (required) AddError(FieldError::Type::kRequired, Child(key), "", "");
    return nullptr;
  }
  return v;
}

void ObjectReader::WrongType(const std::string& key, const char* want) {
  const json::Value* v = value_->find(key);
  AddError(FieldError::Type::kTypeInvalid, Child(key), json::KindName(v->kind()),
           std::string("must be of type ") + want);
}

std::optional<std::string> ObjectReader::String(const std::string& key, bool required) {
  const json::Value* v = Get(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) {
    WrongType(key, "string");
    return std::nullopt;
  }
  return v->as_string();
}

std::optional<std::int64_t> ObjectReader::Int(const std::string& key, bool required) {
  const json::Value* v = Get(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_int()) {
    WrongType(key, "integer");
    return std::nullopt;
  }
  return v->as_int();
}

std::optional<bool> ObjectReader::Bool(const std::string& key, bool required) {
  const json::Value* v = Get(key, required);
  if (v == nullptr) return std::nullopt;
  if (!v->is_bool()) {
    WrongType(key, "boolean");
    return std::nullopt;
  }
  return v->as_bool();
}

std::optional<std::string> ObjectReader::IntOrString(const std::string& key, bool required) {
  const json::Value* v = Get(key, required);
  if (v == nullptr) return std::nullopt;
  if (v->is_int()) return std::to_string(v->as_int());
  if (!v->is_string()) {
    WrongType(key, "string");
    return std::nullopt;
  }
  return v->as_string();
}

std::map<std::string, std::string> ObjectReader::StringMap(const std::string& key) {
  std::map<std::string, std::string> out;
  const json::Value* v = Raw(key, json::Value::Kind::kObject);
  if (v == nullptr) return out;
  for (const auto& [k, item] : v->as_object()) {
    if (!item.is_string()) {
      AddError(FieldError::Type::kTypeInvalid, Child(key) + "." + k, json::KindName(item.kind()),
               "must be of type string");
      continue;
    }
    out.emplace(k, item.as_string());
  }
  return out;
}

std::vector<std::string> ObjectReader::StringList(const std::string& key) {
  std::vector<std::string> out;
  const json::Value* v = Raw(key, json::Value::Kind::kArray);
  if (v == nullptr) return out;
  const auto& arr = v->as_array();
  for (std::size_t i = 0; i < arr.size(); ++i) {
    if (!arr[i].is_string()) {
      AddError(FieldError::Type::kTypeInvalid, Child(key) + "[" + std::to_string(i) + "]",
               json::KindName(arr[i].kind()), "must be of type string");
      continue;
    }
    out.push_back(arr[i].as_string());
  }
  return out;
}

const json::Value* ObjectReader::Raw(const std::string& key, json::Value::Kind kind) {
  const json::Value* v = Get(key, false);
  if (v == nullptr) return nullptr;
  if (v->kind() != kind) {
    WrongType(key, json::KindName(kind));
    return nullptr;
  }
  return v;
}

ObjectReader ObjectReader::Object(const std::string& key, bool required) {
  const json::Value* v = Get(key, required);
  if (v != nullptr && !v->is_object()) {
    WrongType(key, "object");
    v = nullptr;
  }
  return ObjectReader(v, Child(key), errors_);
}

}  // namespace spyt::api::detail
