// A child process for tests and benchmarks (nats-server, task-server): fork + execv with extra
// environment variables, output to a file or /dev/null, stopped with a signal and waited for by
// stop() or the destructor, so no test leaves a process behind. Header-only (tests/support).
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace task::testing {

/// How a ChildProcess starts (outside the class: a nested struct with default member
/// initializers cannot be a default argument of its enclosing class's constructor).
struct ChildOptions {
  std::map<std::string, std::string> env;  ///< set in the child, on top of the inherited ones
  std::string output = "/dev/null";        ///< stdout and stderr go here (appended); "" keeps ours
};

class ChildProcess {
 public:
  using Options = ChildOptions;

  /// Starts `argv[0]` (a path, not searched in PATH) with `argv`. Throws when fork fails; a
  /// failed exec makes the child exit with status 127.
  explicit ChildProcess(std::vector<std::string> argv, Options options = {}) {
    if (argv.empty()) throw std::invalid_argument("ChildProcess: empty argv");
    std::vector<char*> args;
    for (auto& a : argv)
      args.push_back(a.data());
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork failed for " + argv[0]);
    if (pid_ == 0) {
      for (const auto& [k, v] : options.env)
        ::setenv(k.c_str(), v.c_str(), 1);
      const int out = options.output.empty()
                          ? -1
                          : ::open(options.output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (out >= 0) {
        ::dup2(out, 1);
        ::dup2(out, 2);
      }
      ::execv(args[0], args.data());
      ::_exit(127);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  ~ChildProcess() { stop(SIGTERM); }

  /// Sends `sig` and waits for the exit; returns the wait status (-1 when already stopped).
  int stop(int sig = SIGTERM) {
    if (pid_ <= 0) return -1;
    ::kill(pid_, sig);
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }
  /// True while the child has not exited (reaps it when it has).
  bool running() {
    if (pid_ <= 0) return false;
    int status = 0;
    if (::waitpid(pid_, &status, WNOHANG) == 0) return true;
    pid_ = -1;
    return false;
  }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

}  // namespace task::testing
