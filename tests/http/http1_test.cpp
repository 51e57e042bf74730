#include "http/http1.h"

#include <doctest/doctest.h>

namespace spyt::http::http1 {
namespace {

// Feeds `wire` to a decoder `step` bytes at a time; returns the body, or throws.
std::string Decode(BodyDecoder& decoder, const std::string& wire, size_t step) {
  std::string body;
  for (size_t at = 0; at < wire.size() && !decoder.done(); at += step) {
    std::string_view piece = std::string_view(wire).substr(at, step);
    size_t used = decoder.Feed(piece, body);
    if (used < piece.size()) {
      break;  // the body ended inside this piece
    }
  }
  return body;
}

ResponseHead HeadWith(const std::string& fields, int status = 200) {
  return ParseResponseHead("HTTP/1.1 " + std::to_string(status) + " X\r\n" + fields);
}

}  // namespace

TEST_SUITE("http.http1") {
  TEST_CASE("a request head carries method, target, Host, the caller's headers and the length") {
    Request r;
    r.method = "PATCH";
    r.headers["content-type"] = "application/merge-patch+json";
    r.headers["Content-Length"] = "999";  // the transport frames the body itself
    r.body = "{}";
    CHECK(FormatRequest(r, "/api/v1/x?y=1", "h:6443") ==
          "PATCH /api/v1/x?y=1 HTTP/1.1\r\nHost: h:6443\r\n"
          "content-type: application/merge-patch+json\r\nContent-Length: 2\r\n\r\n{}");
  }

  TEST_CASE(
      "a body without a content type goes as application/octet-stream, and a GET has no length") {
    Request post;
    post.method = "POST";
    post.body = "x";
    CHECK(FormatRequest(post, "/", "h").find("Content-Type: application/octet-stream\r\n") !=
          std::string::npos);
    Request empty_post;
    empty_post.method = "POST";
    CHECK(FormatRequest(empty_post, "/", "h").find("Content-Length: 0\r\n") != std::string::npos);
    CHECK(FormatRequest(Request{}, "/", "h") == "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
  }

  TEST_CASE("line breaks in the method, target or a header are refused") {
    Request r;
    CHECK_THROWS_AS(FormatRequest(r, "/a\r\nX: y", "h"), TransportError);
    CHECK_THROWS_AS(FormatRequest(r, "/a b", "h"), TransportError);
    r.method = "GET /";
    CHECK_THROWS_AS(FormatRequest(r, "/", "h"), TransportError);
    Request h;
    h.headers["x"] = "v\nInjected: 1";
    CHECK_THROWS_AS(FormatRequest(h, "/", "h"), TransportError);
    Request n;
    n.headers["bad name"] = "v";
    CHECK_THROWS_AS(FormatRequest(n, "/", "h"), TransportError);
  }

  TEST_CASE("a response head: status, lower-cased names, trimmed and joined values") {
    ResponseHead head = ParseResponseHead(
        "HTTP/1.1 429 Too Many Requests\r\nRetry-After:  3 \r\nWarning: a\r\nwarning: b\r\n");
    CHECK(head.status == 429);
    CHECK(head.headers.at("retry-after") == "3");
    CHECK(head.headers.at("warning") == "a, b");
    CHECK(head.keep_alive);
    CHECK(ParseResponseHead("HTTP/1.1 200\r\n").status == 200);  // the reason is optional
  }

  TEST_CASE("a repeated field's empty values add no empty list item (found by fuzzing)") {
    // "a" then "" was joined as "a, ", which an echo of it read back as "a,".
    CHECK(ParseResponseHead("HTTP/1.1 200\r\nX: a\r\nx:\r\nX: \r\n").headers.at("x") == "a");
    CHECK(ParseResponseHead("HTTP/1.1 200\r\nX:\r\nX: b\r\n").headers.at("x") == "b");
    CHECK(ParseRequestHead("GET / HTTP/1.1\r\nA: 1\r\na:\r\n").headers.at("a") == "1");
  }

  TEST_CASE("Connection: close, and HTTP/1.0 without keep-alive, end the connection") {
    CHECK_FALSE(HeadWith("Connection: Keep-Alive, close\r\n").keep_alive);
    CHECK_FALSE(ParseResponseHead("HTTP/1.0 200 OK\r\n").keep_alive);
    CHECK(ParseResponseHead("HTTP/1.0 200 OK\r\nConnection: keep-alive\r\n").keep_alive);
  }

  TEST_CASE("malformed heads are refused") {
    for (const char* bad : {"HTTP/2 200 OK", "HTTP/1.1 20 OK", "HTTP/1.1 2000 OK", "ICY 200 OK",
                            "HTTP/1.1 099 X", "HTTP/1.1 200 OK\r\n folded: line",
                            "HTTP/1.1 200 OK\r\nno colon", "HTTP/1.1 200 OK\r\nsp ace: x"}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(ParseResponseHead(bad), TransportError);
    }
  }

  TEST_CASE("the head ends at the first empty line, CRLF or bare LF") {
    CHECK(HeadEnd("HTTP/1.1 200 OK\r\nA: b\r\n\r\nbody") == 25);
    CHECK(HeadEnd("HTTP/1.1 200 OK\nA: b\n\nbody") == 22);
    CHECK(HeadEnd("HTTP/1.1 200 OK\r\nA: b\r\n") == std::string::npos);
  }

  TEST_CASE("a Content-Length body stops at its length, whatever the pieces") {
    for (size_t step : {1, 3, 100}) {
      BodyDecoder decoder("GET", HeadWith("Content-Length: 5\r\n"));
      CHECK(Decode(decoder, "hello and more", step) == "hello");
      CHECK(decoder.done());
    }
    CHECK_THROWS_AS(BodyDecoder("GET", HeadWith("Content-Length: 5x\r\n")), TransportError);
    CHECK_THROWS_AS(BodyDecoder("GET", HeadWith("Content-Length: 1\r\nContent-Length: 2\r\n")),
                    TransportError);
    CHECK(BodyDecoder("GET", HeadWith("Content-Length: 2\r\nContent-Length: 2\r\n")).done() ==
          false);
  }

  TEST_CASE("a chunked body: extensions and trailers skipped, any split of the bytes") {
    std::string wire =
        "4;ext=1\r\nWiki\r\n6\r\npedia \r\nE\r\nin \r\n\r\nchunks.\r\n0\r\nT: x\r\n\r\n";
    for (size_t step : {1, 2, 7, 1000}) {
      CAPTURE(step);
      BodyDecoder decoder("GET", HeadWith("Transfer-Encoding: chunked\r\n"));
      CHECK(Decode(decoder, wire, step) == "Wikipedia in \r\n\r\nchunks.");
      CHECK(decoder.done());
    }
  }

  TEST_CASE("broken chunk framing is refused") {
    for (const char* bad : {"zz\r\n", "4\r\nWikiX\r\n", "\r\n", "fffffffffffffffffff\r\n"}) {
      CAPTURE(bad);
      BodyDecoder decoder("GET", HeadWith("Transfer-Encoding: chunked\r\n"));
      std::string out;
      CHECK_THROWS_AS(decoder.Feed(bad, out), TransportError);
    }
    BodyDecoder endless("GET", HeadWith("Transfer-Encoding: chunked\r\n"));
    std::string out;
    CHECK_THROWS_AS(endless.Feed(std::string(5000, '1'), out), TransportError);
  }

  TEST_CASE("no body for HEAD, 1xx, 204 and 304, and one to the close without length or chunked") {
    CHECK(BodyDecoder("HEAD", HeadWith("Content-Length: 10\r\n")).done());
    CHECK(BodyDecoder("GET", HeadWith("", 204)).done());
    CHECK(BodyDecoder("GET", HeadWith("Content-Length: 3\r\n", 304)).done());
    CHECK(BodyDecoder("GET", HeadWith("Content-Length: 0\r\n")).done());
    BodyDecoder rest("GET", HeadWith(""));
    CHECK(rest.until_close());
    CHECK(BodyDecoder("GET", HeadWith("Transfer-Encoding: gzip\r\n")).until_close());
  }

  TEST_CASE("a request head: method, target, lower-cased fields, keep-alive by version") {
    RequestHead h = ParseRequestHead(
        "\r\nPOST /sessions/1/statements?x=1 HTTP/1.1\r\nHost: a\r\nX-Requested-By: me\r\n"
        "Accept: a\r\nACCEPT: b\r\nExpect: 100-continue\r\n");
    CHECK(h.method == "POST");
    CHECK(h.target == "/sessions/1/statements?x=1");
    CHECK(*h.header("x-requested-by") == "me");
    CHECK(*h.header("accept") == "a, b");
    CHECK(h.keep_alive);
    CHECK(h.expect_continue);
    CHECK_FALSE(ParseRequestHead("GET / HTTP/1.1\r\nConnection: close\r\n").keep_alive);
    RequestHead old = ParseRequestHead("GET / HTTP/1.0\r\n");
    CHECK(old.http10);
    CHECK_FALSE(old.keep_alive);
    CHECK(ParseRequestHead("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n").keep_alive);
  }

  TEST_CASE("malformed request lines are refused") {
    for (const char* bad : {"GET /\r\n", "GET  / HTTP/1.1\r\n", "GET / HTTP/2.0\r\n",
                            "G(T / HTTP/1.1\r\n", "GET /a b HTTP/1.1\r\n", "GET /\x01 HTTP/1.1\r\n",
                            "GET / HTTP/1.1\r\nNo colon\r\n", ""}) {
      CAPTURE(bad);
      CHECK_THROWS_AS(ParseRequestHead(bad), TransportError);
    }
  }

  TEST_CASE("a request body is framed by Content-Length or chunked, never by the close") {
    RequestHead none = ParseRequestHead("POST / HTTP/1.1\r\n");
    CHECK(BodyDecoder::ForRequest(none).done());
    RequestHead sized = ParseRequestHead("POST / HTTP/1.1\r\nContent-Length: 5\r\n");
    BodyDecoder by_length = BodyDecoder::ForRequest(sized);
    CHECK(by_length.length_left() == 5);
    CHECK(Decode(by_length, "helloGET", 3) == "hello");
    RequestHead chunked =
        ParseRequestHead("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n");
    BodyDecoder by_chunks = BodyDecoder::ForRequest(chunked);
    CHECK(by_chunks.length_left() == 0);
    CHECK(Decode(by_chunks, "2\r\nab\r\n1\r\nc\r\n0\r\n\r\n", 1) == "abc");
    CHECK(by_chunks.done());
    CHECK_THROWS_AS(
        BodyDecoder::ForRequest(ParseRequestHead("POST / HTTP/1.1\r\nTransfer-Encoding: gzip\r\n")),
        TransportError);
    CHECK_THROWS_AS(
        BodyDecoder::ForRequest(ParseRequestHead("POST / HTTP/1.1\r\nContent-Length: 1, 2\r\n")),
        TransportError);
  }

  TEST_CASE("a response: status line, the handler's headers, length, and close when asked") {
    Response r{201, {{"Content-Type", "application/json"}, {"Content-Length", "99"}}, "{}"};
    RequestHead get = ParseRequestHead("GET / HTTP/1.1\r\n");
    CHECK(FormatResponse(r, get, false) ==
          "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}");
    CHECK(FormatResponse(Response{404, {}, "no"}, get, true) ==
          "HTTP/1.1 404 Not Found\r\nContent-Type: text/plain; charset=utf-8\r\n"
          "Content-Length: 2\r\nConnection: close\r\n\r\nno");
    RequestHead head = ParseRequestHead("HEAD / HTTP/1.0\r\nConnection: keep-alive\r\n");
    CHECK(FormatResponse(Response{200, {}, "abc"}, head, false) ==
          "HTTP/1.1 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 3\r\n"
          "Connection: keep-alive\r\n\r\n");
    CHECK(FormatResponse(Response{204, {}, "x"}, get, false) == "HTTP/1.1 204 No Content\r\n\r\n");
    CHECK_THROWS_AS(FormatResponse(Response{200, {{"X-A", "1\r\nX-B: 2"}}, ""}, get, false),
                    TransportError);
    CHECK_THROWS_AS(FormatResponse(Response{0, {}, ""}, get, false), TransportError);
  }
}

}  // namespace spyt::http::http1
