#include "common/json.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

#include "common/utf8.h"

namespace spyt::json {

ParseError::ParseError(const std::string& what, int line, int column)
    : std::runtime_error("JSON parse error at line " + std::to_string(line) + ", column " +
                         std::to_string(column) + ": " + what),
      line_(line),
      column_(column) {}

const char* KindName(Value::Kind kind) {
  switch (kind) {
    case Value::Kind::kNull:
      return "null";
    case Value::Kind::kBool:
      return "boolean";
    case Value::Kind::kInt:
      return "integer";
    case Value::Kind::kDouble:
      return "number";
    case Value::Kind::kString:
      return "string";
    case Value::Kind::kArray:
      return "array";
    case Value::Kind::kObject:
      return "object";
  }
  return "unknown";
}

namespace {

[[noreturn]] void Mismatch(Value::Kind want, Value::Kind have) {
  throw std::logic_error(std::string("json: expected ") + KindName(want) + ", have " +
                         KindName(have));
}

}  // namespace

bool Value::as_bool() const {
  if (!is_bool()) Mismatch(Kind::kBool, kind());
  return std::get<bool>(data_);
}

std::int64_t Value::as_int() const {
  if (!is_int()) Mismatch(Kind::kInt, kind());
  return std::get<std::int64_t>(data_);
}

double Value::as_double() const {
  if (is_int()) return static_cast<double>(std::get<std::int64_t>(data_));
  if (kind() != Kind::kDouble) Mismatch(Kind::kDouble, kind());
  return std::get<double>(data_);
}

const std::string& Value::as_string() const {
  if (!is_string()) Mismatch(Kind::kString, kind());
  return std::get<std::string>(data_);
}

const Array& Value::as_array() const {
  if (!is_array()) Mismatch(Kind::kArray, kind());
  return std::get<Array>(data_);
}

Array& Value::as_array() {
  if (!is_array()) Mismatch(Kind::kArray, kind());
  return std::get<Array>(data_);
}

const Object& Value::as_object() const {
  if (!is_object()) Mismatch(Kind::kObject, kind());
  return std::get<Object>(data_);
}

Object& Value::as_object() {
  if (!is_object()) Mismatch(Kind::kObject, kind());
  return std::get<Object>(data_);
}

const Value* At(const Value& value, std::initializer_list<std::string_view> path) {
  const Value* v = &value;
  for (std::string_view key : path) {
    v = v->find(key);
    if (v == nullptr) return nullptr;
  }
  return v;
}

std::string StringAt(const Value& value, std::initializer_list<std::string_view> path) {
  const Value* v = At(value, path);
  return v != nullptr && v->is_string() ? v->as_string() : std::string();
}

std::int64_t IntAt(const Value& value, std::initializer_list<std::string_view> path,
                   std::int64_t fallback) {
  const Value* v = At(value, path);
  return v != nullptr && v->is_int() ? v->as_int() : fallback;
}

const Value* Value::find(std::string_view key) const {
  if (!is_object()) return nullptr;
  const auto& obj = std::get<Object>(data_);
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &it->second;
}

Value* Value::find(std::string_view key) {
  if (!is_object()) return nullptr;
  auto& obj = std::get<Object>(data_);
  auto it = obj.find(key);
  return it == obj.end() ? nullptr : &it->second;
}

Value& Value::operator[](std::string_view key) {
  if (is_null()) data_ = Object{};
  auto& obj = as_object();
  auto it = obj.find(key);
  if (it == obj.end()) it = obj.emplace(std::string(key), Value()).first;
  return it->second;
}

namespace {

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  Value ParseDocument() {
    SkipSpace();
    Value v = ParseValue(0);
    SkipSpace();
    if (pos_ != text_.size()) Fail("unexpected trailing characters");
    return v;
  }

 private:
  static constexpr int kMaxDepth = 256;

