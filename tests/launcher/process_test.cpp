#include "launcher/process.h"

#include <doctest/doctest.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <fstream>

#include "launcher/fixtures.h"

namespace spyt::launcher {
namespace {

using namespace std::chrono_literals;
using testing::SignalMaskGuard;
using testing::TempDir;

Command Shell(const std::string& script) { return Command{{"/bin/sh", "-c", script}, {}}; }

// Whether `pid` still runs (a zombie does not count).
bool Running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string pid_field, comm, state;
  if (!(stat >> pid_field >> comm >> state)) return false;
  return state != "Z" && state != "X";
}

pid_t ReadPid(const std::string& path) {
  std::ifstream in(path);
  pid_t pid = 0;
  in >> pid;
  return pid;
}

// A listening socket on 127.0.0.1 and a port nobody listens on.
struct Ports {
  int listener = -1;
  int open_port = 0;
  int closed_port = 0;

  Ports() {
    listener = Bound();
    ::listen(listener, 4);
    open_port = PortOf(listener);
    const int unused = Bound();
    closed_port = PortOf(unused);
    ::close(unused);
  }
  ~Ports() { ::close(listener); }

  static int Bound() {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    return fd;
  }
  static int PortOf(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    return ntohs(a.sin_port);
  }
};

}  // namespace

TEST_SUITE("launcher process") {
  TEST_CASE("the launcher exits with the child's exit status") {
    SignalMaskGuard guard;
    CHECK(RunChild(Shell("exit 3"), {}) == 3);
    CHECK(RunChild(Shell("true"), {}) == 0);
  }

  TEST_CASE("a child killed by a signal gives 128 + the signal") {
    SignalMaskGuard guard;
    CHECK(RunChild(Shell("kill -KILL $$"), {}) == 137);
  }

  TEST_CASE("SIGTERM to the launcher reaches the child's group and the child's status is kept") {
    SignalMaskGuard guard;
    TempDir dir;
    const std::string ready = dir / "ready";
    const std::string sleeper = dir / "sleeper";
    ChildOptions options;
    options.on_started = [&](pid_t) {
      REQUIRE(testing::WaitForFile(ready));
      testing::SignalThisThread(SIGTERM);
    };
    const auto started = std::chrono::steady_clock::now();
    const int code = RunChild(Shell("trap 'exit 7' TERM; sleep 30 & echo $! > " + sleeper +
                                    "; touch " + ready + "; wait"),
                              options);
    CHECK(code == 7);
    CHECK(std::chrono::steady_clock::now() - started < 10s);
    CHECK_FALSE(Running(ReadPid(sleeper)));  // the group got the signal, not just the shell
  }

  TEST_CASE("SIGINT is forwarded as SIGINT") {
    SignalMaskGuard guard;
    TempDir dir;
    const std::string ready = dir / "ready";
    ChildOptions options;
    options.on_started = [&](pid_t) {
      REQUIRE(testing::WaitForFile(ready));
      testing::SignalThisThread(SIGINT);
    };
    CHECK(RunChild(Shell("trap 'exit 9' INT; touch " + ready + "; sleep 30 & wait"), options) == 9);
  }

  TEST_CASE("a child that ignores SIGTERM is killed after the stop timeout") {
    SignalMaskGuard guard;
    TempDir dir;
    const std::string ready = dir / "ready";
    ChildOptions options;
    options.stop_timeout = 300ms;
    options.on_started = [&](pid_t) {
      REQUIRE(testing::WaitForFile(ready));
      testing::SignalThisThread(SIGTERM);
    };
    const auto started = std::chrono::steady_clock::now();
    CHECK(RunChild(Shell("trap '' TERM; touch " + ready + "; while :; do sleep 0.1; done"),
                   options) == 137);
    CHECK(std::chrono::steady_clock::now() - started < 10s);
  }

  TEST_CASE("what the child leaves in its group is stopped when it exits") {
    SignalMaskGuard guard;
    TempDir dir;
    const std::string sleeper = dir / "sleeper";
    CHECK(RunChild(Shell("sleep 30 & echo $! > " + sleeper + "; exit 4"), {}) == 4);
    const pid_t pid = ReadPid(sleeper);
    REQUIRE(pid > 0);
    CHECK_FALSE(Running(pid));
  }

  TEST_CASE("the child runs in a process group of its own") {
    SignalMaskGuard guard;
    pid_t child = 0;
    ChildOptions options;
    options.on_started = [&](pid_t pid) { child = pid; };
    CHECK(RunChild(Shell("[ \"$(ps -o pgid= -p $$ | tr -d ' ')\" = \"$$\" ]"), options) == 0);
    CHECK(child > 0);
    CHECK(::getpgid(0) != child);
  }

  TEST_CASE("the command's environment is set on top of the launcher's") {
    SignalMaskGuard guard;
    Command c = Shell("[ \"$SPYT_LAUNCHER_TEST\" = 'a b' ] && [ -n \"$PATH\" ]");
    c.env = {{"SPYT_LAUNCHER_TEST", "a b"}};
    CHECK(RunChild(c, {}) == 0);
  }

  TEST_CASE("a program that cannot be run is a SpawnError naming it") {
    SignalMaskGuard guard;
    CHECK_THROWS_WITH_AS(RunChild(Command{{"/nonexistent/java"}, {}}, {}),
                         "cannot run /nonexistent/java: No such file or directory", SpawnError);
    CHECK_THROWS_WITH_AS(RunChild(Command{{"spyt-no-such-program"}, {}}, {}),
                         "cannot run spyt-no-such-program: not found on PATH", SpawnError);
  }

  TEST_CASE("waiting for a listening port returns at once") {
    SignalMaskGuard guard;
    Ports ports;
    const PortWait w = WaitForPort("127.0.0.1", ports.open_port, 5s);
    CHECK(w.outcome == PortWait::Outcome::kReady);
  }

  TEST_CASE("waiting for a closed port times out with the last error") {
    SignalMaskGuard guard;
    Ports ports;
    const auto started = std::chrono::steady_clock::now();
    const PortWait w = WaitForPort("127.0.0.1", ports.closed_port, 300ms, 50ms);
    CHECK(w.outcome == PortWait::Outcome::kTimedOut);
    CHECK(w.last_error == "Connection refused");
    CHECK(std::chrono::steady_clock::now() - started < 5s);
  }

  TEST_CASE("SIGTERM ends the wait for the master") {
    SignalMaskGuard guard;
    Ports ports;
    BlockLauncherSignals();
    testing::SignalThisThread(SIGTERM);
    const auto started = std::chrono::steady_clock::now();
    const PortWait w = WaitForPort("127.0.0.1", ports.closed_port, 60s);
    CHECK(w.outcome == PortWait::Outcome::kInterrupted);
    CHECK(w.signal == SIGTERM);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
  }
}

}  // namespace spyt::launcher
