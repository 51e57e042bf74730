#include "launch_flags/flags.h"

#include <boost/program_options.hpp>
#include <sstream>

#include "launch_flags/flag_table.h"
#include "launch_flags/parser_message.h"

namespace spyt::launcher {
namespace {

namespace po = boost::program_options;

constexpr const char* kRoles[] = {"master", "worker", "history", "livy"};

Role ParseRole(const std::string& name) {
  if (name == "master") return Role::kMaster;
  if (name == "worker") return Role::kWorker;
  if (name == "history") return Role::kHistory;
  if (name == "livy") return Role::kLivy;
  throw FlagError("unknown role \"" + name + "\": expected master, worker, history or livy");
}

// Adds the options of `role`: its own flags, then those of every role (from the table).
void AddOptions(Role role, po::options_description& into) {
  po::options_description own(std::string("Flags of ") + RoleName(role));
  po::options_description every("Flags of every role");
  every.add_options()("help,h", "show this help");
  for (const detail::FlagRow& row : detail::FlagTable()) {
    if (!row.TakenBy(role)) continue;
    po::options_description& group = row.EveryRole() ? every : own;
    if (row.is_switch) {
      group.add_options()(row.name.c_str(), po::bool_switch(), row.help.c_str());
    } else {
      // Values are read as text and converted after parsing, so that every message
      // has the same "--flag: ..." shape.
      auto* value = po::value<std::string>();
      if (row.required) value->required();
      group.add_options()(row.name.c_str(), value, row.help.c_str());
    }
  }
  into.add(own).add(every);
}

void Fill(const po::variables_map& vm, Flags& f) {
  for (const detail::FlagRow& row : detail::FlagTable()) {
    if (!row.TakenBy(f.role)) continue;
    auto it = vm.find(row.name);
    if (row.is_switch) {
      if (it != vm.end() && it->second.as<bool>()) row.read("", f);
    } else if (it != vm.end()) {
      row.read(it->second.as<std::string>(), f);
    } else if (row.fallback) {
      row.read(*row.fallback, f);
    }
  }
}

}  // namespace

const char* RoleName(Role role) { return kRoles[static_cast<int>(role)]; }

MasterAddress MasterAt(const std::string& host, int port) {
  return MasterAddress{"spark://" + host + ":" + std::to_string(port), host, port};
}

std::string Usage() {
  std::ostringstream out;
  out << "Usage: spyt-launcher ROLE [flags]\n\n"
         "Prepares the configuration of a SPYT daemon and runs it in the foreground,\n"
         "forwarding SIGTERM and SIGINT and exiting with its status.\n\n"
         "Roles: master, worker, history, livy.\n"
         "Run 'spyt-launcher ROLE --help' for a role's flags.\n";
  return out.str();
}

Flags ParseFlags(const std::vector<std::string>& args) {
  if (args.empty()) throw FlagError("missing role: expected master, worker, history or livy");
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") throw HelpRequested(Usage());
  Flags f;
  f.role = ParseRole(args[0]);

  po::options_description visible("Usage: spyt-launcher " + std::string(RoleName(f.role)) +
                                  " [flags]");
  AddOptions(f.role, visible);
  po::options_description all;
  all.add(visible);
  all.add_options()("unexpected-argument", po::value<std::vector<std::string>>());
  po::positional_options_description positional;
  positional.add("unexpected-argument", -1);

  po::variables_map vm;
  const std::vector<std::string> rest(args.begin() + 1, args.end());
  try {
    // No abbreviations: "--por" must not quietly mean "--port".
    const int style =
        po::command_line_style::default_style & ~po::command_line_style::allow_guessing;
    po::store(po::command_line_parser(rest).options(all).positional(positional).style(style).run(),
              vm);
    if (vm.count("help") != 0) {
      std::ostringstream usage;
      usage << visible;
      throw HelpRequested(usage.str());
    }
    po::notify(vm);
  } catch (const po::error& e) {
    throw FlagError(FlagParserMessage(e));
  }
  if (vm.count("unexpected-argument") != 0) {
    throw FlagError("unexpected argument \"" +
                    vm["unexpected-argument"].as<std::vector<std::string>>().front() +
                    "\": every value follows its --flag");
  }

  Fill(vm, f);
  return f;
}

}  // namespace spyt::launcher
