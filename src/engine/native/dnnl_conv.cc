// Convolutions on oneDNN (libdnnl, the library PyTorch's CPU convolutions use), NHWC
// activations in place, tfjs's [kh, kw, cin, cout] weights reordered to oneDNN's preferred
// blocked layout per call (they change every step; they are small). Primitives are built once
// per geometry. Any oneDNN error makes the caller fall back to im2col + sgemm.
#include "dnnl_conv.h"
#include "signals.h"

#ifdef LABNATIVE_DNNL
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <tuple>
#include <dnnl.hpp>
#include <omp.h>

namespace labnative {

namespace {

using namespace dnnl;
using tag = memory::format_tag;
using dt = memory::data_type;

engine& cpuEngine() {
  static engine eng(engine::kind::cpu, 0);
  return eng;
}

// Small convolutions run on one thread: a parallel region costs more than it saves there, and
// on a busy 2-core machine waiting for a descheduled second thread cost 10x (measured: the
// weight gradient of a 1-channel 5x5 conv, 0.35 ms on one thread, 4 ms on two).
const double kParallelFlops = 3e7;

// Sets the OpenMP thread count for the current scope (oneDNN plans and runs with it).
struct Threads {
  int prev;
  explicit Threads(int n) : prev(omp_get_max_threads()) { omp_set_num_threads(n); }
  ~Threads() { omp_set_num_threads(prev); }
};
// The weight gradient of few-input-channel convolutions parallelises badly in oneDNN (5x the
// CPU time on two threads for 1 -> 20 channels, 5x5), so it stays on one thread too.
int threadsFor(const ConvGeom& g, bool weightGradient = false) {
  double flops = 2.0 * g.n * g.oh * g.ow * g.cout * g.kh * g.kw * g.cin;
  if (flops < kParallelFlops || (weightGradient && g.cin < 4)) return 1;
  return omp_get_max_threads();
}

using Key = std::tuple<int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int, int>;
Key keyOf(int kind, const ConvGeom& g, int threads) {
  return Key{kind, g.n, g.h, g.w, g.cin, g.kh, g.kw, g.cout, g.oh, g.ow, g.sh, g.sw, g.pt, g.pl, g.dh, g.dw, threads};
}

struct Descs {
  memory::desc src, dst, userWeights, anyWeights;
  memory::dims strides, dilates, padL, padR;
};

Descs descsOf(const ConvGeom& g) {
  // Right/bottom padding that makes oneDNN's output size formula give tfjs's (never negative).
  auto padAfter = [](int out, int stride, int k, int dil, int in, int before) {
    int p = (out - 1) * stride + (k - 1) * dil + 1 - in - before;
    return p < 0 ? 0 : p;
  };
  Descs d;
  d.src = memory::desc({g.n, g.cin, g.h, g.w}, dt::f32, tag::nhwc);
  d.dst = memory::desc({g.n, g.cout, g.oh, g.ow}, dt::f32, tag::nhwc);
  d.userWeights = memory::desc({g.cout, g.cin, g.kh, g.kw}, dt::f32, tag::hwio);
  d.anyWeights = memory::desc({g.cout, g.cin, g.kh, g.kw}, dt::f32, tag::any);
  d.strides = {g.sh, g.sw};
  d.dilates = {g.dh - 1, g.dw - 1};
  d.padL = {g.pt, g.pl};
  d.padR = {padAfter(g.oh, g.sh, g.kh, g.dh, g.h, g.pt), padAfter(g.ow, g.sw, g.kw, g.dw, g.w, g.pl)};
  return d;
}

convolution_forward::primitive_desc forwardPd(const ConvGeom& g, const Descs& d) {
  auto desc = convolution_forward::desc(prop_kind::forward_training, algorithm::convolution_direct, d.src,
                                        d.anyWeights, d.dst, d.strides, d.dilates, d.padL, d.padR);
  return convolution_forward::primitive_desc(desc, cpuEngine());
}

struct Fwd {
  convolution_forward prim;
  memory::desc weights;
  reorder toBlocked;
  bool needsReorder;
};
struct BwdData {
  convolution_backward_data prim;
  memory::desc weights;
  reorder toBlocked;
  bool needsReorder;
};
struct BwdWeights {
  convolution_backward_weights prim;
  memory::desc weights;
  reorder toUser;
  bool needsReorder;
};

std::map<Key, std::unique_ptr<Fwd>> fwdCache;
std::map<Key, std::unique_ptr<BwdData>> bwdDataCache;
std::map<Key, std::unique_ptr<BwdWeights>> bwdWeightsCache;

// Shapes vary little in training, but a long session (evaluation batches, many models) must not
// accumulate JIT-compiled primitives without bound.
const size_t kMaxCached = 96;
template <typename Cache>
void bound(Cache& cache) {
  if (cache.size() >= kMaxCached) cache.clear();
}

bool enabled() {
  static bool on = [] {
    const char* e = std::getenv("LABNATIVE_CONV");
    return !(e && std::strcmp(e, "im2col") == 0);
  }();
  return on;
}

// Weights memory as the primitive wants it: the user's buffer, or a reordered copy.
memory weightsFor(bool needsReorder, reorder& r, const memory::desc& want, const memory::desc& user, const float* f,
                  stream& s) {
  memory userMem(user, cpuEngine(), const_cast<float*>(f));
  if (!needsReorder) return userMem;
  memory blocked(want, cpuEngine());
  r.execute(s, userMem, blocked);
  return blocked;
}

}  // namespace

bool dnnlConv2d(const ConvGeom& g, const float* x, const float* f, float* y) {
  if (!enabled()) return false;
  SignalsBlocked quiet;  // JIT code inside (signals.h)
  try {
    Threads scope(threadsFor(g));
    Key key = keyOf(0, g, omp_get_max_threads());
    auto it = fwdCache.find(key);
    Descs d = descsOf(g);
    if (it == fwdCache.end()) {
      auto pd = forwardPd(g, d);
      bool re = pd.weights_desc() != d.userWeights;
      auto e = std::unique_ptr<Fwd>(new Fwd{convolution_forward(pd), pd.weights_desc(),
                                            re ? reorder(memory(d.userWeights, cpuEngine()), memory(pd.weights_desc(), cpuEngine())) : reorder(),
                                            re});
      bound(fwdCache);
      it = fwdCache.emplace(key, std::move(e)).first;
    }
    Fwd& c = *it->second;
    stream s(cpuEngine());
    memory w = weightsFor(c.needsReorder, c.toBlocked, c.weights, d.userWeights, f, s);
    memory src(d.src, cpuEngine(), const_cast<float*>(x)), dst(d.dst, cpuEngine(), y);
    c.prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, dst}});
    s.wait();
    return true;
  } catch (const dnnl::error&) {
    return false;
  }
}

