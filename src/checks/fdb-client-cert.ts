/**
 * The FoundationDB client certificate's lifetime against the FoundationDB client. libfdb_c reads its TLS files at
 * start and then only when it notices their modification time changed, which it polls every
 * TLS_CERT_REFRESH_DELAY_SECONDS, 12 hours by default (apple/foundationdb 7.3.69: flow/Knobs.cpp:128;
 * reloadCertificatesOnChange in flow/Net2.actor.cpp:1291-1316; watchFileForChanges in
 * flow/include/flow/WatchFile.actor.h:37-72). A renewed certificate can therefore go unused for 12 hours: the old one must
 * still be valid all that time, or new connections present an expired certificate.
 */
import type { StalwartConfig } from "../settings/validate.js";
import type { Result } from "../results.js";

/** libfdb_c's default TLS_CERT_REFRESH_DELAY_SECONDS. */
export const FDB_TLS_REFRESH_SECONDS = 12 * 60 * 60;
/** On top of the refresh window: cert-manager issuing through Vault, and the kubelet updating the mounted Secret. */
export const FDB_RENEWAL_MARGIN_SECONDS = 60 * 60;

const UNIT_SECONDS: Record<string, number> = { ns: 1e-9, us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Seconds in a Go duration as the schema admits it (`72h`, `1h30m`, `90m`); undefined for anything else. */
export function goDurationSeconds(text: string): number | undefined {
  if (!/^([0-9]+(\.[0-9]+)?(ns|us|ms|s|m|h))+$/.test(text)) return undefined;
  let seconds = 0;
  for (const [, amount, unit] of text.matchAll(/([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)/g)) seconds += Number(amount) * (UNIT_SECONDS[unit ?? ""] ?? Number.NaN);
  return Number.isFinite(seconds) ? seconds : undefined;
}

const hours = (seconds: number) => `${Number((seconds / 3600).toFixed(2))} h`;

export function checkFdbClientCertificate(settings: StalwartConfig): Result[] {
  const certificate = settings.spec.fdbClientCert?.certificate;
  if (!certificate) return [];
  const duration = goDurationSeconds(certificate.duration);
  const renewBefore = goDurationSeconds(certificate.renewBefore);
  if (duration === undefined || renewBefore === undefined) return [];
  const results: Result[] = [];
  const minimum = FDB_TLS_REFRESH_SECONDS + FDB_RENEWAL_MARGIN_SECONDS;
  if (renewBefore < minimum) {
    results.push({
      severity: "error",
      message:
        `renews ${hours(renewBefore)} before expiry, but the FoundationDB client re-reads its certificate files only every ${hours(FDB_TLS_REFRESH_SECONDS)} ` +
        `(TLS_CERT_REFRESH_DELAY_SECONDS), so it would present an expired certificate; set \`renewBefore\` to at least ${hours(minimum)} ` +
        "(and `duration` above it), e.g. `duration: 72h`, `renewBefore: 36h`",
      field: { path: "spec.fdbClientCert.certificate.renewBefore", currentValue: certificate.renewBefore, proposedValue: "36h" },
    });
  }
  if (renewBefore >= duration) {
    results.push({
      severity: "error",
      message: `\`renewBefore\` (${certificate.renewBefore}) must be shorter than \`duration\` (${certificate.duration}); cert-manager refuses the Certificate otherwise`,
      field: { path: "spec.fdbClientCert.certificate.duration", currentValue: certificate.duration },
    });
  }
  return results;
}
