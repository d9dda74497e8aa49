// Starts `napi-fix lsp` for package.json, lockfiles, binding.gyp and C/C++
// files. Everything else (diagnostics, quick fixes, fix-all) is the server's.
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions } from "vscode-languageclient/node";

const WATCHED = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
  "pnpm-workspace.yaml", "binding.gyp"];

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  context.subscriptions.push(vscode.workspace.onDidChangeConfiguration(async (event) => {
    if (event.affectsConfiguration("napi-fix")) {
      await restart();
    }
  }));
  await start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

async function restart(): Promise<void> {
  await deactivate();
  await start();
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("napi-fix");
  const command = config.get<string>("path", "napi-fix");
  const server: ServerOptions = { command, args: ["lsp"] };
  const options: LanguageClientOptions = {
    documentSelector: [
      ...WATCHED.map((name) => ({ scheme: "file", pattern: `**/${name}` })),
      { scheme: "file", language: "c" },
      { scheme: "file", language: "cpp" },
    ],
    // The settings travel as the server's initializationOptions (no config file).
    initializationOptions: {
      strategy: config.get<string>("strategy", "pin"),
      pin: config.get<string>("pin", "upgrade"),
      patchVendored: config.get<boolean>("patchVendored", false),
      finalizeHints: config.get<boolean>("finalizeHints", true),
    },
  };
  client = new LanguageClient("napi-fix", "napi-fix", server, options);
  try {
    await client.start();
  } catch (error) {
    void vscode.window.showErrorMessage(
      `napi-fix: could not start \`${command} lsp\` (set "napi-fix.path"): ${error}`);
  }
}
