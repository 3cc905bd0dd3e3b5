/** Converts between JSON Pointers (Ajv, JSON Patch) and the dotted field paths KRM results use. */

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

export function pointerSegments(pointer: string): string[] {
  if (pointer === "") return [];
  return pointer
    .slice(1)
    .split("/")
    .map((segment) => segment.replaceAll("~1", "/").replaceAll("~0", "~"));
}

/** `/spec/listeners/0/port` becomes `spec.listeners[0].port`; odd keys are quoted: `spec.extraConfig["a.b"]`. */
export function fieldPath(segments: readonly (string | number)[]): string {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number" || /^(0|[1-9][0-9]*)$/.test(segment)) path += `[${segment}]`;
    else if (PLAIN_KEY.test(segment)) path += path ? `.${segment}` : segment;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

export function pointerToFieldPath(pointer: string): string {
  return fieldPath(pointerSegments(pointer));
}

/** The inverse of `fieldPath`: `spec.extraConfig["a.b"]` becomes `/spec/extraConfig/a.b`. */
export function fieldPathToPointer(path: string): string {
  const segments: string[] = [];
  const pattern = /([A-Za-z_][A-Za-z0-9_-]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]|\./g;
  for (const match of path.matchAll(pattern)) {
    const segment = match[1] ?? match[2] ?? (match[3] ? (JSON.parse(match[3]) as string) : undefined);
    if (segment !== undefined) segments.push(segment);
  }
  return segments.map((segment) => `/${segment.replaceAll("~", "~0").replaceAll("/", "~1")}`).join("");
}
