#include "launcher/spyt_jars.h"

#include <doctest/doctest.h>

#include "temp_dir.h"

namespace spyt::launcher {

TEST_SUITE("spyt jars") {
  TEST_CASE("drivers get every jar of the release but SPYT's cluster tooling, sorted") {
    const std::vector<std::string> names = {
        "tech.ytsaurus.spyt-spark-cluster-2.9.3.jar",
        "tech.ytsaurus.spyt-data-source-base-2.9.3.jar",
        "com.google.guava-guava-31.0.1-jre.jar",
        "tech.ytsaurus.spyt-spyt-patch-agent-2.9.3.jar",
        "tech.ytsaurus.spyt-spark-submit-2.9.3.jar",
        "tech.ytsaurus-ytsaurus-client-1.2.16.jar",
        "README.txt",
        "tech.ytsaurus.spyt-spark-adapter-impl-350-2.9.3.jar",
    };
    CHECK(SpytDriverJars(names) == std::vector<std::string>{
                                       "com.google.guava-guava-31.0.1-jre.jar",
                                       "tech.ytsaurus-ytsaurus-client-1.2.16.jar",
                                       "tech.ytsaurus.spyt-data-source-base-2.9.3.jar",
                                       "tech.ytsaurus.spyt-spark-adapter-impl-350-2.9.3.jar",
                                   });
  }

  TEST_CASE("ReadSpytJars gives absolute paths, and names --spyt-home when there is nothing") {
    spyt::testing::TempDir dir;
    CHECK_THROWS_WITH(ReadSpytJars((dir / "missing")), doctest::Contains("--spyt-home"));
    dir.Write("empty/jars/notes.txt", "");
    CHECK_THROWS_WITH(ReadSpytJars((dir / "empty")), doctest::Contains("holds no jar"));
    dir.Write("spyt/jars/b.jar", "");
    dir.Write("spyt/jars/a.jar", "");
    CHECK(ReadSpytJars(dir / "spyt") ==
          std::vector<std::string>{(dir.path() / "spyt/jars/a.jar").string(),
                                   (dir.path() / "spyt/jars/b.jar").string()});
  }
}

}  // namespace spyt::launcher
