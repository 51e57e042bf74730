#include "fakes/fake_transport.h"

namespace spyt::fakes {

void FakeStreamScript::Push(std::string line) {
  std::lock_guard<std::mutex> lock(mu_);
  lines_.push_back(std::move(line));
  cv_.notify_all();
}

void FakeStreamScript::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

void FakeStreamScript::Break() {
  std::lock_guard<std::mutex> lock(mu_);
  broken_ = true;
  cv_.notify_all();
}

bool FakeStreamScript::canceled() const {
  std::lock_guard<std::mutex> lock(mu_);
  return canceled_;
}

class FakeLineStream : public http::LineStream {
 public:
  FakeLineStream(int status, std::shared_ptr<FakeStreamScript> script)
      : status_(status), script_(std::move(script)) {}

  int status() const override { return status_; }

  std::optional<std::string> Next() override {
    FakeStreamScript& s = *script_;
    std::unique_lock<std::mutex> lock(s.mu_);
    s.cv_.wait(lock, [&] { return s.canceled_ || !s.lines_.empty() || s.closed_ || s.broken_; });
    if (s.canceled_) {
      return std::nullopt;
    }
    if (!s.lines_.empty()) {
      std::string line = std::move(s.lines_.front());
      s.lines_.pop_front();
      return line;
    }
    if (s.broken_) {
      throw http::TransportError("fake stream broken");
    }
    return std::nullopt;
  }

  void Cancel() override {
    std::lock_guard<std::mutex> lock(script_->mu_);
    script_->canceled_ = true;
    script_->cv_.notify_all();
  }

 private:
  int status_;
  std::shared_ptr<FakeStreamScript> script_;
};

void FakeTransport::Reply(int status, std::string body, http::Headers headers) {
  std::lock_guard<std::mutex> lock(mu_);
  Reply_ reply;
  reply.response.status = status;
  reply.response.body = std::move(body);
  reply.response.headers = std::move(headers);
  replies_.push_back(std::move(reply));
}

void FakeTransport::Fail(std::string what) {
  std::lock_guard<std::mutex> lock(mu_);
  Reply_ reply;
  reply.fail = true;
  reply.what = std::move(what);
  replies_.push_back(std::move(reply));
}

std::shared_ptr<FakeStreamScript> FakeTransport::ReplyStream(int status,
                                                             std::vector<std::string> lines,
                                                             bool open) {
  auto script = std::make_shared<FakeStreamScript>();
  for (std::string& line : lines) {
    script->Push(std::move(line));
  }
  if (!open) {
    script->Close();
  }
  std::lock_guard<std::mutex> lock(mu_);
  streams_.push_back({false, status, script, ""});
  return script;
}

void FakeTransport::FailStream(std::string what) {
  std::lock_guard<std::mutex> lock(mu_);
  streams_.push_back({true, 0, nullptr, std::move(what)});
}

std::vector<http::Request> FakeTransport::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

http::Request FakeTransport::last() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.empty() ? http::Request{} : requests_.back();
}

size_t FakeTransport::pending() const {
  std::lock_guard<std::mutex> lock(mu_);
  return replies_.size() + streams_.size();
}

http::Response FakeTransport::Send(const http::Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.push_back(request);
  if (replies_.empty()) {
    http::Response unexpected;
    unexpected.status = 500;
    unexpected.body = "unexpected request " + request.method + " " + request.path;
    return unexpected;
  }
  Reply_ reply = std::move(replies_.front());
  replies_.pop_front();
  if (reply.fail) {
    throw http::TransportError(reply.what);
  }
  return reply.response;
}

std::unique_ptr<http::LineStream> FakeTransport::Stream(const http::Request& request) {
  std::lock_guard<std::mutex> lock(mu_);
  requests_.push_back(request);
  if (streams_.empty()) {
    throw http::TransportError("unexpected stream " + request.method + " " + request.path);
  }
  StreamReply reply = std::move(streams_.front());
  streams_.pop_front();
  if (reply.fail) {
    throw http::TransportError(reply.what);
  }
  return std::make_unique<FakeLineStream>(reply.status, std::move(reply.script));
}

}  // namespace spyt::fakes
