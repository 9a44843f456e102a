{
  "targets": [
    {
      "target_name": "labnative",
      "sources": [
        "src/engine/native/addon.cc",
        "src/engine/native/conv.cc",
        "src/engine/native/pool.cc",
        "src/engine/native/matmul.cc",
        "src/engine/native/elementwise.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-O3", "-march=native", "-fno-math-errno", "-fopenmp", "-std=c++17"],
      "cflags_cc!": ["-fno-exceptions", "-O2"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-lopenblas", "-lgomp"]
    }
  ]
}
