/**
 * Two independent readings of a config.toml, as flat Stalwart keys (`a.b.c`, list items `a.b.0000`):
 * - `flattenToml` parses standard TOML with smol-toml and flattens it;
 * - `readLikeStalwart` reads the file by the rules of Stalwart v0.14's own parser
 *   (crates/utils/src/config/parser.rs): table names lowercased and unquoted, its escape handling in strings
 *   (a backslash is dropped, `\n` `\t` `\r` decoded, nothing else), single-line lists, bare numbers and booleans.
 * When both agree, Stalwart reads what the TOML says.
 */
import { parse } from "smol-toml";

export type FlatConfig = Record<string, string>;

function flattenValue(prefix: string, value: unknown, out: FlatConfig): void {
  if (Array.isArray(value)) value.forEach((item, index) => flattenValue(`${prefix}.${String(index).padStart(4, "0")}`, item, out));
  else if (value !== null && typeof value === "object" && !(value instanceof Date)) {
    for (const [key, item] of Object.entries(value)) flattenValue(prefix ? `${prefix}.${key}` : key, item, out);
  } else out[prefix] = String(value);
}

export function flattenToml(text: string): FlatConfig {
  const out: FlatConfig = {};
  flattenValue("", parse(text), out);
  return out;
}

function readString(source: string, start: number): { value: string; end: number } {
  const quote = source[start];
  let value = "";
  let last = "";
  for (let i = start + 1; i < source.length; i++) {
    const ch = source[i] as string;
    if (ch === "\\" && last !== "\\") {
      last = ch;
      continue;
    }
    if (last === "\\" && (ch === "n" || ch === "t" || ch === "r")) value += ch === "n" ? "\n" : ch === "t" ? "\t" : "\r";
    else if (ch === quote && last !== "\\") return { value, end: i + 1 };
    else value += ch;
    last = ch;
  }
  throw new Error(`unterminated string at offset ${start}`);
}

function readScalar(source: string, start: number): { value: string; end: number } {
  if (source[start] === '"' || source[start] === "'") return readString(source, start);
  const match = /^[A-Za-z0-9.+-]+/.exec(source.slice(start));
  if (!match) throw new Error(`unexpected ${JSON.stringify(source.slice(start, start + 10))}`);
  return { value: match[0], end: start + match[0].length };
}

function readTableName(header: string): string {
  let name = "";
  for (let i = 0; i < header.length; i++) {
    const ch = header[i] as string;
    if (ch === '"') {
      const { value, end } = readString(header, i);
      name += value;
      i = end - 1;
    } else if (/[A-Za-z0-9._-]/.test(ch)) name += ch.toLowerCase();
    else if (ch !== " ") throw new Error(`Stalwart rejects ${JSON.stringify(ch)} in table name ${header}`);
  }
  return name;
}

export function readLikeStalwart(text: string): FlatConfig {
  const out: FlatConfig = {};
  let table = "";
  const set = (key: string, value: string) => {
    if (Object.hasOwn(out, key)) throw new Error(`Stalwart rejects the duplicate key ${key}`);
    out[key] = value;
  };
  for (const raw of text.split("\n")) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    if (line.startsWith("[")) {
      if (line.startsWith("[[")) throw new Error("arrays of tables are not expected in generated config");
      table = readTableName(line.slice(1, line.lastIndexOf("]")));
      continue;
    }
    const eq = line.indexOf("=");
    let keyPart = line.slice(0, eq).trim();
    if (keyPart.startsWith('"')) keyPart = readString(keyPart, 0).value;
    const key = table ? `${table}.${keyPart}` : keyPart;
    let rest = line.slice(eq + 1).trimStart();
    if (rest.startsWith("[")) {
      let index = 0;
      let position = 1;
      for (;;) {
        while (rest[position] === " ") position++;
        if (rest[position] === "]") break;
        const { value, end } = readScalar(rest, position);
        set(`${key}.${String(index++).padStart(4, "0")}`, value);
        position = end;
        while (rest[position] === " ") position++;
        if (rest[position] === ",") position++;
      }
      rest = rest.slice(position + 1);
    } else {
      const { value, end } = readScalar(rest, 0);
      set(key, value);
      rest = rest.slice(end);
    }
    if (rest.trim() !== "" && !rest.trim().startsWith("#")) throw new Error(`trailing text after ${key}: ${rest}`);
  }
  return out;
}
