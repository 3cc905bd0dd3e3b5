/** `certificate.default`: the mail TLS certificate, read from the mounted Secret through file macros. */
import type { StalwartConfigSpec } from "../../settings/validate.js";
import { entry, type ConfigEntry } from "./entries.js";

/** What the workload tells the renderer: where the certificate's Secret is mounted. */
export interface CertificateContext {
  tlsDirectory?: string;
}

export function certificateEntries(spec: StalwartConfigSpec, context: CertificateContext): ConfigEntry[] {
  if (!spec.tls || !context.tlsDirectory) return [];
  const directory = context.tlsDirectory.replace(/\/$/, "");
  // File macros are expanded again on GET /api/reload/certificate, which is how a renewed certificate is taken.
  return [
    entry("certificate.default.cert", `%{file:${directory}/tls.crt}%`, "spec.tls"),
    entry("certificate.default.private-key", `%{file:${directory}/tls.key}%`, "spec.tls"),
    entry("certificate.default.default", true, "spec.tls"),
  ];
}
