#include "launch_flags/parser_message.h"

#include <doctest/doctest.h>

#include <boost/program_options.hpp>
#include <stdexcept>

#include "launch_flags/flags.h"
#include "launcher/fixtures.h"

namespace spyt::launcher {
namespace {

namespace po = boost::program_options;
using testing::Args;
using testing::With;

// Parses `args` with Boost against one switch (--on) and one flag with a value (--name);
// the parser's exception, or nullptr when they parse.
std::exception_ptr ParserError(const Args& args) {
  po::options_description flags;
  flags.add_options()("on", po::bool_switch())("name", po::value<std::string>());
  try {
    po::variables_map vm;
    po::store(po::command_line_parser(args).options(flags).run(), vm);
    po::notify(vm);
  } catch (const po::error&) {
    return std::current_exception();
  }
  return nullptr;
}

// FlagParserMessage of the error of parsing `args`; with `boost_too`, also Boost's own
// what() (which never returns for some inputs: see below).
std::pair<std::string, std::string> Messages(const Args& args, bool boost_too = false) {
  std::exception_ptr error = ParserError(args);
  REQUIRE(error != nullptr);
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    return {FlagParserMessage(e), boost_too ? e.what() : ""};
  }
}

}  // namespace

TEST_SUITE("launch_flags parser_message") {
  TEST_CASE("ordinary errors read as Boost writes them") {
    const std::vector<Args> cases = {
        {"--nope"},                      // unrecognised option
        {"--name"},                      // its value missing
        {"--on=yes"},                    // a switch given a value
        {"--name", "a", "--name", "b"},  // given twice
        {"-x"},                          // an unknown short option
    };
    for (const auto& args : cases) {
      CAPTURE(testing::Joined(args));
      auto [ours, boost] = Messages(args, true);
      CHECK(ours == boost);
      CHECK_FALSE(ours.empty());
    }
  }

  // Boost's what() never returns on these: each substitutes a placeholder with text that
  // holds the same placeholder, again and again.
  TEST_CASE("a flag whose text holds a placeholder is named as given, once") {
    CHECK(Messages({"--a%canonical_option%"}).first ==
          "unrecognised option '--a%canonical_option%'");
    CHECK(Messages({"--%original_token%"}).first == "unrecognised option '--%original_token%'");
    CHECK(Messages({"--on=%value%%prefix%"}).first == "option '--on' does not take any arguments");
    CHECK(Messages({"--name", "1", "--name=%option%"}).first ==
          "option '--name' cannot be specified more than once");
    CHECK(Messages({"-%"}).first == "unrecognised option '-%'");
  }

  TEST_CASE("the launcher's FlagError for such a flag") {
    CHECK(testing::FlagErrorOf(With(testing::MasterArgs(), {"--maste%canonical_option%r", "x"})) ==
          "unrecognised option '--maste%canonical_option%r'");
  }

  TEST_CASE("other exceptions keep their message") {
    CHECK(FlagParserMessage(std::runtime_error("%canonical_option%")) == "%canonical_option%");
    CHECK(FlagParserMessage(po::error("no manifest files given")) == "no manifest files given");
  }
}

}  // namespace spyt::launcher
