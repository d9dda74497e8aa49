"""napi-fix: find and fix the node-addon-api ObjectWrap napi_ref leak."""

__version__ = "0.1.0"
