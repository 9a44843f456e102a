// Checked reading of one N-API call's arguments. The kernels trust every size they are given, so a
// wrong call from JS must stop here as a JS TypeError (count, type) or RangeError (size, value),
// never reach them. Checks are O(1) in the data: lengths and geometry, never the values.
//
// Built with NAPI_DISABLE_CPP_EXCEPTIONS: the first failure throws a pending JS exception and
// every later read returns an empty value without touching N-API, so an entry point reads all its
// arguments, then returns early when !ok().
#pragma once
#include <napi.h>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>
#include "kernels.h"

namespace labnative {

struct F32 {
  float* data = nullptr;
  int64_t size = 0;
  bool null = true;  // JS null or undefined (only where allowed)
};
struct I32 {
  const int32_t* data = nullptr;
  int64_t size = 0;
};

inline std::string shortNumber(double d) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", d);
  return text;
}

// a * b * ...; saturates at INT64_MAX, which no array length matches.
inline int64_t product(std::initializer_list<int64_t> factors) {
  int64_t p = 1;
  for (int64_t f : factors) {
    if (f < 0 || __builtin_mul_overflow(p, f, &p)) return std::numeric_limits<int64_t>::max();
  }
  return p;
}

class Args {
 public:
  Args(const Napi::CallbackInfo& info, const char* fn, size_t count) : info_(info), fn_(fn) {
    if (info.Length() != count) {
      typeError("expected " + std::to_string(count) + " arguments, got " + std::to_string(info.Length()));
    }
  }

  bool ok() const { return !failed_; }
  Napi::Env env() const { return info_.Env(); }

  F32 f32(size_t i, const char* name) { return typed(i, name, false); }
  F32 f32OrNull(size_t i, const char* name) { return typed(i, name, true); }

  I32 i32(size_t i, const char* name) {
    if (failed_) return {};
    size_t length;
    void* data;
    if (typedArray(info_[i], napi_int32_array, &length, &data)) return I32{static_cast<const int32_t*>(data), (int64_t)length};
    typeError("argument " + std::to_string(i) + " (" + name + ") must be an Int32Array");
    return {};
  }

  double number(size_t i, const char* name) {
    if (failed_) return 0;
    double d;
    if (napi_get_value_double(info_.Env(), info_[i], &d) == napi_ok) return d;  // fails on a non-number
    typeError("argument " + std::to_string(i) + " (" + name + ") must be a number");
    return 0;
  }

  // An integer number in [lo, hi].
  int64_t integer(size_t i, const char* name, int64_t lo, int64_t hi) {
    double d = number(i, name);
    if (failed_) return lo;
    if (!(d >= (double)lo && d <= (double)hi) || d != (double)(int64_t)d) {
      rangeError("argument " + std::to_string(i) + " (" + name + ") must be an integer in [" + std::to_string(lo) +
                 ", " + std::to_string(hi) + "], got " + shortNumber(d));
      return lo;
    }
    return (int64_t)d;
  }

  // An enum code: an integer in [0, count).
  int code(size_t i, const char* name, int count) { return (int)integer(i, name, 0, count - 1); }

  // The array at argument i must have exactly `expected` elements (what the other arguments imply).
  void size(const F32& a, size_t i, const char* name, int64_t expected) {
    if (failed_ || a.size == expected) return;
    rangeError("argument " + std::to_string(i) + " (" + name + ") has " + std::to_string(a.size) +
               " elements, needs " + std::to_string(expected));
  }

  // Any other condition on the arguments; `what` says what was expected. A literal, so a passing
  // check builds no string (messages with numbers in them: `if (!ok) rangeError(...)`).
  void require(bool condition, const char* what) {
    if (!failed_ && !condition) rangeError(what);
  }

  // A ConvGeom from an Int32Array of 15: sizes >= 0, window, strides and dilations >= 1, padding >= 0.
  ConvGeom geom(size_t i, const char* name) {
    I32 g = i32(i, name);
    if (failed_) return ConvGeom{};
    if (g.size != 15) {
      rangeError("argument " + std::to_string(i) + " (" + name + ") must have 15 elements, has " + std::to_string(g.size));
      return ConvGeom{};
    }
    const int32_t* p = g.data;
    ConvGeom c{p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7], p[8], p[9], p[10], p[11], p[12], p[13], p[14]};
    if (!(c.n >= 0 && c.h >= 0 && c.w >= 0 && c.cin >= 0 && c.cout >= 0 && c.oh >= 0 && c.ow >= 0 && c.kh >= 1 &&
          c.kw >= 1 && c.sh >= 1 && c.sw >= 1 && c.dh >= 1 && c.dw >= 1 && c.pt >= 0 && c.pl >= 0)) {
      rangeError("argument " + std::to_string(i) + " (" + name +
                 ") is not a valid geometry: sizes and padding >= 0, window, strides and dilations >= 1");
    }
    return c;
  }

  void typeError(const std::string& message) { fail(true, message); }
  void rangeError(const std::string& message) { fail(false, message); }

 private:
  F32 typed(size_t i, const char* name, bool nullable) {
    if (failed_) return {};
    Napi::Value v = info_[i];
    size_t length;
    void* data;
    if (typedArray(v, napi_float32_array, &length, &data)) return F32{static_cast<float*>(data), (int64_t)length, false};
    if (nullable && (v.IsNull() || v.IsUndefined())) return {};
    typeError("argument " + std::to_string(i) + " (" + name + ") must be a Float32Array" + (nullable ? " or null" : ""));
    return {};
  }

  // One N-API call per array (these checks run on every kernel call): true when v is a typed
  // array of `type`, with its element count and data (byte offset applied).
  bool typedArray(napi_value v, napi_typedarray_type type, size_t* length, void** data) {
    napi_typedarray_type actual;
    napi_value buffer;
    size_t offset;
    return napi_get_typedarray_info(info_.Env(), v, &actual, length, data, &buffer, &offset) == napi_ok &&
           actual == type;
  }

  void fail(bool type, const std::string& message) {
    if (failed_) return;
    failed_ = true;
    std::string text = std::string("labnative.") + fn_ + ": " + message;
    if (type) Napi::TypeError::New(info_.Env(), text).ThrowAsJavaScriptException();
    else Napi::RangeError::New(info_.Env(), text).ThrowAsJavaScriptException();
  }

  const Napi::CallbackInfo& info_;
  const char* fn_;
  bool failed_ = false;
};

}  // namespace labnative
