#include "http/endpoint.h"

#include <doctest/doctest.h>

#include "http/http.h"

namespace spyt::http {

TEST_SUITE("http.endpoint") {
  TEST_CASE("scheme, host, port and prefix are read from the base URL") {
    Endpoint e = ParseEndpoint("https://127.0.0.1:6443");
    CHECK(e.tls);
    CHECK(e.host == "127.0.0.1");
    CHECK(e.port == 6443);
    CHECK(e.authority == "127.0.0.1:6443");
    CHECK(e.prefix.empty());
    Endpoint p = ParseEndpoint("http://livy.ns.svc/proxy/livy/");
    CHECK_FALSE(p.tls);
    CHECK(p.port == 80);
    CHECK(p.authority == "livy.ns.svc");
    CHECK(p.prefix == "/proxy/livy");
    CHECK(ParseEndpoint("https://kubernetes.default.svc").port == 443);
  }

  TEST_CASE("an IPv6 host is written in brackets and read without them") {
    Endpoint e = ParseEndpoint("https://[::1]:6443/");
    CHECK(e.host == "::1");
    CHECK(e.port == 6443);
    CHECK(e.authority == "[::1]:6443");
  }

  TEST_CASE("what a base URL cannot be is refused, naming the URL") {
    for (const char* bad : {"ftp://h", "localhost", "http://", "http://:80",
                            "http://h:", "http://h:0", "http://h:65536", "http://h:8x",
                            "http://u@h", "http://[::1", "http://[::1]x", "http://h?q=1"}) {
      CAPTURE(bad);
      CHECK_THROWS_WITH_AS(ParseEndpoint(bad), doctest::Contains(bad), TransportError);
    }
  }
}

}  // namespace spyt::http