bool dnnlConvBackpropInput(const ConvGeom& g, const float* dy, const float* f, float* dx) {
  if (!enabled()) return false;
  SignalsBlocked quiet;  // JIT code inside (signals.h)
  try {
    Threads scope(threadsFor(g));
    Key key = keyOf(1, g, omp_get_max_threads());
    auto it = bwdDataCache.find(key);
    Descs d = descsOf(g);
    if (it == bwdDataCache.end()) {
      auto hint = forwardPd(g, d);
      auto desc = convolution_backward_data::desc(algorithm::convolution_direct, d.src, d.anyWeights, d.dst, d.strides,
                                                  d.dilates, d.padL, d.padR);
      auto pd = convolution_backward_data::primitive_desc(desc, cpuEngine(), hint);
      bool re = pd.weights_desc() != d.userWeights;
      auto e = std::unique_ptr<BwdData>(new BwdData{convolution_backward_data(pd), pd.weights_desc(),
                                                    re ? reorder(memory(d.userWeights, cpuEngine()), memory(pd.weights_desc(), cpuEngine())) : reorder(),
                                                    re});
      bound(bwdDataCache);
      it = bwdDataCache.emplace(key, std::move(e)).first;
    }
    BwdData& c = *it->second;
    stream s(cpuEngine());
    memory w = weightsFor(c.needsReorder, c.toBlocked, c.weights, d.userWeights, f, s);
    memory diffDst(d.dst, cpuEngine(), const_cast<float*>(dy)), diffSrc(d.src, cpuEngine(), dx);
    c.prim.execute(s, {{DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DIFF_SRC, diffSrc}});
    s.wait();
    return true;
  } catch (const dnnl::error&) {
    return false;
  }
}

bool dnnlConvBackpropFilter(const ConvGeom& g, const float* x, const float* dy, float* df) {
  if (!enabled()) return false;
  SignalsBlocked quiet;  // JIT code inside (signals.h)
  try {
    Threads scope(threadsFor(g, true));
    Key key = keyOf(2, g, omp_get_max_threads());
    auto it = bwdWeightsCache.find(key);
    Descs d = descsOf(g);
    if (it == bwdWeightsCache.end()) {
      auto hint = forwardPd(g, d);
      auto desc = convolution_backward_weights::desc(algorithm::convolution_direct, d.src, d.anyWeights, d.dst,
                                                     d.strides, d.dilates, d.padL, d.padR);
      auto pd = convolution_backward_weights::primitive_desc(desc, cpuEngine(), hint);
      bool re = pd.diff_weights_desc() != d.userWeights;
      auto e = std::unique_ptr<BwdWeights>(new BwdWeights{
          convolution_backward_weights(pd), pd.diff_weights_desc(),
          re ? reorder(memory(pd.diff_weights_desc(), cpuEngine()), memory(d.userWeights, cpuEngine())) : reorder(), re});
      bound(bwdWeightsCache);
      it = bwdWeightsCache.emplace(key, std::move(e)).first;
    }
    BwdWeights& c = *it->second;
    stream s(cpuEngine());
    memory src(d.src, cpuEngine(), const_cast<float*>(x)), diffDst(d.dst, cpuEngine(), const_cast<float*>(dy));
    memory user(d.userWeights, cpuEngine(), df);
    memory diffW = c.needsReorder ? memory(c.weights, cpuEngine()) : user;
    c.prim.execute(s, {{DNNL_ARG_SRC, src}, {DNNL_ARG_DIFF_DST, diffDst}, {DNNL_ARG_DIFF_WEIGHTS, diffW}});
    if (c.needsReorder) c.toUser.execute(s, diffW, user);
    s.wait();
    return true;
  } catch (const dnnl::error&) {
    return false;
  }
}

}  // namespace labnative

#else  // built without oneDNN: always fall back

namespace labnative {
bool dnnlConv2d(const ConvGeom&, const float*, const float*, float*) { return false; }
bool dnnlConvBackpropInput(const ConvGeom&, const float*, const float*, float*) { return false; }
bool dnnlConvBackpropFilter(const ConvGeom&, const float*, const float*, float*) { return false; }
}  // namespace labnative

#endif
