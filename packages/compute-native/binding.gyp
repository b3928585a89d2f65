{
  "targets": [
    {
      "target_name": "sentrl_kernels",
      "type": "static_library",
      "sources": [
        "src/native/pool.cc",
        "src/native/gemm.cc",
        "src/native/matmul.cc",
        "src/native/logits.cc",
        "src/native/layers.cc",
        "src/native/attention.cc",
        "src/native/decode.cc"
      ],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-mavx2", "-mfma", "-fPIC", "-fexceptions"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-mavx2", "-mfma"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX2", "/O2", "/EHsc"] } }
    },
    {
      "target_name": "sentrl_kernels_avx512",
      "type": "static_library",
      "sources": ["src/native/gemm512.cc"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-mavx512f", "-mavx2", "-mfma", "-fPIC", "-fexceptions"],
      "xcode_settings": {
        "GCC_ENABLE_CPP_EXCEPTIONS": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-std=c++17", "-O3", "-mavx512f", "-mavx2", "-mfma"]
      },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/arch:AVX512", "/O2", "/EHsc"] } }
    },
    {
      "target_name": "sentrl_native",
      "sources": ["src/native/addon.cc"],
      "dependencies": ["sentrl_kernels", "sentrl_kernels_avx512"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O2", "-fexceptions"],
      "libraries": ["-lpthread"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CPLUSPLUSFLAGS": ["-std=c++17"] },
      "msvs_settings": { "VCCLCompilerTool": { "AdditionalOptions": ["/EHsc"] } }
    }
  ]
}
