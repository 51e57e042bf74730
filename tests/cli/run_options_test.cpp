#include "cli/run_options.h"

#include <doctest/doctest.h>

#include <boost/program_options/errors.hpp>

namespace spyt::cli {

TEST_SUITE("run_options") {
  TEST_CASE("defaults are those of controller-runtime operators") {
    RunOptions o = ParseRunOptions({});
    CHECK_FALSE(o.leader_elect);
    CHECK(o.lease_duration == std::chrono::seconds(15));
    CHECK(o.renew_deadline == std::chrono::seconds(10));
    CHECK(o.retry_period == std::chrono::seconds(2));
    CHECK(o.watch_namespaces.empty());
    CHECK(o.max_concurrent_reconciles == 4);
  }

  TEST_CASE("namespaces come from a comma list and from repeated --namespace") {
    RunOptions o = ParseRunOptions({"--watch-namespaces", "a,b", "--namespace", "c"});
    CHECK(o.watch_namespaces == std::vector<std::string>{"a", "b", "c"});
  }

  TEST_CASE("0 disables the metrics and health servers") {
    RunOptions o =
        ParseRunOptions({"--metrics-bind-address", "0", "--health-probe-bind-address", "0"});
    CHECK(o.metrics_bind_address.empty());
    CHECK(o.health_probe_bind_address.empty());
  }

  TEST_CASE("Livy polling: every 30 s by default, any duration, 0 turns it off") {
    CHECK(ParseRunOptions({}).livy_poll_interval == std::chrono::seconds(30));
    CHECK(ParseRunOptions({}).livy_poll_timeout == std::chrono::seconds(5));
    CHECK(ParseRunOptions({"--livy-poll-interval", "500ms"}).livy_poll_interval ==
          std::chrono::milliseconds(500));
    CHECK(ParseRunOptions({"--livy-poll-interval", "0"}).livy_poll_interval.count() == 0);
    CHECK_THROWS_WITH(ParseRunOptions({"--livy-poll-interval", "often"}),
                      doctest::Contains("--livy-poll-interval"));
    CHECK_THROWS_WITH(ParseRunOptions({"--livy-poll-timeout", "0"}),
                      doctest::Contains("--livy-poll-timeout"));
  }

  TEST_CASE("bad values name the flag") {
    CHECK_THROWS_WITH(ParseRunOptions({"--leader-election-lease-duration", "15"}),
                      doctest::Contains("--leader-election-lease-duration"));
    CHECK_THROWS_WITH(ParseRunOptions({"--max-concurrent-reconciles", "0"}),
                      doctest::Contains("--max-concurrent-reconciles"));
    CHECK_THROWS_WITH(ParseRunOptions({"--kube-api-qps", "-1"}),
                      doctest::Contains("--kube-api-qps"));
    CHECK_THROWS_AS(ParseRunOptions({"--no-such-flag"}), boost::program_options::error);
  }
}

}  // namespace spyt::cli
