{
  "variables": {
    # oneDNN (Debian libdnnl-dev) is optional: without it convolutions use im2col + OpenBLAS.
    "with_dnnl%": "<!(test -f /usr/include/dnnl.hpp && echo 1 || echo 0)"
  },
  "targets": [
    {
      "target_name": "labnative",
      "sources": [
        "src/engine/native/addon.cc",
        "src/engine/native/conv.cc",
        "src/engine/native/dnnl_conv.cc",
        "src/engine/native/direct_conv.cc",
        "src/engine/native/smallgemm.cc",
        "src/engine/native/pool.cc",
        "src/engine/native/matmul.cc",
        "src/engine/native/elementwise.cc",
        "src/engine/native/batch_norm.cc",
        "src/engine/native/optimizer.cc",
        "src/engine/native/dropout.cc",
        "src/engine/native/signals.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-march=native", "-fno-math-errno", "-fopenmp", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-lopenblas", "-lgomp"],
      "conditions": [
        ["with_dnnl==1", {
          "defines": ["LABNATIVE_DNNL"],
          "libraries": ["-ldnnl"]
        }]
      ]
    }
  ]
}
