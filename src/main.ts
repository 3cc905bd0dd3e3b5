/**
 * Entry point, and the only module that touches the process. With a file argument it is a kustomize exec
 * plugin (the config file, a resource stream on stdin); without, a KRM function (a ResourceList on stdin).
 * Whatever happens it writes its whole output, reports each problem on one stderr line, and exits 1 on error.
 */
import { readFile } from "node:fs/promises";
import { formatResult, hasErrors, type Result } from "./results.js";
import { runLegacyPlugin } from "./protocol/legacy-plugin.js";
import type { Outcome } from "./protocol/outcome.js";
import { runResourceList } from "./protocol/resource-list.js";

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function run(args: readonly string[]): Promise<Outcome> {
  const stdin = await readStdin();
  const configPath = args[0];
  if (configPath === undefined) return runResourceList(stdin);
  let configText: string;
  try {
    configText = await readFile(configPath, "utf8");
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    return { output: "", results: [{ severity: "error", message: `cannot read the plugin config file ${JSON.stringify(configPath)} (${reason})` }] };
  }
  const root = process.env.KUSTOMIZE_PLUGIN_CONFIG_ROOT;
  const configSource = root ? `the transformer config listed in ${root}/kustomization.yaml` : `the config file ${configPath}`;
  return runLegacyPlugin({ configText, streamText: stdin, configSource });
}

function unexpected(error: unknown): Outcome {
  const detail = error instanceof Error ? error.message : String(error);
  if (process.env.STALWART_FN_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  const result: Result = {
    severity: "error",
    message: `internal error: ${detail}. This is a bug in the function, not in your configuration; please report it to the maintainers of this library with the input (set STALWART_FN_DEBUG=1 for a stack trace)`,
  };
  return { output: "", results: [result] };
}

async function main(): Promise<void> {
  let outcome: Outcome;
  try {
    outcome = await run(process.argv.slice(2));
  } catch (error) {
    outcome = unexpected(error);
  }
  process.stdout.write(outcome.output);
  for (const result of outcome.results) {
    if (result.severity !== "info") process.stderr.write(`${formatResult(result)}\n`);
  }
  process.exitCode = hasErrors(outcome.results) ? 1 : 0;
}

void main();
