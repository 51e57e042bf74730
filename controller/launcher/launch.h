#pragma once

// spyt-launcher from arguments to exit code: parse the flags, resolve their
// defaults, write the configuration under the work dir, wait for the master
// (worker, livy), then run the daemon in the foreground (process.h).
//
// Exit codes: the daemon's (128 + signal when a signal killed it; a JVM ends
// by SIGTERM exits 143 itself); 2 for bad flags; 1 when the launcher fails on
// its own (a file cannot be written, the master never came, the JVM cannot be
// executed); 128 + signal when stopped while waiting for the master.

#include <ostream>
#include <string>
#include <vector>

#include "launcher/context.h"

namespace spyt::launcher {

// `args` are the arguments after the program name; `out` gets --help and
// --dry-run output, `err` the flag errors. The launcher's own log goes to
// stderr through common/log.h.
int RunLauncher(const std::vector<std::string>& args, const Environment& env, std::ostream& out,
                std::ostream& err);

}  // namespace spyt::launcher
