#pragma once

// The real batches: `spark-submit` in client mode against the master, in a
// process group of its own, stdout and stderr into the batch's log. The
// driver therefore runs in the Livy container, as sessions' drivers do.
// Thread-safe.

#include <memory>

#include "livy_server/driver.h"
#include "livy_server/host_driver.h"

namespace spyt::livy_server {

// spark-submit's argv for a batch (pure).
std::vector<std::string> BatchArgv(const HostDriverConfig& config, const BatchRequest& request,
                                   std::int64_t batch_id);

std::unique_ptr<BatchFactory> MakeBatchFactory(HostDriverConfig config);

}  // namespace spyt::livy_server
