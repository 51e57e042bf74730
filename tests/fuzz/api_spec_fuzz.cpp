// SpytCluster documents (YAML, which JSON also is) through the decoder, the
// defaulting and validation. Properties:
//   - parse errors are yaml::ParseError; decode and validation errors are field
//     errors that name a path and say what is wrong;
//   - a valid cluster encodes to a document that decodes and validates cleanly
//     and encodes to the same document again (decode -> encode is a fixed point);
//   - that document survives the YAML and the JSON text forms unchanged;
//   - validation never accepts a document the CRD's schema rejects (the checks
//     the API server makes before CEL, schema_check.h), defaults applied as the
//     API server applies them.

#include <string>

#include "api/codec.h"
#include "api/defaults.h"
#include "api/validation.h"
#include "common/json.h"
#include "common/yaml.h"
#include "fuzz/fuzz_check.h"
#include "fuzz/schema_check.h"

namespace {

using spyt::fuzz::Check;

void CheckErrors(const spyt::api::FieldErrors& errors, std::string_view input) {
  for (const auto& e : errors) {
    Check(!e.path.empty(), "a field error without a path: " + e.ToString(), input);
    // "Required value" says it all; every other error says what is wrong with the value.
    Check(e.type == spyt::api::FieldError::Type::kRequired || !e.detail.empty(),
          "a field error that does not say what is wrong: " + e.ToString(), input);
  }
}

// Decodes and validates; nullopt (after checking the errors) when invalid.
std::optional<spyt::api::SpytCluster> DecodeValid(const spyt::json::Value& doc,
                                                  std::string_view input) {
  auto decoded = spyt::api::Decode(doc);
  if (!decoded.ok()) {
    CheckErrors(decoded.errors, input);
    return std::nullopt;
  }
  auto errors = spyt::api::Validate(decoded.cluster);
  if (!errors.empty()) {
    CheckErrors(errors, input);
    return std::nullopt;
  }
  return decoded.cluster;
}

void CheckDocument(const spyt::json::Value& doc, std::string_view input) {
  auto cluster = DecodeValid(doc, input);
  if (!cluster) {
    return;
  }
  static const spyt::json::Value schema = spyt::fuzz::LoadCrdSchema(SPYT_CRD_PATH);
  spyt::json::Value defaulted = doc;
  spyt::fuzz::PruneNulls(schema, defaulted);  // in the API server's order: prune, then default
  spyt::api::ApplyDefaults(defaulted);
  if (auto broken = spyt::fuzz::SchemaViolation(schema, defaulted)) {
    spyt::fuzz::Fail("validation accepts what the CRD's schema rejects: " + *broken, input);
  }
  const spyt::json::Value encoded = spyt::api::Encode(*cluster);
  auto again = DecodeValid(encoded, input);
  Check(
      again.has_value(),
      "the encoding of a valid cluster does not decode and validate: " + spyt::json::Dump(encoded),
      input);
  Check(spyt::api::Encode(*again) == encoded,
        "decode -> encode is not stable: " + spyt::json::Dump(encoded), input);
  Check(spyt::yaml::ParseOne(spyt::yaml::Dump(encoded)) == encoded,
        "the encoded cluster changes through YAML text: " + spyt::yaml::Dump(encoded), input);
  Check(spyt::json::Parse(spyt::json::Dump(encoded)) == encoded,
        "the encoded cluster changes through JSON text: " + spyt::json::Dump(encoded), input);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input = spyt::fuzz::AsText(data, size);
  std::vector<spyt::json::Value> documents;
  try {
    documents = spyt::yaml::ParseAll(input);
  } catch (const spyt::yaml::ParseError&) {
    return 0;
  }
  for (const auto& doc : documents) {
    CheckDocument(doc, input);
  }
  return 0;
}
