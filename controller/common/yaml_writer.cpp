// yaml::Dump: block-style YAML written directly from json::Value. Not yaml-cpp's
// emitter, which writes some strings so that they do not read back: DEL raw inside
// double quotes, and U+FFFE, U+FFFF and the other noncharacters as U+FFFD.

#include <cstdio>
#include <string>
#include <string_view>

#include "common/utf8.h"
#include "common/yaml.h"
#include "common/yaml_scalar.h"

namespace spyt::yaml {
namespace {

bool Contains(std::string_view s, std::string_view what) {
  return s.find(what) != std::string_view::npos;
}

// Whether s reads back as itself written plain, in block context: YAML 1.2's rules for
// a plain scalar, kept narrower where readers differ (YAML 1.1 line breaks such as NEL
// and U+2028, a byte order mark, document markers).
bool CanBePlain(const std::string& s) {
  if (s.empty() || !ResolvePlain(s).is_string()) return false;
  static constexpr std::string_view kIndicators = ",[]{}#&*!|>'\"%@`";
  const char first = s.front();
  if (first == ' ' || kIndicators.find(first) != std::string_view::npos) return false;
  if ((first == '-' || first == '?' || first == ':') && (s.size() == 1 || s[1] == ' ')) {
    return false;
  }
  if (s.starts_with("---") || s.starts_with("...")) return false;
  if (s.back() == ' ' || s.back() == ':') return false;
  if (Contains(s, ": ") || Contains(s, " #")) return false;
  for (std::size_t i = 0; i < s.size();) {
    const auto cp = utf8::Next(s, i);
    if (!cp) return false;
    if (*cp < 0x80 ? (*cp < 0x20 || *cp == 0x7F)
                   : (*cp < 0xA0 || *cp == 0xFEFF || *cp == 0x2028 || *cp == 0x2029 ||
                      !IsPrintable(*cp))) {
      return false;
    }
  }
  return true;
}

void AppendEscape(std::string& out, const char* format, char32_t cp) {
  char buf[16];
  std::snprintf(buf, sizeof(buf), format, static_cast<unsigned>(cp));
  out += buf;
}

// A double-quoted scalar: escapes for everything YAML text may not carry raw, and for
// what readers take as line breaks; U+FFFD for bytes that are not UTF-8.
void AppendQuoted(std::string& out, const std::string& raw) {
  const std::string s = utf8::FirstInvalid(raw) ? utf8::Coerce(raw) : raw;
  out += '"';
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t from = i;
    const char32_t cp = *utf8::Next(s, i);
    switch (cp) {
      case '"':
        out += "\\\"";
        continue;
      case '\\':
        out += "\\\\";
        continue;
      case '\n':
        out += "\\n";
        continue;
      case '\t':
        out += "\\t";
        continue;
      case '\r':
        out += "\\r";
        continue;
      case '\b':
        out += "\\b";
        continue;
      case 0:
        out += "\\0";
        continue;
      default:
        break;
    }
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0)) {
      AppendEscape(out, "\\x%02x", cp);
    } else if (cp == 0xFEFF || cp == 0x2028 || cp == 0x2029 || !IsPrintable(cp)) {
      AppendEscape(out, "\\u%04x", cp);
    } else {
      out.append(s, from, i - from);
    }
  }
  out += '"';
}

void AppendString(std::string& out, const std::string& s) {
  if (CanBePlain(s)) {
    out += s;
  } else {
    AppendQuoted(out, s);
  }
}

bool IsBlock(const json::Value& v) {
  return (v.is_object() && !v.as_object().empty()) || (v.is_array() && !v.as_array().empty());
}

// A scalar, or an empty collection in flow style.
void AppendScalar(std::string& out, const json::Value& v) {
  switch (v.kind()) {
    case json::Value::Kind::kNull:
      out += '~';
      return;
    case json::Value::Kind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case json::Value::Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case json::Value::Kind::kDouble:
      out += json::Dump(v);
      return;
    case json::Value::Kind::kString:
      AppendString(out, v.as_string());
      return;
    case json::Value::Kind::kArray:
      out += "[]";
      return;
    case json::Value::Kind::kObject:
      out += "{}";
      return;
  }
}

void AppendBlock(std::string& out, const json::Value& v, int indent, bool inline_first);

// What follows "key:" or "-": a scalar on the same line, or a block on the next lines
// indented by two more spaces (a sequence's item starts right after its "- ").
void AppendAfter(std::string& out, const json::Value& v, int indent, bool after_dash) {
  if (!IsBlock(v)) {
    out += ' ';
    AppendScalar(out, v);
    out += '\n';
  } else if (after_dash) {
    out += ' ';
    AppendBlock(out, v, indent + 2, true);
  } else {
    out += '\n';
    AppendBlock(out, v, indent + 2, false);
  }
}

// A non-empty mapping or sequence at the given indent; with inline_first, its first
// line continues the current one.
void AppendBlock(std::string& out, const json::Value& v, int indent, bool inline_first) {
  bool first = true;
  auto start_line = [&] {
    if (!(first && inline_first)) out.append(static_cast<std::size_t>(indent), ' ');
    first = false;
  };
  if (v.is_object()) {
    for (const auto& [key, child] : v.as_object()) {
      start_line();
      AppendString(out, key);
      out += ':';
      AppendAfter(out, child, indent, false);
    }
  } else {
    for (const auto& item : v.as_array()) {
      start_line();
      out += '-';
      AppendAfter(out, item, indent, true);
    }
  }
}

}  // namespace

std::string Dump(const json::Value& value) {
  std::string out;
  if (IsBlock(value)) {
    AppendBlock(out, value, 0, false);
  } else {
    AppendScalar(out, value);
    out += '\n';
  }
  return out;
}

}  // namespace spyt::yaml
