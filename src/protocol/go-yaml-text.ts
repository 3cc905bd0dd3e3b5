/**
 * Characters JavaScript's `yaml` writes raw but Go's YAML (kustomize, kpt, kubectl) does not read back as
 * written: NEL, LINE SEPARATOR and PARAGRAPH SEPARATOR are line breaks to it (YAML 1.1), so a raw one splits a
 * plain or block string into new keys or ends it early, and folds into a space inside quotes; other C1
 * controls, DEL and U+FFFE/U+FFFF make it refuse the whole stream. Strings holding any of them are written
 * double-quoted, with the escapes both YAML versions define, and comments get them spelt out.
 */
import { Scalar, type CollectionTag, type ScalarTag, type Tags } from "yaml";
import { stringTag } from "yaml/util";

const GO_UNSAFE = /[\u007f-\u009f\u2028\u2029\ufffe\uffff]/;
const GO_UNSAFE_ALL = new RegExp(GO_UNSAFE.source, "g");
const NAMED: Record<string, string> = { "\u0085": "\\N", "\u2028": "\\L", "\u2029": "\\P" };

function escapeSequence(character: string): string {
  const code = character.charCodeAt(0);
  return NAMED[character] ?? (code <= 0xff ? `\\x${code.toString(16).padStart(2, "0")}` : `\\u${code.toString(16)}`);
}

/**
 * yaml's own string stringifier, made to choose double quotes for these strings. Its double-quoted form escapes
 * through JSON.stringify, which leaves these characters raw; inside double quotes nothing else can produce
 * them, so each is replaced by its escape.
 */
const goSafeString: ScalarTag = {
  ...stringTag,
  stringify(item, ctx, onComment, onChompKeep) {
    const value = String((item as Scalar).value);
    if (!GO_UNSAFE.test(value)) return stringTag.stringify?.(item, ctx, onComment, onChompKeep) ?? value;
    const quoted = new Scalar(value);
    quoted.type = Scalar.QUOTE_DOUBLE;
    return (stringTag.stringify?.(quoted, ctx, onComment, onChompKeep) ?? "").replace(GO_UNSAFE_ALL, escapeSequence);
  },
};

/** The schema's tags with the string tag replaced; for the `customTags` option of a Document. */
export function goSafeTags(tags: Tags): (CollectionTag | ScalarTag)[] {
  return tags.map((tag) => (typeof tag === "object" && tag.tag === stringTag.tag && !("format" in tag && tag.format) ? goSafeString : tag)) as (CollectionTag | ScalarTag)[];
}

/** yaml's comment format (`#` before each line) with the characters spelt out as `\uXXXX`. */
export function goSafeComment(comment: string): string {
  return comment.replace(GO_UNSAFE_ALL, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, "0")}`).replace(/^(?!$)(?: $)?/gm, "#");
}
