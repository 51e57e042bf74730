#pragma once

// Command-line parsing shared by the subcommands (boost::program_options).

#include <boost/program_options/options_description.hpp>
#include <string>
#include <vector>

namespace spyt::cli {

// Parses `args` into the variables `desc` binds. With --help prints `desc` to stdout
// and returns false (the command then exits 0); otherwise returns true. Throws
// boost::program_options::error for unknown or malformed flags.
bool ParseFlags(const std::vector<std::string>& args,
                const boost::program_options::options_description& desc);

}  // namespace spyt::cli
