/** The NetworkPolicy's settings against what the API server accepts. */
import type { StalwartConfig } from "../settings/validate.js";
import type { Result } from "../results.js";

export function checkNetworkPolicy(settings: StalwartConfig): Result[] {
  const ports = settings.spec.networkPolicy?.foundationDb.ports ?? [];
  return ports.flatMap((entry, index): Result[] =>
    typeof entry !== "number" && entry.endPort < entry.port
      ? [{
          severity: "error",
          message: `the range ends (${entry.endPort}) before it starts (${entry.port}); the API server refuses a NetworkPolicy whose \`endPort\` is below \`port\``,
          field: { path: `spec.networkPolicy.foundationDb.ports[${index}].endPort`, currentValue: entry.endPort },
        }]
      : [],
  );
}
