#include "livy_server/requests.h"

#include <algorithm>
#include <charconv>
#include <string_view>
#include <vector>

#include "common/json.h"

namespace spyt::livy_server {
namespace {

json::Value ParseObject(const std::string& body) {
  json::Value v;
  try {
    v = json::Parse(body);
  } catch (const json::ParseError& e) {
    throw BadRequest(std::string("Malformed JSON request body: ") + e.what());
  }
  if (!v.is_object()) throw BadRequest("Malformed JSON request body: expected a JSON object");
  return v;
}

const json::Value* Field(const json::Value& body, const char* name) {
  const json::Value* v = body.find(name);
  return v == nullptr || v->is_null() ? nullptr : v;
}

[[noreturn]] void WrongType(const char* name, const char* expected) {
  throw BadRequest(std::string("Field '") + name + "' must be " + expected);
}

std::optional<std::string> OptString(const json::Value& body, const char* name) {
  const json::Value* v = Field(body, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_string()) WrongType(name, "a string");
  return v->as_string();
}

std::optional<int> OptInt(const json::Value& body, const char* name) {
  const json::Value* v = Field(body, name);
  if (v == nullptr) return std::nullopt;
  if (!v->is_int() || v->as_int() < 0 || v->as_int() > 1000000) {
    WrongType(name, "a non-negative integer");
  }
  return static_cast<int>(v->as_int());
}

std::vector<std::string> Strings(const json::Value& body, const char* name) {
  const json::Value* v = Field(body, name);
  if (v == nullptr) return {};
  if (!v->is_array()) WrongType(name, "a list of strings");
  std::vector<std::string> out;
  for (const auto& item : v->as_array()) {
    if (!item.is_string()) WrongType(name, "a list of strings");
    out.push_back(item.as_string());
  }
  return out;
}

std::map<std::string, std::string> Conf(const json::Value& body) {
  const json::Value* v = Field(body, "conf");
  if (v == nullptr) return {};
  if (!v->is_object()) WrongType("conf", "an object of strings");
  std::map<std::string, std::string> out;
  for (const auto& [k, value] : v->as_object()) {
    if (value.is_string()) {
      out[k] = value.as_string();
    } else if (value.is_number() || value.is_bool()) {
      out[k] = json::Dump(value);  // Spark conf values are strings; Livy takes scalars
    } else {
      throw BadRequest("Field 'conf' must be an object of strings: '" + k + "' is not");
    }
  }
  return out;
}

void CheckMemory(const std::string& field, const std::string& text, const DriverLimits& limits) {
  api::MemorySize asked;
  try {
    asked = api::MemorySize::Parse(text);
  } catch (const std::exception& e) {
    throw BadRequest("Field '" + field + "' is not a memory size: " + e.what());
  }
  if (asked.bytes() > limits.memory.bytes()) {
    throw BadRequest(field + " " + text + " exceeds the " + limits.memory.ToSparkString() +
                     " each driver is given (--livy-driver-memory): the Livy container is sized"
                     " for that many drivers of that size");
  }
}

// Spark refuses a driver without a positive whole number of cores at submit time;
// refusing it here gives the client the reason instead of a session in error.
int PositiveCores(const std::string& field, const std::string& text) {
  int cores = 0;
  const char* end = text.data() + text.size();
  auto [ptr, ec] = std::from_chars(text.data(), end, cores);
  if (text.empty() || ec != std::errc() || ptr != end || cores < 1) {
    throw BadRequest(field + " '" + text + "' is not a positive whole number of cores");
  }
  return cores;
}

void CheckCores(const std::string& field, int cores, const DriverLimits& limits) {
  if (cores > limits.cores) {
    throw BadRequest(field + " " + std::to_string(cores) + " exceeds the " +
                     std::to_string(limits.cores) +
                     " cores each driver is given (--livy-driver-cores): the Livy container is"
                     " sized for that many drivers of that size");
  }
}

// The driver runs inside the Livy container: it may not ask for more than
// the container holds for it, through the fields or through conf.
void CheckDriver(const SparkRequest& r, const DriverLimits& limits) {
  if (r.driver_memory) CheckMemory("driverMemory", *r.driver_memory, limits);
  if (r.driver_cores) {
    CheckCores("driverCores", PositiveCores("driverCores", std::to_string(*r.driver_cores)),
               limits);
  }
  if (auto it = r.conf.find("spark.driver.memory"); it != r.conf.end()) {
    CheckMemory("conf spark.driver.memory", it->second, limits);
  }
  if (auto it = r.conf.find("spark.driver.cores"); it != r.conf.end()) {
    CheckCores("conf spark.driver.cores", PositiveCores("conf spark.driver.cores", it->second),
               limits);
  }
}

void FillSpark(const json::Value& body, SparkRequest& r, const DriverLimits& limits) {
  r.name = OptString(body, "name");
  r.proxy_user = OptString(body, "proxyUser");
  r.jars = Strings(body, "jars");
  r.py_files = Strings(body, "pyFiles");
  r.files = Strings(body, "files");
  r.archives = Strings(body, "archives");
  r.driver_memory = OptString(body, "driverMemory");
  r.driver_cores = OptInt(body, "driverCores");
  r.executor_memory = OptString(body, "executorMemory");
  r.executor_cores = OptInt(body, "executorCores");
  r.num_executors = OptInt(body, "numExecutors");
  r.queue = OptString(body, "queue");
  r.conf = Conf(body);
  CheckDriver(r, limits);
}

// Livy (Jackson) refuses fields it does not know: a typo is an error, not a
// setting silently ignored.
void CheckFields(const json::Value& body, const std::vector<std::string_view>& known) {
  for (const auto& [key, value] : body.as_object()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    std::string list;
    for (auto k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    throw BadRequest("Unrecognized field \"" + key + "\" (known fields: " + list + ")");
  }
}

// The fields sessions and batches share, then theirs.
std::vector<std::string_view> SparkFields(std::initializer_list<std::string_view> more) {
  std::vector<std::string_view> all = {
      "proxyUser",   "jars",           "pyFiles",       "files",        "driverMemory",
      "driverCores", "executorMemory", "executorCores", "numExecutors", "archives",
      "queue",       "name",           "conf"};
  all.insert(all.end(), more.begin(), more.end());
  return all;
}

Kind KindOf(const std::string& name) {
  if (name == "sparkr") {
    throw BadRequest(
        "Session kind 'sparkr' is not supported by this server: use spark, pyspark"
        " or sql");
  }
  if (auto k = ParseKind(name)) return *k;
  throw BadRequest("Unknown session kind '" + name + "': expected spark, pyspark or sql");
}

}  // namespace

SessionRequest ParseSessionRequest(const std::string& body, const DriverLimits& limits) {
  const json::Value v = ParseObject(body);
  CheckFields(v, SparkFields({"kind", "heartbeatTimeoutInSecond", "ttl"}));
  SessionRequest r;
  FillSpark(v, r, limits);
  if (auto kind = OptString(v, "kind")) r.kind = KindOf(*kind);
  r.heartbeat_timeout_s = OptInt(v, "heartbeatTimeoutInSecond");
  r.ttl = OptString(v, "ttl");
  return r;
}

BatchRequest ParseBatchRequest(const std::string& body, const DriverLimits& limits) {
  const json::Value v = ParseObject(body);
  CheckFields(v, SparkFields({"file", "className", "args"}));
  BatchRequest r;
  FillSpark(v, r, limits);
  auto file = OptString(v, "file");
  if (!file || file->empty()) throw BadRequest("requirement failed: File is required.");
  // A URI (scheme:...) or an absolute path: nothing resolves a relative one.
  if ((*file)[0] != '/' && file->find(':') == std::string::npos) {
    throw BadRequest("requirement failed: Path '" + *file + "' is not absolute.");
  }
  r.file = *file;
  r.class_name = OptString(v, "className");
  r.args = Strings(v, "args");
  return r;
}

StatementRequest ParseStatementRequest(const std::string& body) {
  const json::Value v = ParseObject(body);
  CheckFields(v, {"code", "kind"});
  StatementRequest r;
  auto code = OptString(v, "code");
  if (!code) throw BadRequest("Field 'code' is required: the statement to run");
  r.code = *code;
  if (auto kind = OptString(v, "kind")) r.kind = KindOf(*kind);
  return r;
}

std::optional<std::string> ParseFindByUser(const std::string& body) {
  if (body.empty()) return std::nullopt;
  const json::Value v = ParseObject(body);
  auto user = OptString(v, "proxyUser");
  if (!user || user->empty()) return std::nullopt;
  return user;
}

}  // namespace spyt::livy_server
