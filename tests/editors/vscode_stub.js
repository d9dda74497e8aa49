// The packaged VS Code extension, activated under node against a stand-in of
// the `vscode` module (VS Code itself cannot be downloaded here), with the
// real vscode-languageclient it ships starting the real `napi-fix lsp`.
//
// The stand-in answers what the extension and vscode-languageclient ask:
// settings come from SETTINGS (JSON), changes to them fire the extension's
// onDidChangeConfiguration listener, and every message box, status bar text
// and output line is recorded. Anything else is an inert object. Steps
// (argv[3], JSON): [{"workspace": {"folders": [...], "trusted": false}},
// {"settings": {...}} (the first activates), {"grant": true}, {"wait":
// "running"}, {"python": {...}}, {"interpreter": "..."}, ...]; what
// happened is printed as JSON lines.
//
// {"python": {"api": "environments" | "settings", "interpreter": PATH}}
// (before activation) installs a stand-in of the Python extension
// (ms-python.python) exporting that API as @vscode/python-extension types
// it: the active environment is PATH, which resolves only if it is a file.
// Each question it is asked is printed ({"python": "activated" | "asked"}).
// {"interpreter": PATH} then selects another one and fires its change event.
//
// node vscode_stub.js <extension folder> '<steps>'
"use strict";
const Module = require("module");
const path = require("path");

const said = (what) => process.stdout.write(JSON.stringify(what) + "\n");

// An object that is anything: callable, constructible, every property
// another one; never a thenable, and empty when iterated.
function inert(name) {
  const target = function () {};
  return new Proxy(target, {
    get(_, key) {
      if (key === "then") return undefined;
      if (key === Symbol.iterator) return function* () {};
      if (key === Symbol.toPrimitive) return () => `[${name}]`;
      if (key === "dispose") return () => undefined;
      return inert(`${name}.${String(key)}`);
    },
    apply() { return inert(`${name}()`); },
    construct() { return inert(`new ${name}`); },
  });
}

class Disposable {
  constructor(fn) { this.fn = fn; }
  static from(...items) { return new Disposable(() => items.forEach((i) => i && i.dispose && i.dispose())); }
  dispose() { if (this.fn) this.fn(); }
}

class EventEmitter {
  constructor() { this.listeners = []; this.event = (fn) => { this.listeners.push(fn); return new Disposable(); }; }
  fire(value) { this.listeners.forEach((fn) => fn(value)); }
  dispose() {}
}

let settings = {};
let python;  // the stand-in Python extension, once a step asks for one
const configurationListeners = [];
const trustListeners = [];
const output = [];
const status = { text: "", tooltip: "", command: undefined, show() {}, hide() {}, dispose() {} };

function channel(name) {
  return new Proxy({
    name, appendLine: (line) => output.push(line), append: (text) => output.push(text), show() {}, hide() {},
    clear() {}, dispose() {}, replace() {},
  }, { get: (t, key) => (key in t ? t[key] : key === "then" ? undefined : inert(`channel.${String(key)}`)) });
}

function configuration(section) {
  const prefix = section ? `${section}.` : "";
  return {
    get: (key, fallback) => (prefix + key in settings ? settings[prefix + key] : fallback),
    has: (key) => prefix + key in settings,
    // Every setting here is the user's own (globalValue): a machine setting has no other.
    inspect: (key) => (prefix + key in settings ? { key: prefix + key, globalValue: settings[prefix + key] } : undefined),
    update: async () => undefined,
  };
}

const vscode = new Proxy({
  version: "1.82.0",
  Disposable,
  EventEmitter,
  StatusBarAlignment: { Left: 1, Right: 2 },
  ProgressLocation: { SourceControl: 1, Window: 10, Notification: 15 },
  env: new Proxy({ appName: "Visual Studio Code", language: "en", machineId: "stub", sessionId: "stub",
    uiKind: 1, appRoot: "/", shell: "/bin/sh", remoteName: undefined },
  { get: (t, key) => (key in t ? t[key] : inert(`env.${String(key)}`)) }),
  window: new Proxy({
    createOutputChannel: channel,
    createStatusBarItem: () => status,
    showErrorMessage: async (message) => { said({ error: message }); return undefined; },
    showWarningMessage: async (message) => { said({ warning: message }); return undefined; },
    showInformationMessage: async (message) => { said({ information: message }); return undefined; },
    withProgress: async (options, task) => {
      said({ progress: options.title });
      return task({ report: (value) => said({ reported: value.message }) },
        { isCancellationRequested: false, onCancellationRequested: () => new Disposable() });
    },
  }, { get: (t, key) => (key in t ? t[key] : inert(`window.${String(key)}`)) }),
  workspace: new Proxy({
    getConfiguration: configuration,
    onDidChangeConfiguration: (fn) => { configurationListeners.push(fn); return new Disposable(); },
    onDidGrantWorkspaceTrust: (fn) => { trustListeners.push(fn); return new Disposable(); },
    workspaceFolders: undefined,
    textDocuments: [],
    isTrusted: true,
  }, { get: (t, key) => (key in t ? t[key] : inert(`workspace.${String(key)}`)) }),
  extensions: {
    getExtension: (id) => (id === "ms-python.python" ? python : undefined),
  },
  commands: new Proxy({
    registerCommand: (id) => { said({ command: id }); return new Disposable(); },
  }, { get: (t, key) => (key in t ? t[key] : inert(`commands.${String(key)}`)) }),
}, { get: (t, key) => (key in t ? t[key] : key === "then" || key === "__esModule" ? undefined : inert(String(key))) });

