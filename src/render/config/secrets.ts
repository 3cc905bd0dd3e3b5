/**
 * Secrets that would land in the ConfigMap: config.toml is readable by whoever may read ConfigMaps, and it is
 * kept in git. A value is a secret when Stalwart reads its key as one, or when the value itself carries one (a
 * password in a URL, an Authorization header, a PEM block), whatever the key. What is found is described,
 * never quoted: a message that repeats the secret would put it in CI logs instead.
 */
import type { ConfigValue } from "./entries.js";

/**
 * Keys whose value Stalwart v0.14.1 uses as a credential, by the last segments of the flat key. Read from the
 * places it takes them from config (`config.value(...)` and friends):
 * - `secret`: crates/common/src/config/jmap/settings.rs (authentication.fallback-admin, authentication.master),
 *   crates/common/src/config/mod.rs (`<prefix>.auth.secret` of HTTP clients: webhooks, AI models, ASN lookups),
 *   crates/common/src/config/smtp/queue.rs and session.rs (`auth.secret` of relay routes and MTA hooks),
 *   crates/common/src/config/telemetry.rs (metrics.prometheus.auth.secret), crates/common/src/config/server/tls.rs
 *   (acme DNS providers), crates/directory/src/backend/ldap/config.rs (bind.secret), memory/config.rs
 *   (principals.*.secret), oidc/config.rs (auth.secret)
 * - `token`, `sas-token`, `security-token`, `session-token`: crates/common/src/config/mod.rs (auth.token),
 *   crates/directory/src/backend/oidc/config.rs, crates/store/src/backend/azure/mod.rs and s3/mod.rs
 * - `password`, `credentials`: crates/store/src/backend/{elastic,mysql,postgres,redis,nats}
 * - `secret-key`, `access-key`: crates/store/src/backend/s3/mod.rs; `azure-access-key`: azure/mod.rs
 * - `private-key`: crates/common/src/config/smtp/auth.rs (DKIM signatures), server/tls.rs (certificates)
 * - `signature-key`: crates/common/src/auth/oauth/config.rs (oauth.oidc.signature-key),
 *   crates/common/src/config/telemetry.rs (webhook.*.signature-key)
 * - `hmac-key`, `consumer-key`: crates/common/src/config/server/tls.rs (acme.*.eab.hmac-key, OVH)
 * - `account-key`: crates/common/src/listener/acme/cache.rs (the ACME account key it stores as config)
 * - `license-key`, `api-key`: crates/common/src/enterprise/config.rs
 */
const SECRET_SEGMENT = /(^|[.-])(secret|secret-key|password|private-key|credentials|hmac-key|license-key|token|signature-key|api-key|access-key|consumer-key|account-key)$/;
/**
 * Whole keys: `oauth.key` encrypts OAuth tokens (crates/common/src/auth/oauth/config.rs, manager/boot.rs);
 * `acme.<id>.key` is the OVH application key or the TSIG key (crates/common/src/config/server/tls.rs).
 */
const SECRET_KEY = /^(oauth\.key|acme\.[^.]+\.key)$/;
/**
 * Names of attributes and columns that hold passwords, not passwords: `attributes.secret` of LDAP
 * (crates/directory/src/backend/ldap/config.rs) and `columns.secret` of SQL directories (sql/config.rs).
 */
const NAMES_A_SECRET = /\.(attributes|columns)\.secret$/;

/** Stalwart's macros, resolved when it reads config.toml (crates/utils/src/config/mod.rs): the allowed way. */
const MACRO = /%\{(env|file):[^}]*\}%/g;

/** Header lines whose value is a credential. */
const SECRET_HEADER = /^\s*([A-Za-z0-9-]*(authorization|cookie|api-?key|token|secret|password|credential)[A-Za-z0-9-]*)\s*:\s*(.*)$/im;
/** A bare `Authorization` value: an HTTP scheme followed by its credentials. */
const AUTH_SCHEME = /^\s*(bearer|basic|digest|token)\s+\S/i;

export type SecretKind = "key" | "userinfo" | "header" | "pem";

/** How the finding reads in a message: what was found, never the value. */
export const SECRET_KINDS: Record<SecretKind, string> = {
  key: "names a secret",
  userinfo: "holds a password in a URL (`user:password@`)",
  header: "holds an Authorization header or another credential header",
  pem: "holds a PEM block (`-----BEGIN ...`), a private key or certificate",
};

const withoutMacros = (text: string) => text.replace(MACRO, "");

/** A password in the userinfo of any `scheme://user:password@host` in the text. */
function hasUserinfoPassword(text: string): boolean {
  for (const match of withoutMacros(text).matchAll(/\/\/([^\s/?#]*)/g)) {
    const authority = match[1] ?? "";
    const at = authority.lastIndexOf("@");
    const colon = at === -1 ? -1 : authority.slice(0, at).indexOf(":");
    if (colon !== -1 && colon < at - 1) return true;
  }
  return false;
}

function secretInText(text: string): SecretKind | undefined {
  if (text.includes("-----BEGIN")) return "pem";
  if (hasUserinfoPassword(text)) return "userinfo";
  const header = SECRET_HEADER.exec(text);
  if (header && withoutMacros(header[3] ?? "").replace(/^\s*(bearer|basic|digest|token)\b/i, "").trim() !== "") return "header";
  if (AUTH_SCHEME.test(withoutMacros(text))) return "header";
  return undefined;
}

/** A value in plain text, rather than macros alone: text beside a macro would still be a secret. */
function isPlain(item: unknown): boolean {
  return typeof item === "number" || (typeof item === "string" && withoutMacros(item) !== "");
}

export function isSecretKey(key: string): boolean {
  return (SECRET_SEGMENT.test(key) || SECRET_KEY.test(key)) && !NAMES_A_SECRET.test(key);
}

/** What makes the config.toml entry a secret in plain text, or undefined. */
export function secretIn(key: string, value: ConfigValue | unknown): SecretKind | undefined {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  for (const item of items) if (typeof item === "string" && secretInText(item)) return secretInText(item);
  if (isSecretKey(key) && items.some(isPlain)) return "key";
  return undefined;
}

/** The message for a secret found in a field: what was found and how to refer to a Secret instead. */
export function secretMessage(kind: SecretKind, key: string): string {
  const what = kind === "key" ? `key ${JSON.stringify(key)} looks like a secret` : SECRET_KINDS[kind];
  const how = kind === "pem" ? "mount it from a Secret as a file and write `%{file:/path}%`" : "put it in a Secret, expose it to the container as an environment variable or file, and write `%{env:NAME}%` or `%{file:/path}%` in its place";
  return `${what}, and secrets must not land in a ConfigMap (config.toml is one, and the value is not shown here): ${how}`;
}

/** Masks what looks like a secret in text shown to the user, for messages that quote a value. */
export function masked(text: string): string {
  return text
    .replace(/-----BEGIN [^-\n]*-----[\s\S]*?(-----END [^-\n]*-----|$)/g, "-----BEGIN (not shown)")
    .replace(/(\/\/[^\s/?#@:"]*:)[^/?#@"\n]+@/g, "$1(not shown)@")
    .replace(/\b((proxy-)?authorization|cookie|x-api-key|api-key)(\s*:\s*)[^"\n]+/gi, "$1$3(not shown)")
    .replace(/\b(bearer|basic|digest)(\s+)[A-Za-z0-9._~+/=-]{8,}/gi, "$1$2(not shown)");
}
