#!/usr/bin/env node
/**
 * Installs the StalwartConfig plugin into the kustomize plugin home, where kustomize and kubectl look when
 * KUSTOMIZE_PLUGIN_HOME is not set: $XDG_CONFIG_HOME/kustomize/plugin, else ~/.config/kustomize/plugin.
 * `--plugin-home DIR` installs elsewhere. Plain JavaScript without dependencies, so that it also runs from
 * an installed package (`npm exec stalwart-install-plugin`).
 */
import { chmodSync, copyFileSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PLUGIN_DIR = "stalwart.krm.example/v1alpha1/stalwartconfig";
const source = join(dirname(fileURLToPath(import.meta.url)), "..", "plugin", PLUGIN_DIR);

const args = process.argv.slice(2);
const flag = args.indexOf("--plugin-home");
if (args.some((arg) => arg === "-h" || arg === "--help")) {
  console.log("usage: install-plugin [--plugin-home DIR]\ninstalls the StalwartConfig kustomize plugin into DIR (default: $XDG_CONFIG_HOME/kustomize/plugin or ~/.config/kustomize/plugin)");
  process.exit(0);
}
if (flag !== -1 && !args[flag + 1]) {
  console.error("install-plugin: --plugin-home needs a directory");
  process.exit(2);
}
const home =
  flag !== -1
    ? resolve(args[flag + 1])
    : process.env.XDG_CONFIG_HOME
      ? join(process.env.XDG_CONFIG_HOME, "kustomize", "plugin")
      : join(homedir(), ".config", "kustomize", "plugin");
const target = join(home, PLUGIN_DIR);

try {
  mkdirSync(target, { recursive: true });
  copyFileSync(join(source, "StalwartConfig"), join(target, "StalwartConfig"));
  copyFileSync(join(source, "package.json"), join(target, "package.json"));
  chmodSync(join(target, "StalwartConfig"), 0o755);
} catch (error) {
  console.error(`install-plugin: cannot install into ${target}: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
console.log(`installed ${join(target, "StalwartConfig")}`);
if (process.env.KUSTOMIZE_PLUGIN_HOME && resolve(process.env.KUSTOMIZE_PLUGIN_HOME) !== home) {
  console.warn(`note: KUSTOMIZE_PLUGIN_HOME=${process.env.KUSTOMIZE_PLUGIN_HOME} is set and takes precedence; unset it to use this installation`);
}
console.log("build with: kubectl kustomize --enable-alpha-plugins <overlay>   (or kustomize build --enable-alpha-plugins <overlay>)");
