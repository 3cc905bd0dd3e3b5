/**
 * Entry point, and the only module that touches the process: reads stdin and the config file, hands them to
 * `invoke`, writes what it answers and sets the exit code.
 */
import { fstatSync, readFileSync, statSync, writeSync } from "node:fs";
import { invoke } from "./invocation.js";

/**
 * Synchronous reads skip setting up `process.stdin` as a stream, which costs a cold start several
 * milliseconds; a pipe left non-blocking by the parent (EAGAIN) falls back to the stream.
 */
async function readStdin(): Promise<Uint8Array> {
  try {
    return readFileSync(0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EAGAIN") throw error;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/**
 * Writes synchronously for the same reason; a non-blocking pipe that is full (EAGAIN) gets the rest through the
 * stream. Output that cannot all be written fails the run, a reader that went away (EPIPE) included: kustomize
 * must not build from part of the objects.
 */
function writeAll(fd: 1 | 2, text: string): void {
  const bytes = Buffer.from(text, "utf8");
  let offset = 0;
  try {
    while (offset < bytes.length) offset += writeSync(fd, bytes, offset);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "EAGAIN") writeLater(fd, bytes.subarray(offset));
    else writeFailed(fd, error);
  }
}

function writeLater(fd: 1 | 2, bytes: Uint8Array): void {
  try {
    const stream = fd === 1 ? process.stdout : process.stderr;
    stream.on("error", (error) => writeFailed(fd, error));
    stream.write(bytes);
  } catch (error) {
    writeFailed(fd, error);
  }
}

/** A failure on stderr goes unreported: there is nowhere left to report it. */
function writeFailed(fd: 1 | 2, error: unknown): void {
  process.exitCode = 1;
  if (fd === 1) writeAll(2, `[error] cannot write the output to stdout (${(error as NodeJS.ErrnoException).code ?? String(error)}): the output is incomplete\n`);
}

/**
 * kustomize 4 hands a legacy plugin its own stderr; kustomize 5 gives it a pipe and formats what comes back
 * with printf. Only a shared stderr proves the first: without /proc the function assumes the second, which is
 * what `kubectl kustomize` does.
 */
function stderrIsFormat(pluginConfigRoot: string | undefined): boolean {
  if (pluginConfigRoot === undefined) return false;
  try {
    const own = fstatSync(2);
    const parents = statSync(`/proc/${process.ppid}/fd/2`);
    return own.dev !== parents.dev || own.ino !== parents.ino;
  } catch {
    return true;
  }
}

async function main(): Promise<void> {
  let stdin: Uint8Array;
  try {
    stdin = await readStdin();
  } catch (error) {
    writeAll(2, `[error] cannot read stdin (${(error as NodeJS.ErrnoException).code ?? String(error)}): run the function with a resource stream or a ResourceList piped in\n`);
    process.exitCode = 1;
    return;
  }
  const answer = invoke({
    args: process.argv.slice(2),
    stdin,
    readFile: (path) => readFileSync(path),
    pluginConfigRoot: process.env.KUSTOMIZE_PLUGIN_CONFIG_ROOT,
    debug: Boolean(process.env.STALWART_FN_DEBUG),
    stderrIsFormat: stderrIsFormat(process.env.KUSTOMIZE_PLUGIN_CONFIG_ROOT),
  });
  process.exitCode = answer.exitCode;
  writeAll(1, answer.stdout);
  writeAll(2, answer.stderr);
}

void main();
