#include "cluster/own_writes.h"

#include <doctest/doctest.h>

namespace spyt::cluster {

TEST_SUITE("own writes") {
  TEST_CASE("a write is in flight while the cache shows the version it was based on") {
    OwnWrites w;
    CHECK_FALSE(w.InFlight("ns/c/status", "5", "d1"));  // nothing written yet
    w.Wrote("ns/c/status", "5", "d1");
    CHECK(w.InFlight("ns/c/status", "5", "d1"));
    CHECK(w.InFlight("ns/c/status", "5", "d1"));        // until the cache moves
    CHECK_FALSE(w.InFlight("ns/c/status", "5", "d2"));  // something else to write
    CHECK(w.size() == 1);
  }

  TEST_CASE("the entry is dropped once the cache shows any other version") {
    OwnWrites w;
    w.Wrote("ns/c/status", "5", "d1");
    CHECK_FALSE(w.InFlight("ns/c/status", "6", "d1"));  // our write, or someone else's
    CHECK(w.size() == 0);
    CHECK_FALSE(w.InFlight("ns/c/status", "5", "d1"));  // and it does not come back
  }

  TEST_CASE("ForgetPrefix drops one cluster's entries and keeps the others'") {
    OwnWrites w;
    w.Wrote("ns/a/status", "1", "x");
    w.Wrote("ns/a/configmaps/a-discovery", "2", "y");
    w.Wrote("ns/ab/status", "3", "z");
    w.ForgetPrefix("ns/a/");
    CHECK(w.size() == 1);
    CHECK(w.InFlight("ns/ab/status", "3", "z"));
  }
}

}  // namespace spyt::cluster
