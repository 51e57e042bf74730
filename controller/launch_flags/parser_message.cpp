#include "launch_flags/parser_message.h"

#include <boost/program_options/errors.hpp>
#include <map>
#include <utility>

namespace spyt::launcher {

namespace {

namespace po = boost::program_options;

// Reads the parts of an error that Boost keeps protected (through pointers to
// members, which a derived class may form).
struct ErrorParts : po::error_with_option_name {
  static const std::map<std::string, std::string>& Values(const po::error_with_option_name& e) {
    return e.*(&ErrorParts::m_substitutions);
  }
  static const std::map<std::string, string_pair>& Defaults(const po::error_with_option_name& e) {
    return e.*(&ErrorParts::m_substitution_defaults);
  }
  static std::string Prefix(const po::error_with_option_name& e) {
    return (e.*(&ErrorParts::get_canonical_option_prefix))();
  }
};

// Every occurrence of `from` in `text` replaced by `to`, left to right, in one pass
// (Boost's own replacement searches again from the start after each one).
std::string ReplaceOnce(const std::string& text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  std::string out;
  std::size_t at = 0;
  for (std::size_t hit = text.find(from); hit != std::string::npos; hit = text.find(from, at)) {
    out.append(text, at, hit - at).append(to);
    at = hit + from.size();
  }
  return out.append(text, at);
}

std::string Format(const po::error_with_option_name& e) {
  std::map<std::string, std::string> values = ErrorParts::Values(e);
  values["canonical_option"] = e.get_option_name();
  values["prefix"] = ErrorParts::Prefix(e);
  std::string text = e.m_error_template;
  // A parameter with no value has its phrase replaced by a shorter wording first
  // ("the argument ('%value%')" becomes "the argument"), as Boost does.
  for (const auto& [name, wording] : ErrorParts::Defaults(e)) {
    auto it = values.find(name);
    if (it == values.end() || it->second.empty()) {
      text = ReplaceOnce(text, wording.first, wording.second);
    }
  }
  // Then each %name% of the template by its value, in one scan.
  std::string out;
  std::size_t at = 0;
  for (;;) {
    const std::size_t open = text.find('%', at);
    const std::size_t close = open == std::string::npos ? open : text.find('%', open + 1);
    if (close == std::string::npos) break;
    auto it = values.find(text.substr(open + 1, close - open - 1));
    if (it == values.end()) {  // not a placeholder: keep it; its closing '%' may open one
      out.append(text, at, close - at);
      at = close;
      continue;
    }
    out.append(text, at, open - at).append(it->second);
    at = close + 1;
  }
  return out.append(text, at);
}

}  // namespace

std::string FlagParserMessage(const std::exception& e) {
  if (const auto* named = dynamic_cast<const po::error_with_option_name*>(&e)) {
    return Format(*named);
  }
  return e.what();
}

}  // namespace spyt::launcher
