#pragma once

// A scripted http::Transport: tests queue the responses (or failures) it gives, in
// order, and inspect the requests it received. Streams are scripted the same way and
// can be fed and closed while a reader waits on them.

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "http/http.h"

namespace spyt::fakes {

// The shared state of one scripted stream: the test pushes lines and closes it, the
// transport's LineStream reads it.
class FakeStreamScript {
 public:
  void Push(std::string line);
  void Close();  // Next() returns nullopt once the pushed lines are read
  void Break();  // Next() throws TransportError once the pushed lines are read
  bool canceled() const;

 private:
  friend class FakeLineStream;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> lines_;
  bool closed_ = false;
  bool broken_ = false;
  bool canceled_ = false;
};

class FakeTransport : public http::Transport {
 public:
  // The next Send answers this (header names lower-case).
  void Reply(int status, std::string body, http::Headers headers = {});
  // The next Send throws TransportError(what).
  void Fail(std::string what);
  // The next Stream answers `status` with these lines; open: the stream then stays
  // open until the script is closed (or the reader cancels).
  std::shared_ptr<FakeStreamScript> ReplyStream(int status, std::vector<std::string> lines,
                                                bool open = false);
  // The next Stream throws TransportError(what).
  void FailStream(std::string what);

  std::vector<http::Request> requests() const;
  http::Request last() const;  // the latest request (Send or Stream)
  size_t pending() const;      // scripted replies not yet used

  // Unscripted calls answer 500 "unexpected request" (Send) or throw (Stream).
  http::Response Send(const http::Request& request) override;
  std::unique_ptr<http::LineStream> Stream(const http::Request& request) override;

 private:
  struct Reply_ {
    bool fail = false;
    http::Response response;
    std::string what;
  };
  struct StreamReply {
    bool fail = false;
    int status = 200;
    std::shared_ptr<FakeStreamScript> script;
    std::string what;
  };
  mutable std::mutex mu_;
  std::deque<Reply_> replies_;
  std::deque<StreamReply> streams_;
  std::vector<http::Request> requests_;
};

}  // namespace spyt::fakes
