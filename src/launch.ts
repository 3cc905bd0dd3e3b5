/**
 * The first lines of the plugin: runs the bundled function through V8's code cache. Compiling the ~400 KB
 * bundle and the functions a run needs is a large share of a cold start; from the second run on, the compiled
 * code is read from a cache file instead (Node.js 22's `module.enableCompileCache` does the same for modules,
 * but not on Node.js 20 and not for code in one file). Any problem with the cache only means compiling again.
 * Before compiling, it tunes V8 for a run this short (v8-tuning.ts).
 *
 * The cache lives in `$TMPDIR/stalwart-krm-function-<uid>/` (or the folder STALWART_FN_CODE_CACHE names;
 * `off` turns it off). V8 checks little more than the source's length before it runs cached code, so a cache
 * file is code run as the user: it is read only when the user alone can write it and its folder, neither is a
 * link, no step to them goes through /proc, /sys or /dev, and nothing on the way can block or grow without end.
 */
import { closeSync, constants, fstatSync, lstatSync, mkdirSync, openSync, readlinkSync, readSync, renameSync, unlinkSync, writeSync, type Stats } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { Script } from "node:vm";
import { tuneForShortRun } from "./v8-tuning.js";

/**
 * The bundled function, which the build appends to this file as a comment in the body of a function that is
 * never called: its source text, read back with `toString`, is the function's. As a string literal, the 400 KB
 * would be scanned, copied and interned when Node.js compiles this file; a comment is only skipped, and
 * `toString` returns a slice of the text Node.js already read.
 */
declare function stalwartKrmFunction(): void;
/** A hash of the bundled function, put in by the build. */
declare const FUNCTION_ID: string;

/** The function's code as the build wrapped it: `(function (exports, require, module, __filename, __dirname) {...})`. */
function functionSource(): string {
  const text = stalwartKrmFunction.toString();
  return text.slice(text.indexOf("/*") + 2, text.lastIndexOf("*/"));
}

/** Some 30 times the cache of this bundle; a larger file is not one the plugin wrote. */
const MAX_CACHE_BYTES = 16 * 1024 * 1024;
/** /proc/self/cwd leads into the working folder (a checked-out repository, say); /dev and /sys hold files that never end or block. */
const PSEUDO_FILE_SYSTEM = /^\/(?:proc|sys|dev)(?:\/|$)/;
/** Linux's own limit on the links followed in one path. */
const MAX_LINKS = 40;
/** O_NONBLOCK: opening a FIFO for reading would otherwise wait for a writer. */
const READ_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK;
const WRITE_FLAGS = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

function writableByUserAlone(stat: Stats, uid: number): boolean {
  return stat.uid === uid && (stat.mode & 0o022) === 0;
}

/**
 * The folder with every link resolved, or undefined when a step leads into a pseudo-file system or there are
 * too many links; throws when a step does not exist. `realpath` would not do: it turns /proc/self/cwd into
 * an ordinary path.
 */
function resolveLinks(folder: string): string | undefined {
  const pending = folder.split("/");
  let real = "/";
  let links = 0;
  while (pending.length > 0) {
    const name = pending.shift() ?? "";
    if (name === "" || name === ".") continue;
    const next = name === ".." ? dirname(real) : join(real, name);
    if (PSEUDO_FILE_SYSTEM.test(next)) return undefined;
    if (!lstatSync(next).isSymbolicLink()) {
      real = next;
      continue;
    }
    if (++links > MAX_LINKS) return undefined;
    const target = readlinkSync(next);
    pending.unshift(...target.split("/"));
    if (isAbsolute(target)) real = "/";
  }
  return real;
}

/** Made when missing, but never through a link, and only used when it is the user's alone. */
function cacheFolder(uid: number): string | undefined {
  const wanted = process.env.STALWART_FN_CODE_CACHE || join(tmpdir(), `stalwart-krm-function-${uid}`);
  // A relative path would lead into the working folder.
  if (!isAbsolute(wanted)) return undefined;
  const absolute = resolve(wanted);
  try {
    const parent = resolveLinks(dirname(absolute));
    if (parent === undefined) return undefined;
    const folder = join(parent, basename(absolute));
    if (PSEUDO_FILE_SYSTEM.test(folder)) return undefined;
    makeFolder(folder);
    const stat = lstatSync(folder);
    return stat.isDirectory() && writableByUserAlone(stat, uid) ? folder : undefined;
  } catch {
    return undefined;
  }
}

