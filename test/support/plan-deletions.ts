/** What in a `stalwart-cli apply` plan could delete what the export of a 0.15 server created. */
/** The objects the export of a 0.15 server creates (resources/scripts/migrate_v016.py at v0.16.18, COLLECTION_ORDER). */
const EXPORTED = new Set(["Tenant", "Domain", "Account", "MailingList", "DkimSignature", "Certificate"]);

/** What in the plan could delete an account or a domain, one line per finding; empty when nothing can. */
export function deletions(ndjson: string): string[] {
  return ndjson
    .split("\n")
    .filter((line) => line.trim() !== "")
    .flatMap((line) => {
      const operation = JSON.parse(line) as { "@type": string; object: string };
      const object = operation.object.replace(/^x:/, "");
      const found: string[] = [];
      if (operation["@type"] === "destroy") found.push(`destroy ${object}`);
      if (operation["@type"] === "reconcile" && EXPORTED.has(object)) found.push(`reconcile ${object}`);
      if (/^account$/i.test(object)) found.push(`${operation["@type"]} Account`);
      return found;
    });
}
