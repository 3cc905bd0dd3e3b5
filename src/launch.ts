/**
 * The first lines of the plugin: runs the bundled function through V8's code cache. Compiling the ~400 KB
 * bundle and the functions a run needs is a large share of a cold start; from the second run on, the compiled
 * code is read from a cache file instead (Node.js 22's `module.enableCompileCache` does the same for modules,
 * but not on Node.js 20 and not for code in one file). Any problem with the cache only means compiling again.
 *
 * The cache lives in `$TMPDIR/stalwart-krm-function-<uid>/` (or the folder STALWART_FN_CODE_CACHE names;
 * `off` turns it off). Cached code runs as the user, so a folder that others can write to is never used.
 */
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { Script } from "node:vm";

/** The bundled function and a hash of it, put in by the build. */
declare const FUNCTION_SOURCE: string;
declare const FUNCTION_ID: string;

function cacheFolder(): string | undefined {
  const setting = process.env.STALWART_FN_CODE_CACHE;
  if (setting === "off") return undefined;
  const uid = process.getuid?.();
  const folder = setting || join(tmpdir(), `stalwart-krm-function-${uid ?? "user"}`);
  try {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const stat = statSync(folder);
    if ((uid !== undefined && stat.uid !== uid) || (stat.mode & 0o022) !== 0) return undefined;
    return folder;
  } catch {
    return undefined;
  }
}

function readCache(file: string | undefined): Buffer | undefined {
  try {
    return file ? readFileSync(file) : undefined;
  } catch {
    return undefined;
  }
}

function writeCache(file: string, script: Script): void {
  // V8 checks little more than the source length: the file name carries the hash of the source it belongs to.
  const partial = `${file}.${process.pid}`;
  try {
    writeFileSync(partial, script.createCachedData(), { mode: 0o600 });
    renameSync(partial, file);
  } catch {
    // A read-only or full disk: the next run compiles again.
  }
}

const folder = cacheFolder();
const cacheFile = folder && join(folder, `${FUNCTION_ID}-${process.version}-${process.arch}.v8`);
const cachedData = readCache(cacheFile);
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${FUNCTION_SOURCE}\n})`, { filename: __filename, cachedData });
// Written once the run is over, so the cache holds every function the run compiled, not only the top level.
if (cacheFile && (cachedData === undefined || script.cachedDataRejected)) process.once("exit", () => writeCache(cacheFile, script));
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, require, bundle, __filename, dirname(__filename));
