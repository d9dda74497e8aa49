{
  "targets": [
    {
      "target_name": "leaky_addon",
      "sources": [
        "src/addon.cc",
        "src/counter.cc",
        "src/point.cc",
        "src/timer.cc"
      ],
      # The headers come from the npm package: the lockfile decides which.
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")"
      ],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"]
    }
  ]
}
