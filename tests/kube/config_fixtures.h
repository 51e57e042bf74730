#pragma once

// Temporary directories, files and environment for the kubeconfig and in-cluster tests.

#include "temp_dir.h"

namespace spyt::kube::testing {

using spyt::testing::ScopedEnv;
using spyt::testing::TempDir;

}  // namespace spyt::kube::testing
