/**
 * Builds the plugin: regenerates the validator and types from the schema, then bundles the function into one
 * executable CommonJS file laid out as a kustomize plugin home. `--out DIR` builds elsewhere (the freshness test).
 */
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { generate } from "./generate.ts";

export const PLUGIN_PATH = "stalwart.krm.example/v1alpha1/stalwartconfig/StalwartConfig";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

export async function buildPlugin(pluginHome: string): Promise<string> {
  await generate();
  const outfile = join(pluginHome, PLUGIN_PATH);
  mkdirSync(dirname(outfile), { recursive: true });
  await build({
    entryPoints: [join(root, "src/main.ts")],
    outfile,
    bundle: true,
    platform: "node",
    target: "node20",
    // CommonJS: the file has no extension and may be installed where no package.json says "module".
    format: "cjs",
    minify: true,
    legalComments: "eof",
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
  });
  chmodSync(outfile, 0o755);
  // Node reads an extensionless file as an ES module under the repository's `"type": "module"`.
  writeFileSync(join(pluginHome, "package.json"), '{ "type": "commonjs" }\n');
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf("--out");
  const home = outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? "") : join(root, "plugin");
  console.log(await buildPlugin(home));
}
