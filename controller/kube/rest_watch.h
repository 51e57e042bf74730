#pragma once

// A Watch over a streamed watch response: one JSON event per line.

#include <atomic>
#include <memory>
#include <string_view>

#include "http/http.h"
#include "kube/client.h"

namespace spyt::kube {

// Decodes one line, {"type": ..., "object": ...}. An ERROR event whose Status says the
// resource version is too old (410, reason Expired or Gone) throws ApiError(kGone),
// telling an informer to relist; other ERROR events are returned as kError with the
// Status as object. A line that is not a watch event throws ApiError(kUnknown).
WatchEvent ParseWatchLine(std::string_view line);

// Thread-safety: Next() from one thread; Stop() from any, and a blocked Next() then
// returns nullopt promptly.
class RestWatch : public Watch {
 public:
  explicit RestWatch(std::unique_ptr<http::LineStream> stream);
  ~RestWatch() override;

  // Throws ApiError: kGone (see ParseWatchLine), kTransport when the connection breaks.
  std::optional<WatchEvent> Next() override;
  void Stop() override;

 private:
  std::unique_ptr<http::LineStream> stream_;
  std::atomic<bool> stopped_{false};
};

}  // namespace spyt::kube
