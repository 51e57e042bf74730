#include "cli/flags.h"

#include <boost/program_options.hpp>
#include <iostream>

namespace spyt::cli {

bool ParseFlags(const std::vector<std::string>& args,
                const boost::program_options::options_description& desc) {
  namespace po = boost::program_options;
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(desc).run(), vm);
  if (vm.count("help") != 0) {
    std::cout << desc << "\n";
    return false;
  }
  po::notify(vm);
  return true;
}

}  // namespace spyt::cli
