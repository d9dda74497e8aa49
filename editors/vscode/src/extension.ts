// Starts `napi-fix lsp` for package.json, lockfiles, binding.gyp and C/C++
// files. Everything else (diagnostics, quick fixes, fix-all) is the server's.
//
// The executable is found as ruff's extension finds its own: the
// `napi-fix.path` setting, else, once the workspace is trusted, the napi-fix
// of the Python interpreter selected in the Python extension (python.ts),
// else the workspace's virtual environment (.venv or venv), else `napi-fix`
// on PATH; the output and the status bar's tooltip say which. Otherwise
// what runs is the user's choice, never the workspace's: `napi-fix.path` is
// a machine setting and restricted in untrusted workspaces (package.json), a
// relative path is refused (it would name a file of whatever folder the
// process runs in), and the server runs in a folder outside the workspace,
// so a bare name is looked up on PATH and never found in the repository.
// With none of these, the wheel bundled in the extension is installed with
// the user's Python (bootstrap.ts).
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as vscode from "vscode";
import { LanguageClient, LanguageClientOptions, ServerOptions, State } from "vscode-languageclient/node";
import { bundledWheel, installedServer, installServer, onPath } from "./bootstrap";
import { interpreterNapiFix, onInterpreterChange } from "./python";

const WATCHED = ["package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
  "pnpm-workspace.yaml", "binding.gyp"];

const STOP_MS = 10000;

let client: LanguageClient | undefined;
let output: vscode.OutputChannel;
let status: vscode.StatusBarItem;
let extensionPath = "";
let storage = "";
let subscriptions: vscode.Disposable[] = [];
let watchingInterpreter = false;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionPath = context.extensionPath;
  storage = context.globalStorageUri.fsPath;
  subscriptions = context.subscriptions;
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
// in a trusted workspace the napi-fix of the Python extension's selected
// interpreter, else napi-fix in the workspace's .venv or venv, else
// `napi-fix` on PATH, else the bundled wheel (`bundled` names it), else
// `napi-fix` (to fail saying so). Why a step was passed over goes to the output.
type Choice = { setting: string; from: string; bundled?: string };

async function choose(config: vscode.WorkspaceConfiguration): Promise<Choice> {
  const made = config.inspect<string>("path")?.globalValue;
  if (made !== undefined) {
    return { setting: made, from: "the \"napi-fix.path\" setting" };
  }
  if (vscode.workspace.isTrusted) {
    const folders = vscode.workspace.workspaceFolders ?? [];
    const python = await interpreterNapiFix(folders[0]?.uri);
    watchInterpreter();
    if (python !== undefined && "note" in python) {
      output.appendLine(`napi-fix: ${python.note}`);
    } else if (python !== undefined) {
      const from = `the Python extension's selected interpreter (${python.interpreter})`;
      return { setting: python.executable, from };
    }
    for (const folder of folders) {
      for (const venv of [".venv", "venv"]) {
        const candidate = path.join(folder.uri.fsPath, venv, ...VENV_SCRIPTS);
        if (fs.existsSync(candidate)) {
          return { setting: candidate, from: `the workspace's virtual environment (${venv})` };
        }
      }
    }
  } else {
    output.appendLine("napi-fix: the workspace is not trusted: neither its Python interpreter nor its virtual "
      + "environment is used");
  }
  const wheel = bundledWheel(extensionPath);
  if (!onPath("napi-fix") && wheel !== undefined) {
    return { setting: "", from: "the wheel bundled with the extension", bundled: wheel };
  }
  return { setting: "napi-fix", from: "PATH" };
}

// Another interpreter selected: start again, from it if it has napi-fix.
function watchInterpreter(): void {
  if (!watchingInterpreter) {
    const watching = onInterpreterChange(restart);
    if (watching !== undefined) {
      watchingInterpreter = true;
      subscriptions.push(watching);
    }
  }
}

// The bundled wheel's server, installed on first use with progress shown.
async function bundledServer(wheel: string): Promise<string | undefined> {
  const ready = installedServer(storage, wheel);
  if (ready !== undefined) {
    return ready;
  }
  try {
    return await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: "napi-fix: installing the language server" },
      async (progress) => installServer(storage, wheel, {
        line: (text) => { output.appendLine(text); progress.report({ message: text.replace(/^napi-fix: /, "") }); },
      }));
  } catch (error) {
    const message = `napi-fix: could not install the bundled server (${error}); set "napi-fix.path" to a napi-fix `
      + `executable, then "napi-fix: Restart Server"`;
    output.appendLine(message);
    show("failed", message);
    void vscode.window.showErrorMessage(message);
    return undefined;
  }
}

function show(state: string, tooltip: string): void {
  status.text = `napi-fix: ${state}`;
  status.tooltip = tooltip;
  status.show();
}

async function start(): Promise<void> {
  const config = vscode.workspace.getConfiguration("napi-fix");
  const { setting, from, bundled } = await choose(config);
  const command = bundled !== undefined ? await bundledServer(bundled) : executable(setting);
  if (bundled !== undefined && command === undefined) {
    return;
  }
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
      show(State[event.newState].toLowerCase(), `${command} lsp (from ${from})`);
    }
  });
  output.appendLine(`napi-fix: starting ${command} lsp (from ${from})`);
  try {
    await started.start();
  } catch (error) {
    const message = `napi-fix: could not start \`${command} lsp\` (from ${from}; set "napi-fix.path", then `
      + `"napi-fix: Restart Server"): ${error}`;
    show("failed", message);
    void vscode.window.showErrorMessage(message);
  }
}
