/**
 * One run of the function from the outside: arguments and stdin bytes in, stdout text, stderr lines and the
 * exit code out. With a file argument it is a kustomize exec plugin (the config file, a resource stream on
 * stdin); without, a KRM function (a ResourceList on stdin). Whatever happens it produces its whole output,
 * reports each problem on one stderr line, and exits 1 on error; it never throws. Reading the config file is
 * handed in, so this stays testable without a process.
 */
import { isUtf8 } from "node:buffer";
import { formatResult, hasErrors, type Result } from "./results.js";
import { runLegacyPlugin } from "./protocol/legacy-plugin.js";
import type { Outcome } from "./protocol/outcome.js";
import { failure, runResourceList } from "./protocol/resource-list.js";

export interface Invocation {
  args: readonly string[];
  stdin: Uint8Array;
  /** Reads the plugin config file; throws a Node.js system error when it cannot. */
  readFile: (path: string) => Uint8Array;
  /** KUSTOMIZE_PLUGIN_CONFIG_ROOT: the kustomization that lists the transformer, when kustomize runs it. */
  pluginConfigRoot?: string;
  /** STALWART_FN_DEBUG: print the stack of an internal error. */
  debug?: boolean;
  /**
   * Whether the caller captures stderr and uses it as a printf format: kustomize 5 does for a legacy plugin
   * that fails (`%{env:NAME}%` would arrive as `%!{(MISSING)env:NAME}%!(MISSING)`); kustomize 4 passes the
   * stream through, and KRM orchestrators read the results.
   */
  stderrIsFormat?: boolean;
}

export interface Answer {
  stdout: string;
  stderr: string;
  exitCode: 0 | 1;
}

/** A failure before the protocol's own reader ran; in KRM mode stdout must still be a ResourceList. */
function failed(message: string, krm = false): Outcome {
  const results: Result[] = [{ severity: "error", message }];
  return krm ? failure(results) : { output: "", results };
}

/** UTF-8 text, or the line of the first byte that is not UTF-8 (0x0A never occurs inside a multi-byte character). */
function decode(bytes: Uint8Array, source: string): { text?: string; problem?: string } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (isUtf8(buffer)) return { text: buffer.toString("utf8") };
  let line = 1;
  for (let start = 0; start < buffer.length; line++) {
    const end = buffer.indexOf(0x0a, start);
    if (!isUtf8(buffer.subarray(start, end === -1 ? buffer.length : end))) break;
    start = end === -1 ? buffer.length : end + 1;
  }
  return { problem: `${source} is not UTF-8 text (line ${line} holds a byte that is not): save it as UTF-8, and put binary data in a Secret's \`data\` as base64` };
}

function outcomeOf(invocation: Invocation): Outcome {
  const stdin = decode(invocation.stdin, invocation.args[0] === undefined ? "the ResourceList on stdin" : "the resource stream on stdin");
  const configPath = invocation.args[0];
  if (configPath === undefined) return stdin.text === undefined ? failed(stdin.problem ?? "", true) : runResourceList(stdin.text);
  let configBytes: Uint8Array;
  try {
    configBytes = invocation.readFile(configPath);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? "unreadable";
    return failed(`cannot read the plugin config file ${JSON.stringify(configPath)} (${reason})`);
  }
  const root = invocation.pluginConfigRoot;
  const configSource = root ? `the transformer config listed in ${root}/kustomization.yaml` : `the config file ${configPath}`;
  const config = decode(configBytes, configSource);
  if (config.text === undefined) return failed(config.problem ?? "");
  if (stdin.text === undefined) return failed(stdin.problem ?? "");
  return runLegacyPlugin({ configText: config.text, streamText: stdin.text, configSource });
}

function unexpected(error: unknown, debug: boolean, krm: boolean): { outcome: Outcome; stack: string } {
  const detail = error instanceof Error ? error.message : String(error);
  const message = `internal error: ${detail}. This is a bug in the function, not in your configuration; please report it to the maintainers of this library with the input (set STALWART_FN_DEBUG=1 for a stack trace)`;
  return { outcome: failed(message, krm), stack: debug && error instanceof Error ? `${error.stack}\n` : "" };
}

export function invoke(invocation: Invocation): Answer {
  let outcome: Outcome;
  let stack = "";
  try {
    outcome = outcomeOf(invocation);
  } catch (error) {
    ({ outcome, stack } = unexpected(error, invocation.debug === true, invocation.args[0] === undefined));
  }
  const lines = outcome.results.filter((result) => result.severity !== "info").map((result) => `${formatResult(result)}\n`);
  const stderr = stack + lines.join("");
  const formatted = invocation.stderrIsFormat === true && invocation.args[0] !== undefined;
  return { stdout: outcome.output, stderr: formatted ? stderr.replaceAll("%", "%%") : stderr, exitCode: hasErrors(outcome.results) ? 1 : 0 };
}
