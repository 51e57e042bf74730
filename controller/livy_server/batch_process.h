#pragma once

// The real batches: `spark-submit` in client mode against the master, in a
// process group of its own, stdout and stderr into the batch's log. The
// driver therefore runs in the Livy container, as sessions' drivers do.
// Thread-safe.

#include <memory>

#include "livy_server/driver.h"
#include "livy_server/host_driver.h"

namespace spyt::livy_server {

// spark-submit's argv for a batch (pure). The batch's conf is not on it, where
// every process of the container could read a token, but in `properties_file`.
std::vector<std::string> BatchArgv(const HostDriverConfig& config, const BatchRequest& request,
                                   const std::string& properties_file);

// The text of that file (pure): the whole conf, since spark-submit reads no
// spark-defaults.conf beside a --properties-file: the drivers' base conf, then
// the request's (SessionSparkConf), in java.util.Properties syntax.
std::string BatchProperties(const HostDriverConfig& config, const BatchRequest& request,
                            std::int64_t batch_id);

std::unique_ptr<BatchFactory> MakeBatchFactory(HostDriverConfig config);

}  // namespace spyt::livy_server