  [[noreturn]] void Fail(const std::string& what) const {
    int line = 1, column = 1;
    for (std::size_t i = 0; i < pos_ && i < text_.size(); ++i) {
      if (text_[i] == '\n') {
        ++line;
        column = 1;
      } else {
        ++column;
      }
    }
    throw ParseError(what, line, column);
  }

  bool AtEnd() const { return pos_ >= text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

  void SkipSpace() {
    while (!AtEnd() && (Peek() == ' ' || Peek() == '\t' || Peek() == '\n' || Peek() == '\r')) {
      ++pos_;
    }
  }

  void Expect(char c) {
    if (Peek() != c) Fail(std::string("expected '") + c + "'");
    ++pos_;
  }

  void ExpectWord(std::string_view word) {
    if (text_.substr(pos_, word.size()) != word) Fail("invalid literal");
    pos_ += word.size();
  }

  Value ParseValue(int depth) {
    if (depth > kMaxDepth) Fail("document nested too deeply");
    switch (Peek()) {
      case '{':
        return ParseObject(depth);
      case '[':
        return ParseArray(depth);
      case '"':
        return Value(ParseString());
      case 't':
        ExpectWord("true");
        return Value(true);
      case 'f':
        ExpectWord("false");
        return Value(false);
      case 'n':
        ExpectWord("null");
        return Value();
      default:
        return ParseNumber();
    }
  }

  Value ParseObject(int depth) {
    Expect('{');
    Object obj;
    SkipSpace();
    if (Peek() == '}') {
      ++pos_;
      return Value(std::move(obj));
    }
    while (true) {
      SkipSpace();
      if (Peek() != '"') Fail("expected a string key");
      std::string key = ParseString();
      SkipSpace();
      Expect(':');
      SkipSpace();
      obj.insert_or_assign(std::move(key), ParseValue(depth + 1));
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      Expect('}');
      return Value(std::move(obj));
    }
  }

  Value ParseArray(int depth) {
    Expect('[');
    Array arr;
    SkipSpace();
    if (Peek() == ']') {
      ++pos_;
      return Value(std::move(arr));
    }
    while (true) {
      SkipSpace();
      arr.push_back(ParseValue(depth + 1));
      SkipSpace();
      if (Peek() == ',') {
        ++pos_;
        continue;
      }
      Expect(']');
      return Value(std::move(arr));
    }
  }

  unsigned ParseHex4() {
    if (pos_ + 4 > text_.size()) Fail("truncated \\u escape");
    unsigned cp = 0;
    for (int i = 0; i < 4; ++i) {
      char c = text_[pos_++];
      cp <<= 4;
      if (c >= '0' && c <= '9') {
        cp |= static_cast<unsigned>(c - '0');
      } else if (c >= 'a' && c <= 'f') {
        cp |= static_cast<unsigned>(c - 'a' + 10);
      } else if (c >= 'A' && c <= 'F') {
        cp |= static_cast<unsigned>(c - 'A' + 10);
      } else {
        Fail("bad hex digit in \\u escape");
      }
    }
    return cp;
  }

  std::string ParseString() {
    Expect('"');
    std::string out;
    while (true) {
      if (AtEnd()) Fail("unterminated string");
      char c = text_[pos_++];
      if (c == '"') return out;
      if (static_cast<unsigned char>(c) < 0x20) Fail("control character in string");
      if (static_cast<unsigned char>(c) >= 0x80) {
        const std::size_t from = --pos_;
        if (!utf8::Next(text_, pos_)) Fail("invalid UTF-8 in string");
        out.append(text_.substr(from, pos_ - from));
        continue;
      }
      if (c != '\\') {
        out += c;
        continue;
      }
      if (AtEnd()) Fail("unterminated escape");
      char e = text_[pos_++];
      switch (e) {
        case '"':
        case '\\':
        case '/':
          out += e;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          unsigned cp = ParseHex4();
          if (cp >= 0xD800 && cp < 0xDC00) {
            if (text_.substr(pos_, 2) != "\\u") Fail("unpaired surrogate");
            pos_ += 2;
            unsigned low = ParseHex4();
            if (low < 0xDC00 || low >= 0xE000) Fail("bad low surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          } else if (cp >= 0xDC00 && cp < 0xE000) {
            Fail("unpaired surrogate");
          }
          utf8::Append(out, cp);
          break;
        }
        default:
          Fail("unknown escape");
      }
    }
  }

  Value ParseNumber() {
    std::size_t start = pos_;
    if (Peek() == '-') ++pos_;
    if (!std::isdigit(static_cast<unsigned char>(Peek()))) Fail("unexpected character");
    bool is_float = false;
    while (!AtEnd()) {
      char c = Peek();
      if (std::isdigit(static_cast<unsigned char>(c))) {
        ++pos_;
      } else if (c == '.' || c == 'e' || c == 'E' || c == '+' || c == '-') {
        is_float = true;
        ++pos_;
      } else {
        break;
      }
    }
    std::string_view num = text_.substr(start, pos_ - start);
    if (!is_float) {
      std::int64_t i = 0;
      auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), i);
      if (ec == std::errc() && p == num.data() + num.size()) return Value(i);
    }
    double d = 0;
    auto [p, ec] = std::from_chars(num.data(), num.data() + num.size(), d);
    if (ec != std::errc() || p != num.data() + num.size()) {
      pos_ = start;
      Fail("malformed number");
    }
    return Value(d);
  }

