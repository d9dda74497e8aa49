{
  "targets": [
    {
      "target_name": "vendored_addon",
      "sources": ["src/addon.cc"],
      # A copy of node-addon-api 8.2.1 checked into the tree (scripts/setup
      # copies it from the npm package; it is never committed here).
      "include_dirs": ["deps/node-addon-api"],
      "defines": ["NAPI_DISABLE_CPP_EXCEPTIONS"]
    }
  ]
}
