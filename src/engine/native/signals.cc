#include "signals.h"
#include <atomic>
#include <initializer_list>
#include <pthread.h>
#include <omp.h>

namespace labnative {

namespace {

// Every signal but the synchronous faults (which cannot be deferred anyway).
sigset_t asynchronous() {
  sigset_t set;
  sigfillset(&set);
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGABRT}) sigdelset(&set, sig);
  return set;
}

const sigset_t kAsync = asynchronous();
std::atomic<int> workersBlocked{1};  // OpenMP threads 1.. of a team this size block signals

// Worker threads are libgomp's, kept between regions: blocking once per new team size covers them.
void blockInWorkers() {
  const int n = omp_get_max_threads();
  if (n <= workersBlocked.load()) return;
#pragma omp parallel num_threads(n)
  {
    if (omp_get_thread_num() != 0) pthread_sigmask(SIG_BLOCK, &kAsync, nullptr);
  }
  workersBlocked.store(n);
}

}  // namespace

SignalsBlocked::SignalsBlocked() {
  pthread_sigmask(SIG_BLOCK, &kAsync, &saved_);
  blockInWorkers();
}

SignalsBlocked::~SignalsBlocked() { pthread_sigmask(SIG_SETMASK, &saved_, nullptr); }

}  // namespace labnative
