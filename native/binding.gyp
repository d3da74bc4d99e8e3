{
  "variables": { "gm_libflac%": "<!(node scripts/has-libflac.mjs)" },
  "targets": [
    {
      "target_name": "glassmaster_native",
      "sources": ["src/addon.cc", "src/execute_worker.cc", "src/io_pool.cc", "src/flac_decode.cc"],
      "conditions": [
        ["OS=='linux'", { "sources": ["src/sg_linux.cc"] }],
        ["OS!='win'", { "sources": ["src/file_fill_posix.cc", "src/dir_scan_posix.cc", "src/tree_read_posix.cc"] }],
        ["OS=='win'", { "sources": ["src/spti_win.cc"], "defines": ["WIN32_LEAN_AND_MEAN", "NOMINMAX"] }],
        ["OS!='linux' and OS!='win'", { "sources": ["src/device_dummy.cc"] }],
        ["gm_libflac==1", { "defines": ["GM_HAVE_LIBFLAC=1"], "cflags_cc": ["<!@(pkg-config --cflags flac)"], "libraries": ["-ldl"] }]
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")"],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra"],
      "xcode_settings": { "GCC_ENABLE_CPP_EXCEPTIONS": "YES", "CLANG_CXX_LANGUAGE_STANDARD": "c++17" },
      "msvs_settings": { "VCCLCompilerTool": { "ExceptionHandling": 1, "AdditionalOptions": ["/std:c++17"] } }
    }
  ]
}
