"""C++ side: find Napi::ObjectWrap-derived classes and plan Finalize overrides."""
