// Starts `napi-fix lsp` for package.json, lockfiles, binding.gyp and C/C++
// files. Everything else (diagnostics, quick fixes, fix-all) is the server's.
//
// What runs is the user's choice, never the workspace's: `napi-fix.path` is a
// machine setting and restricted in untrusted workspaces (package.json), a
// relative path is refused (it would name a file of whatever folder the
// process runs in), and the server runs in a folder outside the workspace,
// so a bare name is looked up on PATH and never found in the repository.
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, State } from "vscode-languageclient/node";

const WATCHED = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
  "pnpm-workspace.yaml", "binding.gyp"];

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  output = vscode.window.createOutputChannel("napi-fix");
  status = vscode.window.createStatusBarItem(vscode.StatusBarAlignment.Right, 0);
  status.command = "napi-fix.showOutput";
  context.subscriptions.push(
    output,
    status,
    vscode.commands.registerCommand("napi-fix.restart", restart),
    vscode.commands.registerCommand("napi-fix.showOutput", () => output.show()),
    vscode.workspace.onDidChangeConfiguration(async (event) => {
      if (event.affectsConfiguration("napi-fix")) {
        await restart();
      }
    }),
  );
  await start();
}

export async function deactivate(): Promise<void> {
  await stop();
}

export async function restart(): Promise<void> {
  await stop();
  await start();
}

// A client whose start failed cannot be stopped (vscode-languageclient
// throws): it is dropped, so that fixing `napi-fix.path` starts a new one.
async function stop(): Promise<void> {
  const old = client;
  client = undefined;
  if (old?.isRunning()) {
    try {
      await old.stop();
    } catch (error) {
      output.appendLine(`napi-fix: stopping the server: ${error}`);
    }
  }
}

// The executable named by `napi-fix.path`: a bare name is looked up on PATH,
// an absolute path is taken as it is, anything else is refused (undefined).
export function executable(setting: string): string | undefined {
  if (setting === "") {
    return undefined;
  }
  if (path.isAbsolute(setting) || !/[\\/]/.test(setting)) {
    return setting;
  }
  return undefined;
}

function show(state: string, tooltip: string): void {
  status.text = `napi-fix: ${state}`;
  status.tooltip = tooltip;
  status.show();
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("napi-fix");
  const setting = config.get<string>("path", "napi-fix");
  const command = executable(setting);
  if (command === undefined) {
    const message = `napi-fix: "napi-fix.path" must be a command name found on PATH or an absolute path, `
      + `not ${JSON.stringify(setting)}: the server was not started`;
    output.appendLine(message);
    show("not started", message);
    void vscode.window.showErrorMessage(message);
    return;
  }
  // Outside every workspace folder: nothing of the repository is run or read as the executable.
  const server: ServerOptions = { command, args: ["lsp"], options: { cwd: os.homedir() || os.tmpdir() } };
  const options: LanguageClientOptions = {
    documentSelector: [
      ...WATCHED.map((name) => ({ scheme: "file", pattern: `**/${name}` })),
      { scheme: "file", language: "c" },
      { scheme: "file", language: "cpp" },
    ],
    outputChannel: output,  // one channel for every start: "napi-fix: Show Output" shows them all
    // The settings travel as the server's initializationOptions (no config file).
    initializationOptions: {
      strategy: config.get<string>("strategy", "pin"),
      pin: config.get<string>("pin", "upgrade"),
      patchVendored: config.get<boolean>("patchVendored", false),
      finalizeHints: config.get<boolean>("finalizeHints", true),
    },
  };
  const started = new LanguageClient("napi-fix", "napi-fix", server, options);
  client = started;
  started.onDidChangeState((event) => {
    if (client === started) {
      show(State[event.newState].toLowerCase(), `${command} lsp`);
    }
  });
  output.appendLine(`napi-fix: starting ${command} lsp (from the "napi-fix.path" setting: ${JSON.stringify(setting)})`);
  try {
    await started.start();
  } catch (error) {
    const message = `napi-fix: could not start \`${command} lsp\` (set "napi-fix.path", then `
      + `"napi-fix: Restart Server"): ${error}`;
    show("failed", message);
    void vscode.window.showErrorMessage(message);
  }
}
