#include "http/request_reader.h"

#include <algorithm>
#include <string_view>
#include <utility>

namespace spyt::http {

RequestReader::Step RequestReader::Read(std::string& in) {
  if (phase_ == Phase::kFailed) {
    return Step::kError;
  }
  if (phase_ == Phase::kComplete) {
    return Step::kRequest;
  }
  if (phase_ == Phase::kHead) {
    std::size_t start = in.find_first_not_of("\r\n");  // stray line ends between requests
    in.erase(0, start == std::string::npos ? in.size() : start);
    std::size_t end = http1::HeadEnd(in);
    if (end == std::string::npos) {
      if (in.size() > http1::kMaxHeadBytes) {
        return Fail(431,
                    "request head larger than " + std::to_string(http1::kMaxHeadBytes) + " bytes");
      }
      return Step::kNeedMore;
    }
    if (end > http1::kMaxHeadBytes) {
      return Fail(431,
                  "request head larger than " + std::to_string(http1::kMaxHeadBytes) + " bytes");
    }
    try {
      head_ = http1::ParseRequestHead(std::string_view(in).substr(0, end));
      decoder_ = http1::BodyDecoder::ForRequest(head_);
    } catch (const TransportError& e) {
      return Fail(400, e.what());
    }
    in.erase(0, end);
    // Both framings at once is how requests are smuggled: answer, then close.
    close_after_ =
        !head_.keep_alive || (head_.header("transfer-encoding") && head_.header("content-length"));
    if (decoder_->length_left() > max_body_) {
      too_large_ = true;
      close_after_ = true;
      phase_ = Phase::kComplete;
      return Step::kRequest;
    }
    phase_ = Phase::kBody;
    if (head_.expect_continue && !decoder_->done()) {
      return Step::kContinue;
    }
  }
  // Fed in slices that can add at most max_body_ + 1 - body_.size() body bytes, so a
  // chunked body is found too large at the byte that passes the limit, however the bytes
  // arrived, and nothing after that byte is parsed (an error there included).
  std::size_t used = 0;
  try {
    while (used < in.size() && !decoder_->done() && body_.size() <= max_body_) {
      const std::size_t slice = std::min(in.size() - used, max_body_ + 1 - body_.size());
      used += decoder_->Feed(std::string_view(in).substr(used, slice), body_);
    }
  } catch (const TransportError& e) {
    return Fail(400, e.what());
  }
  in.erase(0, used);
  if (body_.size() > max_body_) {  // a chunked body past the limit
    too_large_ = true;
    close_after_ = true;
    body_.clear();
  } else if (!decoder_->done()) {
    return Step::kNeedMore;
  }
  phase_ = Phase::kComplete;
  return Step::kRequest;
}

RequestReader::Taken RequestReader::Take() {
  Taken out;
  out.request.method = head_.method;
  out.request.path = head_.target;
  out.request.headers = std::move(head_.headers);
  out.request.body = std::move(body_);
  out.request.body_too_large = too_large_;
  out.head.method = std::move(head_.method);
  out.head.http10 = head_.http10;
  out.close_after = close_after_;
  phase_ = Phase::kHead;
  head_ = http1::RequestHead();
  decoder_.reset();
  body_.clear();
  too_large_ = false;
  close_after_ = false;
  return out;
}

RequestReader::Step RequestReader::Fail(int status, std::string why) {
  phase_ = Phase::kFailed;
  error_status_ = status;
  error_ = std::move(why);
  return Step::kError;
}

}  // namespace spyt::http
