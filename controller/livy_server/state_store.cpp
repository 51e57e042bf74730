#include "livy_server/state_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>

#include "common/json.h"
#include "livy_server/state_codec.h"

namespace spyt::livy_server {
namespace {

namespace fs = std::filesystem;

std::string Errno(const std::string& what, const std::string& path) {
  return what + " " + path + ": " + std::strerror(errno);
}

void FsyncDir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // the rename is done; only its durability is less sure
  ::fsync(fd);
  ::close(fd);
}

// "12.json" -> 12; also "12.json.unreadable". nullopt for other names.
std::optional<std::int64_t> IdOfName(const std::string& name) {
  std::int64_t id = 0;
  auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), id);
  if (ec != std::errc() || id < 0) return std::nullopt;
  const std::string rest(ptr, name.data() + name.size());
  if (rest != ".json" && rest != ".json.unreadable") return std::nullopt;
  return id;
}

std::string ReadAll(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw BadRecord("cannot open it");
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

class FileStateStore : public StateStore {
 public:
  explicit FileStateStore(fs::path dir) : dir_(std::move(dir)) {
    std::error_code ec;
    for (const char* sub : {"sessions", "batches"}) fs::create_directories(dir_ / sub, ec);
    if (ec) throw StateStoreError("cannot create " + dir_.string() + ": " + ec.message());
    fs::permissions(dir_, fs::perms::owner_all, ec);
  }

  StoredState Load() override {
    std::lock_guard<std::mutex> lock(mu_);
    StoredState out;
    std::int64_t max_session = -1;
    std::int64_t max_batch = -1;
    LoadRecords("sessions", out, max_session, [&](const json::Value& v) {
      out.sessions.push_back(SessionFromRecord(v));
      return out.sessions.back().id;
    });
    LoadRecords("batches", out, max_batch, [&](const json::Value& v) {
      out.batches.push_back(BatchFromRecord(v));
      return out.batches.back().id;
    });
    std::sort(out.sessions.begin(), out.sessions.end(),
              [](const Session& a, const Session& b) { return a.id < b.id; });
    std::sort(out.batches.begin(), out.batches.end(),
              [](const Batch& a, const Batch& b) { return a.id < b.id; });
    out.next_session = max_session + 1;
    out.next_batch = max_batch + 1;
    const fs::path ids = dir_ / "next_ids.json";
    if (fs::exists(ids)) {
      try {
        const json::Value v = json::Parse(ReadAll(ids));
        out.next_session = std::max(out.next_session, json::IntAt(v, {"session"}, 0));
        out.next_batch = std::max(out.next_batch, json::IntAt(v, {"batch"}, 0));
      } catch (const std::exception& e) {
        out.problems.push_back({ids.string(), e.what()});
      }
    }
    return out;
  }

  void SaveSession(const Session& s) override { Save("sessions", s.id, SessionRecord(s)); }
  void SaveBatch(const Batch& b) override { Save("batches", b.id, BatchRecord(b)); }
  void RemoveSession(std::int64_t id) override { Remove("sessions", id); }
  void RemoveBatch(std::int64_t id) override { Remove("batches", id); }

  void SaveNextIds(std::int64_t next_session, std::int64_t next_batch) override {
    json::Object o;
    o["session"] = next_session;
    o["batch"] = next_batch;
    std::lock_guard<std::mutex> lock(mu_);
    WriteFileAtomically((dir_ / "next_ids.json").string(), json::Dump(o));
  }

 private:
  template <typename Read>
  void LoadRecords(const char* sub, StoredState& out, std::int64_t& max_id, Read read) {
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(dir_ / sub, ec)) {
      const fs::path path = entry.path();
      const std::string name = path.filename().string();
      if (name.ends_with(".tmp")) {
        fs::remove(path, ec);  // a write the previous server did not finish
        continue;
      }
      const auto id = IdOfName(name);
      if (!id) continue;
      max_id = std::max(max_id, *id);
      if (name.ends_with(".unreadable")) continue;
      try {
        const std::int64_t read_id = read(json::Parse(ReadAll(path)));
        if (read_id != *id) throw BadRecord("it holds id " + std::to_string(read_id));
      } catch (const std::exception& e) {
        out.problems.push_back({path.string(), e.what()});
        fs::rename(path, path.string() + ".unreadable", ec);
      }
    }
  }

  void Save(const char* sub, std::int64_t id, const json::Value& record) {
    const std::string text = json::Dump(record);
    std::lock_guard<std::mutex> lock(mu_);
    WriteFileAtomically((dir_ / sub / (std::to_string(id) + ".json")).string(), text);
  }

  void Remove(const char* sub, std::int64_t id) {
    std::lock_guard<std::mutex> lock(mu_);
    std::error_code ec;
    fs::remove(dir_ / sub / (std::to_string(id) + ".json"), ec);
    if (ec) throw StateStoreError("cannot remove a record: " + ec.message());
  }

  const fs::path dir_;
  std::mutex mu_;
};

}  // namespace

void WriteFileAtomically(const std::string& path, const std::string& text) {
  const std::string tmp = path + ".tmp";
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw StateStoreError(Errno("cannot create", tmp));
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string err = Errno("cannot write", tmp);
      ::close(fd);
      throw StateStoreError(err);
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string err = Errno("cannot fsync", tmp);
    ::close(fd);
    throw StateStoreError(err);
  }
  ::close(fd);
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    throw StateStoreError(Errno("cannot rename to", path));
  }
  FsyncDir(fs::path(path).parent_path());
}

std::unique_ptr<StateStore> MakeFileStateStore(const std::string& dir) {
  return std::make_unique<FileStateStore>(dir);
}

}  // namespace spyt::livy_server