const load = Module._load;
Module._load = function (request, ...rest) {
  return request === "vscode" ? vscode : load.call(this, request, ...rest);
};

// The Python extension as its API's types describe it (see the header).
function pythonExtension({ api, interpreter }) {
  const fs = require("fs");
  const changed = new EventEmitter();
  const uri = (file) => ({ fsPath: file, scheme: "file", path: file, toString: () => `file://${file}` });
  const exports = api === "environments" ? {
    environments: {
      getActiveEnvironmentPath: () => {
        said({ python: "asked" });
        return { id: extension.interpreter, path: extension.interpreter };
      },
      resolveEnvironment: async (environment) => {
        const file = typeof environment === "string" ? environment : environment.path;
        return fs.existsSync(file) && fs.statSync(file).isFile()
          ? { id: file, path: file,
            executable: { uri: uri(file), bitness: "64-bit", sysPrefix: path.dirname(path.dirname(file)) } }
          : undefined;
      },
      onDidChangeActiveEnvironmentPath: changed.event,
    },
  } : {
    settings: {
      getExecutionDetails: () => { said({ python: "asked" }); return { execCommand: [extension.interpreter] }; },
      onDidChangeExecutionDetails: changed.event,
    },
  };
  const extension = {
    id: "ms-python.python", isActive: false, exports, interpreter, changed,
    activate: async () => { said({ python: "activated" }); extension.isActive = true; return exports; },
  };
  return extension;
}

async function main() {
  const [folder, steps] = [process.argv[2], JSON.parse(process.argv[3])];
  const manifest = require(path.join(folder, "package.json"));
  const extension = require(path.join(folder, manifest.main));
  let activated = false;
  for (const step of steps) {
    if (step.workspace) {  // before activation: the folders (paths) and whether they are trusted
      vscode.workspace.workspaceFolders = step.workspace.folders.map((folder, index) => ({
        uri: { fsPath: folder, scheme: "file", path: folder, toString: () => `file://${folder}` },
        name: path.basename(folder), index,
      }));
      vscode.workspace.isTrusted = step.workspace.trusted;
    } else if (step.python) {
      python = pythonExtension(step.python);
    } else if (step.interpreter) {  // the user selects another interpreter
      python.interpreter = step.interpreter;
      for (const fn of python.changed.listeners) await fn({ id: step.interpreter, path: step.interpreter });
      said({ status: status.text });
    } else if (step.grant) {  // the user trusts the workspace
      vscode.workspace.isTrusted = true;
      for (const fn of trustListeners) await fn();
      said({ status: status.text });
    } else if (step.settings) {
      const changed = Object.keys(step.settings);
      settings = { ...settings, ...step.settings };
      if (!activated) {
        activated = true;
        await extension.activate({
          subscriptions: [], extensionPath: folder,
          // The extension's own storage (VS Code's globalStorageUri): STORAGE in the environment, else beside it.
          globalStorageUri: { fsPath: process.env.STORAGE || path.join(folder, ".storage") },
        });
      } else {
        for (const fn of configurationListeners) {
          await fn({ affectsConfiguration: (section) => changed.some((key) => key.startsWith(section)) });
        }
      }
      said({ status: status.text });
    } else if (step.wait) {
      const deadline = Date.now() + 30000;
      while (status.text !== `napi-fix: ${step.wait}` && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      said({ status: status.text });
    }
  }
  await extension.deactivate();
  said({ output, tooltip: status.tooltip });
  process.exit(0);
}

main().catch((error) => { said({ crashed: String(error && error.stack || error) }); process.exit(1); });
