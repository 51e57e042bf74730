#include "kube/bearer_token.h"

#include <fstream>
#include <sstream>

namespace spyt::kube {

BearerToken::BearerToken(std::string token, std::string file, Clock& time,
                         std::chrono::seconds refresh)
    : file_(std::move(file)),
      time_(time),
      refresh_(refresh),
      token_(std::move(token)),
      read_at_(time.Now()) {
  if (!file_.empty() && token_.empty()) {
    std::lock_guard<std::mutex> lock(mu_);
    ReadFileLocked();
  }
}

std::string BearerToken::Get() {
  std::lock_guard<std::mutex> lock(mu_);
  if (!file_.empty() && time_.Now() - read_at_ >= refresh_) {
    ReadFileLocked();
  }
  return token_;
}

bool BearerToken::Reload() {
  if (file_.empty()) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  return ReadFileLocked();
}

bool BearerToken::ReadFileLocked() {
  read_at_ = time_.Now();
  std::ifstream in(file_, std::ios::binary);
  if (!in) {
    return false;  // keep the last good token; the server will say 401 if it expired
  }
  std::stringstream ss;
  ss << in.rdbuf();
  std::string token = ss.str();
  const char* space = " \t\r\n";
  token.erase(token.find_last_not_of(space) + 1);
  token.erase(0, token.find_first_not_of(space));
  if (token.empty() || token == token_) {
    return false;
  }
  token_ = std::move(token);
  return true;
}

}  // namespace spyt::kube
