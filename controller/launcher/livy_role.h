#pragma once

// The livy role: the launcher itself serves Livy's REST API (livy_server/),
// with the rules SPYT gives Livy through its flags: --livy-max-sessions is the
// limit, --livy-session-timeout the idle timeout, --livy-driver-cores and
// --livy-driver-memory what each session's driver gets (the container is sized
// for that many of them). Session drivers and batches run in client mode
// against --master, inside this container. Sessions, statements and batches
// are kept in --state-dir, so a restarted launcher serves them again and
// re-attaches to the drivers, which outlive it (up to the session timeout).

#include <chrono>
#include <string>

#include "launcher/context.h"
#include "livy_server/batch_process.h"
#include "livy_server/host_driver.h"
#include "livy_server/server.h"

namespace spyt::launcher {

// Pure: the server's and the drivers' settings from the context.
livy_server::ServerConfig LivyServerConfig(const LaunchContext& ctx);
livy_server::HostDriverConfig LivyDriverConfig(const LaunchContext& ctx);

// How long a driver whose server is gone waits for one to come back before it
// ends itself: the session timeout (10 minutes when sessions never time out).
std::chrono::seconds DriverOrphanTimeout(const Flags& f);

// --state-dir, else <work dir>/state: where sessions survive a restart.
std::string LivyStateDir(const LaunchContext& ctx);

// The settings as --dry-run prints them.
std::string DescribeLivyServer(const LaunchContext& ctx);

// Serves until SIGTERM or SIGINT, then stops accepting, ends every driver and
// batch, and returns 0. Throws when the port cannot be bound.
int ServeLivy(const LaunchContext& ctx);

}  // namespace spyt::launcher
