#include "kube/request_path.h"

namespace spyt::kube {

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char ch : text) {
    auto c = static_cast<unsigned char>(ch);
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                      c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string ResourcePath(const Resource& resource, const std::string& ns, const std::string& name,
                         const std::string& subresource) {
  std::string path = resource.BasePath();
  if (resource.namespaced && !ns.empty()) {
    path += "/namespaces/" + UrlEncode(ns);
  }
  path += "/" + resource.plural;
  if (!name.empty()) {
    path += "/" + UrlEncode(name);
    if (!subresource.empty()) {
      path += "/" + UrlEncode(subresource);
    }
  }
  return path;
}

Query& Query::Add(std::string key, std::string value) {
  params_.emplace_back(std::move(key), std::move(value));
  return *this;
}

Query& Query::AddIfSet(std::string key, const std::string& value) {
  if (!value.empty()) {
    Add(std::move(key), value);
  }
  return *this;
}

std::string Query::Encode() const {
  std::string out;
  for (const auto& [key, value] : params_) {
    out += out.empty() ? '?' : '&';
    out += UrlEncode(key);
    out += '=';
    out += UrlEncode(value);
  }
  return out;
}

}  // namespace spyt::kube
