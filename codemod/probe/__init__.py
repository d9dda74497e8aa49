"""`napi-fix probe`: run the user's own command and count, per loaded native
addon, the napi_ref lifecycle the leak breaks (an LD_AUDIT library, no
rebuild). See docs/probe.md."""
