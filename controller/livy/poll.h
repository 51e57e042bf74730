#pragma once

// Reads a Livy server's sessions and batches (GET /sessions, GET /batches, page
// by page) into a Usage. Goes through http::Transport, so tests use a fake one.

#include <chrono>

#include "http/http.h"
#include "livy/usage.h"

namespace spyt::livy {

inline constexpr int kPageSize = 100;
// A bound on pages per endpoint, so a server that keeps growing its list cannot
// keep a poll going forever (100 pages of 100 is far beyond any session limit).
inline constexpr int kMaxPages = 100;

// Throws LivyError when Livy cannot be reached (the transport's message), answers
// anything but 200, or answers a document that is not a session list.
Usage FetchUsage(http::Transport& transport, std::chrono::milliseconds timeout);

}  // namespace spyt::livy
