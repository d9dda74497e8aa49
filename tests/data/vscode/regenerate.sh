#!/usr/bin/env bash
# VS Code's own extension-manifest schema (vscode://schemas/vscode-extensions,
# what VS Code validates an extension's package.json with), into
# extension-manifest.schema.json. VS Code builds it at run time from its
# source: the core fields in extensionsRegistry.js, then each contribution
# point adds its part (contributes.configuration, contributes.commands). That
# source is on the npm registry, compiled, as @codingame/monaco-vscode-api and
# its service overrides; this loads those modules under node and writes the
# registered schema. Re-run to follow a newer VS Code (change VERSION).
set -euo pipefail
VERSION=37.6.1
here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cd "$work"
npm install --no-save --no-package-lock --ignore-scripts --no-audit --no-fund --loglevel=error \
  "@codingame/monaco-vscode-api@$VERSION" \
  "@codingame/monaco-vscode-configuration-service-override@$VERSION" \
  "@codingame/monaco-vscode-keybindings-service-override@$VERSION"
cp "$here/dump-schema.mjs" .
node dump-schema.mjs "$VERSION" > "$here/extension-manifest.schema.json"
