#include "kube/rest_watch.h"

namespace spyt::kube {
namespace {

[[noreturn]] void BadEvent(std::string_view line, const std::string& why) {
  throw ApiError(Reason::kUnknown, 0,
                 "malformed watch event (" + why + "): " + std::string(line.substr(0, 256)));
}

WatchEvent::Type TypeFromName(const std::string& name, std::string_view line) {
  if (name == "ADDED") {
    return WatchEvent::Type::kAdded;
  }
  if (name == "MODIFIED") {
    return WatchEvent::Type::kModified;
  }
  if (name == "DELETED") {
    return WatchEvent::Type::kDeleted;
  }
  if (name == "BOOKMARK") {
    return WatchEvent::Type::kBookmark;
  }
  if (name == "ERROR") {
    return WatchEvent::Type::kError;
  }
  BadEvent(line, "unknown type \"" + name + "\"");
}

// An ERROR event's Status as the error a failed request would have given.
ApiError StatusError(const json::Value& status) {
  http::Response response;
  const json::Value* code = status.find("code");
  response.status = code != nullptr && code->is_int() ? static_cast<int>(code->as_int()) : 500;
  response.body = json::Dump(status);
  return ErrorFromResponse(response);
}

}  // namespace

WatchEvent ParseWatchLine(std::string_view line) {
  json::Value doc;
  try {
    doc = json::Parse(line);
  } catch (const json::ParseError& e) {
    BadEvent(line, e.what());
  }
  const json::Value* type = doc.find("type");
  json::Value* object = doc.find("object");
  if (type == nullptr || !type->is_string() || object == nullptr || !object->is_object()) {
    BadEvent(line, "no type or object");
  }
  WatchEvent event;
  event.type = TypeFromName(type->as_string(), line);
  event.object = std::move(*object);
  if (event.type == WatchEvent::Type::kError) {
    ApiError error = StatusError(event.object);
    if (error.reason() == Reason::kGone) {
      throw error;
    }
  }
  return event;
}

RestWatch::RestWatch(std::unique_ptr<http::LineStream> stream) : stream_(std::move(stream)) {}

RestWatch::~RestWatch() { Stop(); }

std::optional<WatchEvent> RestWatch::Next() {
  while (!stopped_) {
    std::optional<std::string> line;
    try {
      line = stream_->Next();
    } catch (const http::TransportError& e) {
      if (stopped_) {
        return std::nullopt;
      }
      throw ApiError(Reason::kTransport, 0, e.what());
    }
    if (!line || stopped_) {
      return std::nullopt;
    }
    if (line->empty()) {
      continue;
    }
    return ParseWatchLine(*line);
  }
  return std::nullopt;
}

void RestWatch::Stop() {
  if (!stopped_.exchange(true)) {
    stream_->Cancel();
  }
}

}  // namespace spyt::kube
