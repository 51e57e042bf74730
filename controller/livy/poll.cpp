#include "livy/poll.h"

namespace spyt::livy {
namespace {

void FetchAll(http::Transport& transport, std::chrono::milliseconds timeout, bool batches,
              Usage& usage) {
  const std::string path = batches ? "/batches" : "/sessions";
  int from = 0;
  for (int page_no = 0; page_no < kMaxPages; ++page_no) {
    http::Request request;
    request.path = path + "?from=" + std::to_string(from) + "&size=" + std::to_string(kPageSize);
    request.headers["accept"] = "application/json";
    request.timeout = timeout;
    http::Response response;
    try {
      response = transport.Send(request);
    } catch (const http::TransportError& e) {
      throw LivyError("GET " + path + ": " + e.what());
    }
    if (response.status != 200) {
      throw LivyError("GET " + path + " answered HTTP " + std::to_string(response.status) + ": " +
                      response.body.substr(0, 200));
    }
    Page page;
    try {
      page = ParsePage(response.body);
    } catch (const LivyError& e) {
      throw LivyError("GET " + path + ": " + e.what());
    }
    for (const auto& state : page.states) usage.Add(batches, state);
    from += static_cast<int>(page.states.size());
    if (page.states.empty() || from >= page.total) return;
  }
}

}  // namespace

Usage FetchUsage(http::Transport& transport, std::chrono::milliseconds timeout) {
  Usage usage;
  FetchAll(transport, timeout, false, usage);
  FetchAll(transport, timeout, true, usage);
  return usage;
}

}  // namespace spyt::livy
