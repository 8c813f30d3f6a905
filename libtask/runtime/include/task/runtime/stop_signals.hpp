#pragma once
/// The stop signals of a server process: call block_stop_signals() first thing in main, before
/// any thread starts, so every thread inherits the mask and one thread takes SIGTERM / SIGINT
/// with sigwait(). SIGPIPE is ignored: a peer that hangs up is an error on the socket, not a
/// reason to die. Header-only, so a benchmark server can share it without linking libtask.
#include <pthread.h>

#include <csignal>

namespace task::runtime {

inline sigset_t block_stop_signals() {
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);
  return stop_signals;
}

}  // namespace task::runtime
