// Starts `napi-fix lsp` for package.json, lockfiles, binding.gyp and C/C++
// files. Everything else (diagnostics, quick fixes, fix-all) is the server's.
//
// The executable is found as ruff's extension finds its own: the
// `napi-fix.path` setting, else the workspace's virtual environment
// (.venv or venv) once the workspace is trusted, else `napi-fix` on PATH;
// the output says which. Otherwise what runs is the user's choice, never
// the workspace's: `napi-fix.path` is a machine setting and restricted in
// untrusted workspaces (package.json), a relative path is refused (it would
// name a file of whatever folder the process runs in), and the server runs
// in a folder outside the workspace, so a bare name is looked up on PATH and
// never found in the repository.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, State } from "vscode-languageclient/node";

const WATCHED = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
  "pnpm-workspace.yaml", "binding.gyp"];

const STOP_MS = 10000;

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
    vscode.workspace.onDidGrantWorkspaceTrust(restart),  // its virtual environment may now be used
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
      // More than the default 2 s: the server answers `initialize` before it
      // imports pygls, which must run before `shutdown` is answered (slow on a busy host).
      await old.stop(STOP_MS);
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

// Where the workspace's virtual environment keeps its scripts.
const VENV_SCRIPTS = process.platform === "win32" ? ["Scripts", "napi-fix.exe"] : ["bin", "napi-fix"];

// The setting the user made (a machine setting: never a workspace's), else
// napi-fix in a trusted workspace's .venv or venv, else `napi-fix` on PATH.
function choose(config: vscode.WorkspaceConfiguration): { setting: string; from: string } {
  const made = config.inspect<string>("path")?.globalValue;
  if (made !== undefined) {
    return { setting: made, from: "the \"napi-fix.path\" setting" };
  }
  if (vscode.workspace.isTrusted) {
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      for (const venv of [".venv", "venv"]) {
        const candidate = path.join(folder.uri.fsPath, venv, ...VENV_SCRIPTS);
        if (fs.existsSync(candidate)) {
          return { setting: candidate, from: `the workspace's virtual environment (${venv})` };
        }
      }
    }
  }
  return { setting: "napi-fix", from: "PATH" };
}

function show(state: string, tooltip: string): void {
  status.text = `napi-fix: ${state}`;
  status.tooltip = tooltip;
  status.show();
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("napi-fix");
  const { setting, from } = choose(config);
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
  output.appendLine(`napi-fix: starting ${command} lsp (from ${from})`);
  try {
    await started.start();
  } catch (error) {
    const message = `napi-fix: could not start \`${command} lsp\` (set "napi-fix.path", then `
      + `"napi-fix: Restart Server"): ${error}`;
    show("failed", message);
    void vscode.window.showErrorMessage(message);
  }
}
