/**
 * Runs a component's shell sidecar as the container runtime does: its own command, as PID 1 of a new PID
 * namespace (`unshare`), signalled from outside it. A PID 1 gets no default action for SIGTERM sent from an
 * ancestor namespace, so a script without a trap keeps running here exactly as it would in a pod.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { REPO_ROOT } from "./tools.ts";

export interface SidecarContainer {
  command: string[];
  env: Record<string, string>;
}

interface ContainerYaml {
  name: string;
  command?: string[];
  env?: { name: string; value?: string }[];
}

/** The container `name` that a component's JSON 6902 patch adds, read from the YAML file itself. */
export function componentContainer(component: string, file: string, name: string): SidecarContainer {
  const operations = parse(readFileSync(join(REPO_ROOT, "overlays/components", component, file), "utf8")) as { op: string; path: string; value?: ContainerYaml }[];
  const container = operations.find((operation) => operation.op === "add" && /^\/spec\/template\/spec\/(initC|c)ontainers\/-$/.test(operation.path) && operation.value?.name === name)?.value;
  assert.ok(container?.command, `${component}/${file} has no container "${name}" with a command`);
  const env = Object.fromEntries((container.env ?? []).flatMap((variable) => (variable.value === undefined ? [] : [[variable.name, variable.value]])));
  return { command: container.command, env };
}

export interface Pid1 {
  /** The script's process id as seen from here (it is 1 inside its namespace). */
  pid: number;
  output(): string;
  /** Resolves with the exit code of the script, or rejects after `timeoutMs` (and kills it). */
  exit(timeoutMs: number): Promise<number | null>;
  kill(): void;
}

function childOf(pid: number): number | undefined {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim();
    return children ? Number(children.split(/\s+/)[0]) : undefined;
  } catch {
    return undefined;
  }
}

export async function startAsPid1(command: readonly string[], env: NodeJS.ProcessEnv): Promise<Pid1> {
  const unshare = spawn("unshare", ["--pid", "--fork", "--map-root-user", "--kill-child", ...command], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  unshare.stdout.on("data", (chunk) => (output += chunk));
  unshare.stderr.on("data", (chunk) => (output += chunk));
  const exited = new Promise<number | null>((resolve, reject) => {
    unshare.on("error", (error) => reject(new Error(`unshare (util-linux) is needed to run a sidecar as PID 1: ${error.message}`)));
    unshare.on("exit", (code) => resolve(code));
  });
  const started = Date.now();
  let pid: number | undefined;
  while (pid === undefined) {
    if (unshare.exitCode !== null) throw new Error(`the sidecar stopped at once (exit ${unshare.exitCode}): ${output}`);
    if (Date.now() - started > 5000) {
      unshare.kill("SIGKILL");
      throw new Error(`the sidecar did not start under unshare: ${output}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
    if (unshare.pid !== undefined) pid = childOf(unshare.pid);
  }
  return {
    pid,
    output: () => output,
    kill: () => unshare.kill("SIGKILL"),
    exit: (timeoutMs) =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) =>
          setTimeout(() => {
            unshare.kill("SIGKILL");
            reject(new Error(`still running ${timeoutMs} ms after the signal: ${output}`));
          }, timeoutMs).unref(),
        ),
      ]),
  };
}
