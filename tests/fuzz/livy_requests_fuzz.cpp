// The bodies clients POST to the Livy server. The first byte picks the
// request ('s' session, 'b' batch, 't' statement, anything else find-by-user),
// the rest is the body. Properties: a bad body is a BadRequest (the server's
// 400 naming the field), never another error; an accepted session or batch
// never asks for more driver memory or cores than each driver is given, in its
// fields or in its conf, and the cores it asks for are a positive whole number.

#include <algorithm>
#include <string>

#include "api/units.h"
#include "fuzz/fuzz_check.h"
#include "livy_server/requests.h"

namespace {

using spyt::fuzz::Check;
using spyt::livy_server::BadRequest;
using spyt::livy_server::DriverLimits;

const DriverLimits kLimits{2, spyt::api::MemorySize::FromMiB(2048)};

void CheckMemoryWithin(const std::string& field, const std::string& text, std::string_view input) {
  spyt::api::MemorySize size;
  try {
    size = spyt::api::MemorySize::Parse(text);
  } catch (const spyt::api::InvalidUnit&) {
    spyt::fuzz::Fail("an accepted request's " + field + " \"" + text + "\" is not a size", input);
  }
  Check(size <= kLimits.memory, "an accepted request's " + field + " exceeds the limit", input);
}

// Digits only, above zero; leading zeros are fine (Spark reads it with Integer.parseInt).
bool PositiveWhole(const std::string& text) {
  if (text.empty()) {
    return false;
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
  }
  const std::string significant = text.substr(std::min(text.find_first_not_of('0'), text.size()));
  return !significant.empty() && significant.size() <= 9;
}

int WholeValue(const std::string& text) {
  return std::stoi(text.substr(std::min(text.find_first_not_of('0'), text.size() - 1)));
}

void CheckDriverRequest(const spyt::livy_server::SparkRequest& r, std::string_view input) {
  if (r.driver_memory) {
    CheckMemoryWithin("driverMemory", *r.driver_memory, input);
  }
  if (r.driver_cores) {
    Check(*r.driver_cores > 0 && *r.driver_cores <= kLimits.cores,
          "an accepted request's driverCores is not in 1.." + std::to_string(kLimits.cores), input);
  }
  if (auto it = r.conf.find("spark.driver.memory"); it != r.conf.end()) {
    CheckMemoryWithin("conf spark.driver.memory", it->second, input);
  }
  if (auto it = r.conf.find("spark.driver.cores"); it != r.conf.end()) {
    Check(PositiveWhole(it->second) && WholeValue(it->second) <= kLimits.cores,
          "an accepted request's conf spark.driver.cores \"" + it->second +
              "\" is not a whole number in 1.." + std::to_string(kLimits.cores),
          input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = spyt::fuzz::AsText(data, size);
  if (input.empty()) {
    return 0;
  }
  const std::string body(input.substr(1));
  try {
    switch (input[0]) {
      case 's':
        CheckDriverRequest(spyt::livy_server::ParseSessionRequest(body, kLimits), input);
        break;
      case 'b': {
        auto batch = spyt::livy_server::ParseBatchRequest(body, kLimits);
        CheckDriverRequest(batch, input);
        Check(!batch.file.empty(), "an accepted batch has no file", input);
        break;
      }
      case 't':
        spyt::livy_server::ParseStatementRequest(body);
        break;
      default: {
        auto user = spyt::livy_server::ParseFindByUser(body);
        Check(!user || !user->empty(), "find-by-user accepted an empty user", input);
        break;
      }
    }
  } catch (const BadRequest&) {
  }
  return 0;
}
