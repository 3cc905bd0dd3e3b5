/**
 * Why a host name or a NATS address does not fit its pattern, in words: a regular expression tells the user
 * only that something is wrong, and these values are typed from memory, with the mistakes listed here.
 */
import { quote } from "../results.js";

const MAX_NAME = 253;
const MAX_LABEL = 63;
const LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** The first character outside the allowed set, quoted, or undefined. */
function stray(text: string, allowed: RegExp): string | undefined {
  const character = [...text].find((candidate) => !allowed.test(candidate));
  return character === undefined ? undefined : quote(character);
}

/** Why `name` is not a DNS name of lowercase labels; `wildcard` allows a leading `*.`, as certificates do. */
export function whyNotHostname(name: string, wildcard = false): string | undefined {
  const example = "such as \"mail.example.com\"";
  if (name === "") return `it is empty: give a host name, ${example}`;
  const scheme = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//.exec(name)?.[0];
  if (scheme) return `remove the scheme ${quote(scheme)}: a host name is the name alone, ${example}`;
  if (/\s/.test(name)) return "it holds a space or another blank: a host name is one word of letters, digits, hyphens and dots";
  if (name.includes("@")) return `it holds "@": give the server's host name, not a mail address`;
  if (name.includes("/")) return `remove the path ${quote(name.slice(name.indexOf("/")))}: a host name is the name alone, ${example}`;
  const port = /:[0-9]*$/.exec(name)?.[0];
  if (port !== undefined) return `remove the port ${quote(port)}: the listeners set the ports`;
  if (/[A-Z]/.test(name)) return `it has uppercase letters: write it in lowercase, ${quote(name.toLowerCase())}`;
  if (name.includes("_")) return "it holds an underscore, which host names cannot have: use a hyphen";
  if (name.length > MAX_NAME) return `it is ${name.length} characters long; a host name has at most ${MAX_NAME}`;
  if (name.endsWith(".")) return `remove the trailing dot: ${quote(name.replace(/\.+$/, ""))}`;
  if (name.startsWith(".") || name.includes("..")) return "it has an empty label (two dots in a row, or a dot first)";
  const labels = name.split(".");
  const body = wildcard && labels[0] === "*" ? labels.slice(1) : labels;
  if (labels.slice(1).includes("*") || (labels[0] === "*" && !wildcard)) return wildcard ? "a wildcard may only be the first label, as in \"*.example.com\"" : "remove the wildcard: only `spec.tls.dnsNames` may hold one";
  const character = stray(body.join("."), /[a-z0-9.-]/);
  if (character) return `it holds ${character}, which host names cannot have: letters, digits, hyphens and dots only`;
  const long = body.find((label) => label.length > MAX_LABEL);
  if (long) return `the label ${quote(long)} is ${long.length} characters long; a label has at most ${MAX_LABEL}`;
  const hyphen = body.find((label) => !LABEL.test(label));
  if (hyphen) return `the label ${quote(hyphen)} starts or ends with a hyphen, which a label cannot`;
  return undefined;
}

/** Why `address` is not `nats://host:port`, `tls://host:port` or `host:port`. */
export function whyNotNatsAddress(address: string): string | undefined {
  if (address === "") return "it is empty: give an address such as \"nats://nats.nats.svc:4222\"";
  if (/[\s,;]/.test(address.trim()) && address.trim().split(/[\s,;]+/).length > 1) {
    return "it holds several addresses: give each its own list item";
  }
  if (/\s/.test(address)) return "it holds a space or another blank: remove it";
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(address);
  if (scheme && scheme[1] !== "nats" && scheme[1] !== "tls") {
    return `the scheme ${quote(`${scheme[1]}://`)} is not one NATS clients take: write "nats://", or "tls://" for TLS (and set \`spec.cluster.nats.tls\`), or leave it out`;
  }
  const rest = scheme ? address.slice(scheme[0].length) : address;
  if (rest.includes("@")) return "remove the user and password before \"@\": the component nats-auth gives them from a Secret";
  if (rest.includes("/")) return `remove the path ${quote(rest.slice(rest.indexOf("/")))}: give the host and port alone`;
  if (rest === "") return "the host is missing after the scheme";
  const character = stray(rest, /[A-Za-z0-9_.[\]:-]/);
  if (character) return `it holds ${character}, which a host and port cannot have`;
  return undefined;
}

/** Why the value at a field that holds a host name or a NATS address has the wrong form, if it is such a field. */
export function whyMalformed(segments: readonly string[], value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  const path = segments.map((segment) => (/^[0-9]+$/.test(segment) ? "*" : segment)).join(".");
  if (path === "spec.hostname") return whyNotHostname(value);
  if (path === "spec.tls.dnsNames.*") return whyNotHostname(value, true);
  if (path === "spec.cluster.nats.addresses.*") return whyNotNatsAddress(value);
  return undefined;
}
