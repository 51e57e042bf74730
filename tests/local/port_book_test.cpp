#include "local/port_book.h"

#include <doctest/doctest.h>

#include <stdexcept>

namespace spyt::local {

TEST_SUITE("port_book") {
  TEST_CASE("a key keeps its port") {
    int next = 40000;
    PortBook book([&] { return next++; });
    int p = book.Get("c/master/rpc");
    CHECK(book.Get("c/master/rpc") == p);
    CHECK(book.Get("c/master/webui") != p);
  }

  TEST_CASE("a port already handed out is not handed out twice") {
    std::vector<int> offers = {40000, 40000, 40001};
    std::size_t i = 0;
    PortBook book([&] { return offers[i++]; });
    CHECK(book.Get("a") == 40000);
    CHECK(book.Get("b") == 40001);
  }

  TEST_CASE("releasing a cluster frees only its keys") {
    int next = 40000;
    PortBook book([&] { return next++; });
    book.Get("c1/master/rpc");
    book.Get("c2/master/rpc");
    book.Release("c1/");
    CHECK(book.ports().size() == 1);
    CHECK(book.ports().count("c2/master/rpc") == 1);
  }

  TEST_CASE("the book survives a restart through its JSON form") {
    int next = 40000;
    PortBook book([&] { return next++; });
    book.Get("c/master/rpc");
    book.Get("c/livy/http");
    PortBook again([] { return 1; });
    again.Load(book.Serialize());
    CHECK(again.Get("c/livy/http") == book.Get("c/livy/http"));
  }

  TEST_CASE("a malformed book is rejected with a reason") {
    PortBook book;
    CHECK_THROWS_WITH_AS(book.Load("[1]"), doctest::Contains("JSON object"), std::invalid_argument);
    CHECK_THROWS_WITH_AS(book.Load(R"({"a": 70000})"), doctest::Contains("\"a\""),
                         std::invalid_argument);
    CHECK_THROWS_AS(book.Load("{"), std::invalid_argument);
  }

  TEST_CASE("the real picker returns a usable loopback port") {
    int p = PickFreeLoopbackPort();
    CHECK(p > 0);
    CHECK(p < 65536);
  }
}

}  // namespace spyt::local
