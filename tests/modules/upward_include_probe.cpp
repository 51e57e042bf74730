// Compiled only by the test unit.modules.upward_include_does_not_compile, which
// expects it to fail: api/ sits below kube/ (controller/CMakeLists.txt), so its
// include path has no kube/ directory.
#include "kube/client.h"
