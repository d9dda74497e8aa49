// Prints VS Code's extension-manifest schema as VS Code registers it, with
// where it came from (run by regenerate.sh, in a folder holding the packages).
import { readFileSync } from "fs";

const api = "@codingame/monaco-vscode-api/vscode/vs";
const { Registry } = await import(`${api}/platform/registry/common/platform`);
const { Extensions } = await import(`${api}/platform/jsonschemas/common/jsonContributionRegistry`);
const product = (await import(`${api}/platform/product/common/product`)).default;
await import(`${api}/workbench/services/extensions/common/extensionsRegistry`);
// The contribution points this extension uses: each adds its part to `contributes`.
await import("@codingame/monaco-vscode-configuration-service-override/vscode/vs/workbench/api/common/configurationExtensionPoint");
await import("@codingame/monaco-vscode-keybindings-service-override/vscode/vs/workbench/services/actions/common/menusExtensionPoint");
const schema = Registry.as(Extensions.JSONContribution).getSchemaContributions().schemas["vscode://schemas/vscode-extensions"];
const packages = JSON.parse(readFileSync("node_modules/@codingame/monaco-vscode-api/package.json", "utf8"));
process.stdout.write(JSON.stringify({
  source: `VS Code ${product.version}'s vscode://schemas/vscode-extensions, registered by its own modules as `
    + `${packages.name} ${packages.version} and its configuration and keybindings service overrides publish `
    + "them on npm (tests/data/vscode/regenerate.sh)",
  vscode: product.version,
  schema,
}, null, 1) + "\n");