  std::string_view text_;
  std::size_t pos_ = 0;
};

// Writes valid UTF-8 whatever the string holds: a byte that does not start a valid
// sequence becomes U+FFFD (a string that Parse made is always valid).
void DumpString(std::string& out, const std::string& s) {
  if (utf8::FirstInvalid(s)) {
    DumpString(out, utf8::Coerce(s));
    return;
  }
  out += '"';
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof(buf), "\\u%04x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
}

void DumpDouble(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out += "null";  // JSON has no NaN or infinity
    return;
  }
  char buf[32];
  auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), d);
  std::string_view s(buf, static_cast<std::size_t>(p - buf));
  out += s;
  if (s.find_first_of(".eE") == std::string_view::npos) out += ".0";
}

void DumpValue(std::string& out, const Value& v, int indent, int level) {
  auto newline = [&](int lvl) {
    if (indent < 0) return;
    out += '\n';
    out.append(static_cast<std::size_t>(indent * lvl), ' ');
  };
  switch (v.kind()) {
    case Value::Kind::kNull:
      out += "null";
      return;
    case Value::Kind::kBool:
      out += v.as_bool() ? "true" : "false";
      return;
    case Value::Kind::kInt:
      out += std::to_string(v.as_int());
      return;
    case Value::Kind::kDouble:
      DumpDouble(out, v.as_double());
      return;
    case Value::Kind::kString:
      DumpString(out, v.as_string());
      return;
    case Value::Kind::kArray: {
      const auto& arr = v.as_array();
      out += '[';
      for (std::size_t i = 0; i < arr.size(); ++i) {
        if (i > 0) out += ',';
        newline(level + 1);
        DumpValue(out, arr[i], indent, level + 1);
      }
      if (!arr.empty()) newline(level);
      out += ']';
      return;
    }
    case Value::Kind::kObject: {
      const auto& obj = v.as_object();
      out += '{';
      bool first = true;
      for (const auto& [key, child] : obj) {
        if (!first) out += ',';
        first = false;
        newline(level + 1);
        DumpString(out, key);
        out += indent < 0 ? ":" : ": ";
        DumpValue(out, child, indent, level + 1);
      }
      if (!obj.empty()) newline(level);
      out += '}';
      return;
    }
  }
}

}  // namespace

Value Parse(std::string_view text) { return Parser(text).ParseDocument(); }

std::string Dump(const Value& value, int indent) {
  std::string out;
  DumpValue(out, value, indent, 0);
  return out;
}

}  // namespace spyt::json
