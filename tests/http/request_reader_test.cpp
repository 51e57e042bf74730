#include "http/request_reader.h"

#include <doctest/doctest.h>

#include <vector>

namespace spyt::http {
namespace {

using Step = RequestReader::Step;

// Feeds `wire` `step` bytes at a time; returns the requests taken, in order, and stops
// at the first error (its status is then appended as a request with that status in the
// method, for the tests to compare).
std::vector<Request> ReadAll(const std::string& wire, std::size_t step, std::size_t max_body,
                             int* error = nullptr) {
  RequestReader reader(max_body);
  std::vector<Request> out;
  std::string in;
  for (std::size_t at = 0; at <= wire.size(); at += step) {
    in.append(wire.substr(at, step));
    while (true) {
      Step s = reader.Read(in);
      if (s == Step::kContinue) continue;
      if (s == Step::kError) {
        if (error) *error = reader.error_status();
        return out;
      }
      if (s == Step::kNeedMore) break;
      out.push_back(reader.Take().request);
    }
  }
  return out;
}

}  // namespace

TEST_SUITE("http.request_reader") {
  TEST_CASE("pipelined requests come out one at a time, whatever the pieces") {
    const std::string wire =
        "GET /a HTTP/1.1\r\n\r\n"
        "POST /b HTTP/1.1\r\nContent-Length: 3\r\n\r\nxyz\r\n"
        "PUT /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nhi\r\n0\r\n\r\n";
    for (std::size_t step : {1, 2, 7, 1000}) {
      CAPTURE(step);
      std::vector<Request> got = ReadAll(wire, step, 100);
      REQUIRE(got.size() == 3);
      CHECK(got[0].path == "/a");
      CHECK(got[1].method == "POST");
      CHECK(got[1].body == "xyz");
      CHECK(got[2].body == "hi");
    }
  }

  TEST_CASE("a declared body over the limit is complete at once, unread, and closes") {
    RequestReader reader(4);
    std::string in = "POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n12345";
    REQUIRE(reader.Read(in) == Step::kRequest);
    RequestReader::Taken t = reader.Take();
    CHECK(t.request.body_too_large);
    CHECK(t.request.body.empty());
    CHECK(t.close_after);
    CHECK(in == "12345");
  }

  TEST_CASE("a chunked body that grows past the limit is refused the same way") {
    RequestReader reader(4);
    std::string in =
        "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n3\r\ndef\r\n";
    REQUIRE(reader.Read(in) == Step::kRequest);
    RequestReader::Taken t = reader.Take();
    CHECK(t.request.body_too_large);
    CHECK(t.request.body.empty());
    CHECK(t.close_after);
  }

  TEST_CASE(
      "a chunk past the limit is refused at the byte that passes it, whatever the pieces (found by "
      "fuzzing)") {
    // A 6-byte chunk with a limit of 4, followed by broken framing: read whole, the
    // framing error used to win (400); read byte by byte, the limit did.
    const std::string wire = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n6\r\nabcdefXX";
    for (std::size_t step : {std::size_t{1}, std::size_t{3}, wire.size()}) {
      CAPTURE(step);
      int error = 0;
      std::vector<Request> got = ReadAll(wire, step, 4, &error);
      CHECK(error == 0);
      REQUIRE(got.size() == 1);
      CHECK(got[0].body_too_large);
    }
  }

  TEST_CASE("Expect: 100-continue is reported before the body, then the body is read") {
    RequestReader reader(100);
    std::string in = "POST / HTTP/1.1\r\nContent-Length: 2\r\nExpect: 100-continue\r\n\r\n";
    CHECK(reader.Read(in) == Step::kContinue);
    CHECK(reader.Read(in) == Step::kNeedMore);
    in = "ok";
    CHECK(reader.Read(in) == Step::kRequest);
    CHECK(reader.Take().request.body == "ok");
  }

  TEST_CASE("close after the answer: Connection: close, HTTP/1.0, or both framings at once") {
    for (const char* wire :
         {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n",
          "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 9"
          "\r\n\r\n0\r\n\r\n"}) {
      CAPTURE(wire);
      RequestReader reader(100);
      std::string in = wire;
      REQUIRE(reader.Read(in) == Step::kRequest);
      CHECK(reader.Take().close_after);
    }
    RequestReader reader(100);
    std::string in = "GET / HTTP/1.1\r\n\r\n";
    REQUIRE(reader.Read(in) == Step::kRequest);
    CHECK_FALSE(reader.Take().close_after);
  }

  TEST_CASE("errors: 400 for a malformed head or body framing, 431 for a huge head") {
    int status = 0;
    CHECK(ReadAll("BAD\r\n\r\n", 3, 100, &status).empty());
    CHECK(status == 400);
    status = 0;
    ReadAll("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 5, 100, &status);
    CHECK(status == 400);
    status = 0;
    ReadAll("GET / HTTP/1.1\r\nX: " + std::string(http1::kMaxHeadBytes, 'a'), 4096, 100, &status);
    CHECK(status == 431);
    RequestReader reader(100);
    std::string in = "BAD\r\n\r\nGET / HTTP/1.1\r\n\r\n";
    CHECK(reader.Read(in) == Step::kError);
    CHECK(reader.Read(in) == Step::kError);  // a failed connection stays failed
    CHECK_FALSE(reader.error().empty());
  }
}

}  // namespace spyt::http
