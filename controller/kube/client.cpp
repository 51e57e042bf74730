#include "kube/client.h"

#include <chrono>
#include <random>
#include <thread>

namespace spyt::kube {

ListResult ListAll(Client& client, const Resource& r, const std::string& ns, ListOptions opts,
                   int page_size) {
  opts.limit = page_size;
  opts.continue_token.clear();
  ListResult all;
  while (true) {
    ListResult page;
    try {
      page = client.List(r, ns, opts);
    } catch (const ApiError& e) {
      if (!IsGone(e) || opts.continue_token.empty()) {
        throw;
      }
      // The continue token expired between pages (its snapshot was compacted): fall
      // back to one unpaged list, as client-go's pager does.
      opts.limit = 0;
      opts.continue_token.clear();
      return client.List(r, ns, opts);
    }
    for (json::Value& item : page.items) {
      all.items.push_back(std::move(item));
    }
    all.resource_version = page.resource_version;
    if (page.continue_token.empty()) {
      return all;
    }
    opts.continue_token = page.continue_token;
  }
}

json::Value RetryOnConflict(const std::function<json::Value()>& mutate, int attempts) {
  // client-go's DefaultRetry: short, fixed steps with a little jitter.
  thread_local std::minstd_rand jitter(std::random_device{}());
  for (int attempt = 1;; ++attempt) {
    try {
      return mutate();
    } catch (const ApiError& e) {
      if (!IsConflict(e) || attempt >= attempts) {
        throw;
      }
    }
    std::uniform_int_distribution<int> extra(0, 1);
    std::this_thread::sleep_for(std::chrono::milliseconds(10 + extra(jitter)));
  }
}

}  // namespace spyt::kube
