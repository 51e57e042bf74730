#include <boost/program_options.hpp>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/codec.h"
#include "api/defaults.h"
#include "api/validation.h"
#include "cli/commands.h"
#include "cluster/desired_state.h"
#include "cluster/discovery.h"
#include "cluster/reconciler.h"
#include "common/yaml.h"

namespace spyt::cli {
namespace {

namespace po = boost::program_options;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Decode errors first; only a cleanly decoded object is validated further,
// since range checks on a half-decoded one would add noise.
api::FieldErrors Check(const json::Value& doc) {
  api::DecodeResult r = api::Decode(doc);
  if (!r.ok()) return r.errors;
  return api::Validate(r.cluster);
}

bool IsSpytCluster(const json::Value& doc) {
  const json::Value* kind = doc.find("kind");
  return kind != nullptr && kind->is_string() && kind->as_string() == api::kKind;
}

std::string NameOf(const json::Value& doc) {
  const json::Value* name = json::At(doc, {"metadata", "name"});
  return name && name->is_string() ? name->as_string() : "<unnamed>";
}

struct Options {
  std::vector<std::string> files;
  std::string output;
  cluster::BuildOptions build;
};

Options ParseArgs(const std::vector<std::string>& args, const char* usage,
                  bool build_options = false) {
  Options o;
  po::options_description desc(usage);
  desc.add_options()("help,h", "show this help")(
      "output,o", po::value(&o.output)->default_value("text"), "text or json");
  if (build_options) {
    desc.add_options()(
        "image-repository",
        po::value(&o.build.image_repository)->default_value(o.build.image_repository),
        "as spyt-operator run's flag")(
        "cluster-domain", po::value(&o.build.cluster_domain)->default_value(o.build.cluster_domain),
        "as spyt-operator run's flag");
  }
  po::options_description hidden;
  hidden.add_options()("file", po::value(&o.files));
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description pos;
  pos.add("file", -1);
  po::variables_map vm;
  po::store(po::command_line_parser(args).options(all).positional(pos).run(), vm);
  if (vm.count("help") != 0) {
    std::cout << desc << "\n";
    std::exit(0);
  }
  po::notify(vm);
  if (o.files.empty()) throw po::error("no manifest files given");
  if (o.output != "text" && o.output != "json") {
    throw po::error("--output must be text or json, not \"" + o.output + "\"");
  }
  return o;
}

// What the reconciler applies for a valid cluster: the desired objects with
// their hash annotation, then the discovery ConfigMap, whose entries depend on
// what is Ready and so are left empty (and unhashed) here.
json::Array RenderChildren(const json::Value& doc, const cluster::BuildOptions& options) {
  api::FieldErrors errors = Check(doc);
  if (!errors.empty()) throw std::runtime_error(NameOf(doc) + ": " + api::Summarize(errors));
  api::SpytCluster c = api::Decode(doc).cluster;
  json::Array items;
  cluster::DesiredState desired = cluster::BuildDesiredState(c, options);
  for (auto& object : desired.objects) {
    items.push_back(cluster::WithDesiredHash(std::move(object.object)));
  }
  items.push_back(cluster::DiscoveryConfigMap(c, {}).object);
  return items;
}

}  // namespace

int RunValidate(const std::vector<std::string>& args) {
  Options o = ParseArgs(args, "Usage: spyt-operator validate [-o text|json] FILE...");
  bool all_ok = true;
  json::Array report;
  for (const auto& file : o.files) {
    std::vector<json::Value> docs;
    try {
      docs = yaml::ParseAll(ReadFile(file));
    } catch (const std::exception& e) {
      all_ok = false;
      report.push_back(json::Object{{"file", file}, {"error", e.what()}});
      if (o.output == "text") std::cout << file << ": " << e.what() << "\n";
      continue;
    }
    for (const auto& doc : docs) {
      if (!IsSpytCluster(doc)) continue;
      api::FieldErrors errors = Check(doc);
      all_ok = all_ok && errors.empty();
      json::Array errs;
      for (const auto& e : errors) {
        errs.push_back(json::Object{{"field", e.path}, {"message", e.ToString()}});
      }
      report.push_back(json::Object{{"file", file}, {"name", NameOf(doc)}, {"errors", errs}});
      if (o.output == "text") {
        if (errors.empty()) std::cout << file << ": " << NameOf(doc) << ": valid\n";
        for (const auto& e : errors) std::cout << file << ": " << e.ToString() << "\n";
      }
    }
  }
  if (o.output == "json") std::cout << json::Dump(json::Value(report), 2) << "\n";
  return all_ok ? 0 : 1;
}

int RunDefault(const std::vector<std::string>& args) {
  Options o = ParseArgs(args, "Usage: spyt-operator default [-o text|json] FILE...");
  for (const auto& file : o.files) {
    for (auto doc : yaml::ParseAll(ReadFile(file))) {
      if (!IsSpytCluster(doc)) continue;
      api::ApplyDefaults(doc);
      if (o.output == "json") {
        std::cout << json::Dump(doc, 2) << "\n";
      } else {
        std::cout << "---\n" << yaml::Dump(doc);
      }
    }
  }
  return 0;
}

int RunRender(const std::vector<std::string>& args) {
  Options o = ParseArgs(args, "Usage: spyt-operator render [flags] FILE...", true);
  json::Array items;
  for (const auto& file : o.files) {
    for (const auto& doc : yaml::ParseAll(ReadFile(file))) {
      if (!IsSpytCluster(doc)) continue;
      for (auto& child : RenderChildren(doc, o.build)) items.push_back(std::move(child));
    }
  }
  json::Value list = json::Object{{"apiVersion", "v1"}, {"kind", "List"}, {"items", items}};
  if (o.output == "json") {
    std::cout << json::Dump(list, 2) << "\n";
  } else {
    std::cout << yaml::Dump(list);
  }
  return 0;
}

}  // namespace spyt::cli