/** Not recursive: the parent must exist (a recursive mkdir under /proc never returns). */
function makeFolder(folder: string): void {
  try {
    mkdirSync(folder, { mode: 0o700 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
}

/** The checks are made on the open file, so the file cannot be swapped between checking and reading. */
function readCache(file: string, uid: number): Buffer | undefined {
  let fd: number;
  try {
    fd = openSync(file, READ_FLAGS);
  } catch {
    return undefined;
  }
  try {
    const stat = fstatSync(fd);
    const usable = stat.isFile() && writableByUserAlone(stat, uid) && stat.size > 0 && stat.size <= MAX_CACHE_BYTES;
    return usable ? readExactly(fd, stat.size) : undefined;
  } catch {
    return undefined;
  } finally {
    closeQuietly(fd);
  }
}

/** A file that shrank while it was read is not used; one that grew is read only as far as it was. */
function readExactly(fd: number, size: number): Buffer | undefined {
  const bytes = Buffer.allocUnsafe(size);
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, bytes, offset, size - offset, offset);
    if (read === 0) return undefined;
    offset += read;
  }
  return bytes;
}

/**
 * A new file, renamed into place: a reader never sees half a cache, and a link or file planted under the
 * temporary name is neither followed nor written to. V8 does not compare the source itself, so the cache
 * file's name carries the hash of the source it belongs to.
 */
function writeCache(file: string, script: Script): void {
  const partial = `${file}.${process.pid}-${Date.now()}`;
  let fd: number;
  try {
    fd = openSync(partial, WRITE_FLAGS, 0o600);
  } catch {
    return;
  }
  try {
    writeFully(fd, script.createCachedData());
    closeSync(fd);
    renameSync(partial, file);
  } catch {
    // A read-only or full disk: the next run compiles again.
    closeQuietly(fd);
    try {
      unlinkSync(partial);
    } catch {
      // Already gone.
    }
  }
}

function writeFully(fd: number, bytes: Buffer): void {
  for (let offset = 0; offset < bytes.length; ) {
    const written = writeSync(fd, bytes, offset);
    if (written <= 0) throw new Error("the cache file takes no more bytes");
    offset += written;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // Already closed.
  }
}

/**
 * The cache of a run that succeeded, and the one of a run that failed. A run compiles only the functions it
 * runs, and one that fails (an empty stream, a wrong setting) stops early: a cache made from it would leave
 * every later run compiling most of the function again, until the plugin changes. Such a cache is kept apart
 * and used only until a run succeeds. No user id (Windows) means no way to tell whose a file is: no cache.
 */
function cacheFiles(): { complete: string; partial: string; uid: number } | undefined {
  const uid = process.getuid?.();
  if (uid === undefined || process.env.STALWART_FN_CODE_CACHE === "off") return undefined;
  const folder = cacheFolder(uid);
  if (folder === undefined) return undefined;
  const name = `${FUNCTION_ID}-${process.version}-${process.arch}`;
  return { complete: join(folder, `${name}.v8`), partial: join(folder, `${name}.partial.v8`), uid };
}

tuneForShortRun();
const cache = cacheFiles();
const complete = cache && readCache(cache.complete, cache.uid);
const cachedData = complete ?? (cache && readCache(cache.partial, cache.uid));
const script = new Script(functionSource(), { filename: __filename, cachedData });
const used = cachedData !== undefined && !script.cachedDataRejected;
// Written once the run is over, so the cache holds every function the run compiled, not only the top level.
if (cache && !(used && complete)) {
  process.once("exit", (code) => {
    if (code === 0) writeCache(cache.complete, script);
    else if (!used) writeCache(cache.partial, script);
  });
}
const bundle = { exports: {} };
script.runInThisContext()(bundle.exports, require, bundle, __filename, dirname(__filename));
