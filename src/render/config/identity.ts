/** Who the server is: `server.hostname` and the public URL (`http.url`). */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, expressionLiteral, type ConfigEntry } from "./entries.js";

export function identityEntries(spec: StalwartConfigSpec): ConfigEntry[] {
  const url = spec.publicUrl ?? `https://${spec.hostname}`;
  return [
    entry("server.hostname", spec.hostname, "spec.hostname"),
    // http.url is an expression: a bare URL fails Stalwart's tokenizer, a quoted one is a string literal.
    entry("http.url", expressionLiteral(url), spec.publicUrl ? "spec.publicUrl" : "spec.hostname"),
  ];
}
