#pragma once

// SPYT's jars in a session's or batch's driver. A SPYT release is the `spyt`
// package of a ytsaurus-spyt wheel; its jars/ directory holds SPYT's data source,
// file system and serializers (Query Tracker's GenericRowSerializer among them)
// with their YTsaurus client libraries, all built for Scala 2.12. They go first in
// every driver's spark.jars: the driver's class loader and its Scala interpreter
// see them, and Spark ships them to the executors. Spark's own classes keep
// precedence (spark.jars is a child class loader), so SPYT's newer Guava and
// protobuf do not replace Spark's. Pure apart from ReadSpytJars; thread-safe.

#include <string>
#include <vector>

namespace spyt::launcher {

// The driver's jars among the file names of a release's jars/ directory, sorted:
// every *.jar except SPYT's own cluster tooling, which has no place in a driver
// (spyt-patch-agent, a -javaagent for SPYT's patched launch; spark-submit, its
// client for submitting to YTsaurus; spark-cluster, its launcher of clusters
// inside YTsaurus operations, which spyt-launcher replaces).
std::vector<std::string> SpytDriverJars(const std::vector<std::string>& file_names);

// The absolute paths of SpytDriverJars of <home>/jars. Throws std::runtime_error
// naming --spyt-home when that directory is missing or holds no jar.
std::vector<std::string> ReadSpytJars(const std::string& home);

}  // namespace spyt::launcher
