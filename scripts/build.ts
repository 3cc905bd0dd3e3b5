/**
 * Builds the plugin: regenerates the validator and types from the schema, then bundles the function into one
 * executable CommonJS file laid out as a kustomize plugin home. `--out DIR` builds elsewhere (the freshness test).
 */
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { generate } from "./generate.ts";

export const PLUGIN_PATH = "stalwart.krm.example/v1alpha1/stalwartconfig/StalwartConfig";
const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Where the Argo CD repo-server component takes the plugin from, gzipped. */
export const ARGOCD_PLUGIN_ARCHIVE = "overlays/argocd/repo-server/StalwartConfig.gz";

export async function buildPlugin(pluginHome: string, archive = join(root, ARGOCD_PLUGIN_ARCHIVE)): Promise<string> {
  await generate();
  const outfile = join(pluginHome, PLUGIN_PATH);
  mkdirSync(dirname(outfile), { recursive: true });
  const bundled = await build({
    entryPoints: [join(root, "src/main.ts")],
    // Not written: only names the outputs, the code and its licenses.
    outfile: "function.js",
    write: false,
    bundle: true,
    platform: "node",
    target: "node20",
    // CommonJS: the file has no extension and may be installed where no package.json says "module".
    format: "cjs",
    minify: true,
    legalComments: "external",
    logLevel: "warning",
  });
  const functionSource = bundled.outputFiles.find((file) => file.path.endsWith("function.js"))?.text ?? "";
  const licenses = bundled.outputFiles.find((file) => file.path.endsWith(".LEGAL.txt"))?.text ?? "";
  // The launcher runs the function through V8's code cache (src/launch.ts); the function travels inside it, as a
  // comment in the body of the function it reads the source of.
  const wrapped = `(function (exports, require, module, __filename, __dirname) {${functionSource}\n})`;
  if (wrapped.includes("*/")) throw new Error("the bundled function contains `*/`, which would end the comment it travels in");
  const launcher = await build({
    entryPoints: [join(root, "src/launch.ts")],
    write: false,
    bundle: true,
    platform: "node",
    target: "node20",
    format: "cjs",
    minify: true,
    define: { FUNCTION_ID: JSON.stringify(createHash("sha256").update(functionSource).digest("hex").slice(0, 16)) },
    banner: { js: "#!/usr/bin/env node" },
    logLevel: "warning",
  });
  // The licenses as esbuild writes them at the end of a bundle, their own comment markers defused.
  const licenseComment = licenses === "" ? "" : `/*! ${licenses.replaceAll("/*", "(*").replaceAll("*/", "*)")}*/\n`;
  writeFileSync(outfile, `${launcher.outputFiles[0]?.text ?? ""}function stalwartKrmFunction(){/*${wrapped}*/}\n${licenseComment}`);
  chmodSync(outfile, 0o755);
  // Node reads an extensionless file as an ES module under a `"type": "module"` package.json (this
  // repository's, or any above where the plugin is installed): the plugin's own folder says otherwise.
  writeFileSync(join(dirname(outfile), "package.json"), '{ "type": "commonjs" }\n');
  // gzip leaves the time out of the header when asked nothing else: the archive is byte for byte repeatable.
  writeFileSync(archive, gzipSync(readFileSync(outfile), { level: 9 }));
  return outfile;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outIndex = process.argv.indexOf("--out");
  const home = outIndex > 0 ? resolve(process.argv[outIndex + 1] ?? "") : join(root, "plugin");
  console.log(await buildPlugin(home, outIndex > 0 ? join(home, "StalwartConfig.gz") : undefined));
}
