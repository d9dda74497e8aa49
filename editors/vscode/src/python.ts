// The napi-fix of the Python interpreter the user selected in the Python
// extension (ms-python.python), which ruff's and black's extensions ask
// right after their own path setting: a user who picked an environment
// with napi-fix installed expects that one, whatever PATH holds.
//
// Only the API's public surface is used, through `getExtension`, so the
// Python extension stays optional (no `extensionDependencies`): its
// `environments` API (@vscode/python-extension: the active environment's
// path, resolved to its interpreter) and, for releases before it,
// `settings.getExecutionDetails`. The interpreter's own folder holds its
// scripts (a venv's bin/, a conda env's bin/, Scripts\ on Windows); failing
// that, its sys.prefix does. Nothing is run to find out: in particular no
// interpreter a workspace may have chosen runs before the workspace is
// trusted (the caller asks only then).
import * as fs from "fs";
import * as path from "path";
import * as vscode from "vscode";

export const PYTHON_EXTENSION = "ms-python.python";
const ANSWER_MS = 10000;  // the Python extension activating: never hold the server's start longer

interface EnvironmentPath {
  readonly id: string;
  readonly path: string;
}

// What is read of the Python extension's exports (see the module comment).
interface PythonApi {
  environments?: {
    getActiveEnvironmentPath(resource?: vscode.Uri): EnvironmentPath | undefined;
    resolveEnvironment(environment: EnvironmentPath | string):
      Promise<{ executable: { uri?: vscode.Uri; sysPrefix?: string } } | undefined>;
    onDidChangeActiveEnvironmentPath?: vscode.Event<unknown>;
  };
  settings?: {
    getExecutionDetails(resource?: vscode.Uri): { execCommand: string[] | undefined };
    onDidChangeExecutionDetails?: vscode.Event<unknown>;
  };
}

// napi-fix beside the selected interpreter; or why not (`note`, for the
// output); undefined when the Python extension is not installed.
export type Interpreter = { executable: string; interpreter: string } | { note: string } | undefined;

const SCRIPT = process.platform === "win32" ? "napi-fix.exe" : "napi-fix";

async function api(): Promise<PythonApi | undefined> {
  const extension = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION);
  if (extension === undefined) {
    return undefined;
  }
  if (!extension.isActive) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<"late">((resolve) => { timer = setTimeout(() => resolve("late"), ANSWER_MS); });
    const answer = await Promise.race([extension.activate().then(() => "active" as const), late])
      .finally(() => clearTimeout(timer));
    if (answer === "late") {
      throw new Error(`the Python extension did not activate within ${ANSWER_MS / 1000} s`);
    }
  }
  return extension.exports;
}

// The interpreter the Python extension has selected for `resource`.
async function selected(python: PythonApi, resource: vscode.Uri | undefined): Promise<string | { note: string }> {
  if (python.environments !== undefined) {
    const active = python.environments.getActiveEnvironmentPath(resource);
    if (active === undefined) {
      return { note: "the Python extension has no interpreter selected" };
    }
    const resolved = await python.environments.resolveEnvironment(active);
    const interpreter = resolved?.executable.uri?.fsPath;
    if (interpreter === undefined) {
      return { note: `the Python extension's selected interpreter ${active.path} was not found` };
    }
    return interpreter;
  }
  const command = python.settings?.getExecutionDetails(resource).execCommand;
  if (command === undefined || command.length === 0) {
    return { note: "the Python extension has no interpreter selected" };
  }
  // `python3`, or `conda run ... python`: not a file whose folder is known.
  if (command.length !== 1 || !path.isAbsolute(command[0]) || !fs.existsSync(command[0])) {
    return { note: `the Python extension's selected interpreter \`${command.join(" ")}\` is not a file napi-fix `
      + "could be found beside" };
  }
  return command[0];
}

// The napi-fix installed with `interpreter`: in the interpreter's folder,
// else in its environment's scripts folder (a symlinked interpreter's
// folder may be the base Python's).
function besides(interpreter: string): string | undefined {
  const environment = path.dirname(path.dirname(interpreter));
  const folders = [path.dirname(interpreter), path.join(environment, process.platform === "win32" ? "Scripts" : "bin")];
  return folders.map((folder) => path.join(folder, SCRIPT)).find((candidate) => fs.existsSync(candidate));
}

export async function interpreterNapiFix(resource: vscode.Uri | undefined): Promise<Interpreter> {
  let python: PythonApi | undefined;
  try {
    python = await api();
    if (python === undefined) {
      return undefined;
    }
    const interpreter = await selected(python, resource);
    if (typeof interpreter !== "string") {
      return interpreter;
    }
    const executable = besides(interpreter);
    return executable !== undefined ? { executable, interpreter }
      : { note: `no napi-fix beside the selected Python interpreter ${interpreter}` };
  } catch (error) {
    return { note: `the Python extension did not say which interpreter is selected: ${error}` };
  }
}

// Call `changed` whenever the user selects another interpreter (nothing
// when the Python extension is not installed or not yet active).
export function onInterpreterChange(changed: () => unknown): vscode.Disposable | undefined {
  const python = vscode.extensions.getExtension<PythonApi>(PYTHON_EXTENSION);
  if (python === undefined || !python.isActive) {
    return undefined;
  }
  const event = python.exports.environments?.onDidChangeActiveEnvironmentPath
    ?? python.exports.settings?.onDidChangeExecutionDetails;
  return event?.(() => changed());
}
