/**
 * One RFC 6902 operation of `spec.resourcePatches`, checked before fast-json-patch runs it: what that library
 * would throw on, or do wrong, is said here in words about the operation.
 */
import jsonPatch, { type Operation } from "fast-json-patch";
import { pointerSegments } from "../settings/field-path.js";

/** etcd's default limit on one stored object (1.5 MiB): an object beyond it could never be applied. */
export const MAX_OBJECT_BYTES = 1.5 * 1024 * 1024;

/** A pointer through a prototype, which no Kubernetes object has, and which would reach every object in the process. */
function throughPrototype(pointer: string): boolean {
  const segments = pointerSegments(pointer);
  return segments.some((segment, index) => segment === "__proto__" || (segment === "prototype" && segments[index - 1] === "constructor"));
}

export function jsonSize(value: unknown): number {
  return JSON.stringify(value)?.length ?? 0;
}

/** How many bytes the operation may add: the value it adds, or the value it copies. */
function growth(operation: Operation, document: unknown): number {
  if (operation.op === "add" || operation.op === "replace") return jsonSize(operation.value);
  if (operation.op !== "copy") return 0;
  try {
    return jsonSize(jsonPatch.getValueByPointer(document, operation.from));
  } catch {
    // A `from` that does not resolve is reported when the operation is applied.
    return 0;
  }
}

/**
 * Why the operation cannot be applied to a document of `size` bytes, or undefined; and the size after it, an
 * upper bound (what `replace` and `move` take away is not subtracted).
 */
export function operationProblem(operation: Operation, document: unknown, size: number): { problem?: string; size: number } {
  const from = "from" in operation ? operation.from : undefined;
  for (const [name, pointer] of [["path", operation.path], ["from", from]] as const) {
    if (typeof pointer === "string" && throughPrototype(pointer)) {
      return { problem: `\`${name}\` ${JSON.stringify(pointer)} goes through \`__proto__\` or \`constructor/prototype\`, which no Kubernetes object has; point it at a field of the object`, size };
    }
  }
  if (operation.op === "move" && operation.path.startsWith(`${operation.from}/`)) {
    return { problem: `moves ${JSON.stringify(operation.from)} into its own child ${JSON.stringify(operation.path)}, which RFC 6902 forbids; use \`copy\` and then \`remove\`, or move it elsewhere`, size };
  }
  const after = size + growth(operation, document);
  if (after > MAX_OBJECT_BYTES) {
    return { problem: `would make the object larger than the ${MAX_OBJECT_BYTES / 1024 / 1024} MiB Kubernetes stores for one object; add or copy less`, size: after };
  }
  return { size: after };
}
