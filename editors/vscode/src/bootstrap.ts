// The server from the wheel bundled in the extension (bundled/napi_fix-*.whl),
// installed with the user's Python into the extension's own storage on first
// start, as ruff's and black's extensions ship their tool. napi-fix is not on
// PyPI, so "pip install napi-fix" cannot be the answer; this runs only when
// neither the setting, a trusted workspace's virtual environment nor PATH
// has napi-fix.
//
// One virtual environment per bundled wheel (its file name carries the
// version): an extension update installs its own next to the old one. A
// stamp written last marks a finished install; an environment without it
// (a window closed mid-install) is made again.
import * as cp from "child_process";
import * as fs from "fs";
import * as path from "path";

export const BUNDLED = "bundled";
const MIN_PYTHON = [3, 10];

export interface Reporter {
  line(text: string): void;
}

// The wheel shipped in the extension's `bundled` folder, if any.
export function bundledWheel(extensionPath: string): string | undefined {
  const folder = path.join(extensionPath, BUNDLED);
  let names: string[] = [];
  try {
    names = fs.readdirSync(folder);
  } catch {
    return undefined;
  }
  const wheel = names.filter((name) => /^napi_fix-.*\.whl$/.test(name)).sort().pop();
  return wheel === undefined ? undefined : path.join(folder, wheel);
}

// Whether `name` is an executable file in a folder of PATH.
export function onPath(name: string, searchPath: string = process.env.PATH ?? ""): boolean {
  const names = process.platform === "win32" ? [`${name}.exe`, `${name}.cmd`] : [name];
  return searchPath.split(path.delimiter).filter(Boolean).some((folder) => names.some((candidate) => {
    try {
      fs.accessSync(path.join(folder, candidate), fs.constants.X_OK);
      return fs.statSync(path.join(folder, candidate)).isFile();
    } catch {
      return false;
    }
  }));
}

function scripts(venv: string): string {
  return process.platform === "win32" ? path.join(venv, "Scripts") : path.join(venv, "bin");
}

// The napi-fix executable of the wheel's environment under `storage`, if installed.
export function installedServer(storage: string, wheel: string): string | undefined {
  const venv = path.join(storage, "server", path.basename(wheel, ".whl"));
  const exe = path.join(scripts(venv), process.platform === "win32" ? "napi-fix.exe" : "napi-fix");
  return fs.existsSync(path.join(venv, ".napi-fix-installed")) && fs.existsSync(exe) ? exe : undefined;
}

function run(command: string, args: string[], report: Reporter): Promise<void> {
  return new Promise((resolve, reject) => {
    report.line(`napi-fix: ${command} ${args.join(" ")}`);
    const child = cp.spawn(command, args, { stdio: ["ignore", "pipe", "pipe"] });
    const tail: string[] = [];
    const keep = (data: Buffer) => { tail.push(data.toString()); if (tail.length > 40) tail.shift(); };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("error", reject);
    child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(
      `${command} ${args.join(" ")} exited ${code}: ${tail.join("").trim().split("\n").slice(-5).join(" ")}`))));
  });
}

// A Python of at least MIN_PYTHON on PATH (python3, then python).
export async function findPython(report: Reporter): Promise<string> {
  const check = `import sys; sys.exit(0 if sys.version_info >= (${MIN_PYTHON.join(", ")}) else 1)`;
  for (const candidate of process.platform === "win32" ? ["python", "py"] : ["python3", "python"]) {
    if (!onPath(candidate)) {
      continue;
    }
    try {
      await run(candidate, ["-c", check], report);
      return candidate;
    } catch {
      report.line(`napi-fix: ${candidate} is older than Python ${MIN_PYTHON.join(".")}`);
    }
  }
  throw new Error(`no Python ${MIN_PYTHON.join(".")} or later on PATH to install napi-fix's bundled wheel with; `
    + `install one, or set "napi-fix.path"`);
}

// Installs the wheel into its own virtual environment under `storage` (once)
// and returns its napi-fix executable.
export async function installServer(storage: string, wheel: string, report: Reporter): Promise<string> {
  const ready = installedServer(storage, wheel);
  if (ready !== undefined) {
    return ready;
  }
  const venv = path.join(storage, "server", path.basename(wheel, ".whl"));
  fs.rmSync(venv, { recursive: true, force: true });  // a half-made one
  fs.mkdirSync(path.dirname(venv), { recursive: true });
  const python = await findPython(report);
  await run(python, ["-m", "venv", venv], report);
  await run(path.join(scripts(venv), "python"), ["-m", "pip", "install", "--disable-pip-version-check", "--quiet",
    wheel], report);
  fs.writeFileSync(path.join(venv, ".napi-fix-installed"), `${path.basename(wheel)}\n`);
  const exe = installedServer(storage, wheel);
  if (exe === undefined) {
    throw new Error(`${wheel} installed no napi-fix executable`);
  }
  return exe;
}
