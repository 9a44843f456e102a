// Keeping asynchronous signals away from threads that run oneDNN's JIT code.
//
// oneDNN 2.x (Debian's 2.6) points the stack pointer into the heap inside its JIT gemm kernels; a
// signal handled on that thread meanwhile writes its frame over heap memory (oneDNN issue #4845,
// fixed in 3.x). Node delivers signals to the JS thread (its profiler's SIGPROF, Jupyter's SIGINT
// for "interrupt", SIGCHLD when a child process exits); measured here: training seed 004's MLP
// under `node --cpu-prof` aborted with "corrupted size vs. prev_size" within seconds, every time.
#pragma once
#include <csignal>

namespace labnative {

// Blocks asynchronous signals on this thread for its lifetime (they are delivered on unblocking,
// or to another thread), and once per thread count on the OpenMP workers, for good.
class SignalsBlocked {
 public:
  SignalsBlocked();
  ~SignalsBlocked();
  SignalsBlocked(const SignalsBlocked&) = delete;
  SignalsBlocked& operator=(const SignalsBlocked&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace labnative
