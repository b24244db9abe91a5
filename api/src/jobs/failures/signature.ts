/** A signature fits the indexed `failure_signature` column; a longer one is cut, which groups by its start. */
export const MAX_SIGNATURE_CHARS = 255;

/** Placeholders in the order they are applied: the broader shapes first, so a URL's digits stay inside `<url>`. */
const RULES: readonly [RegExp, string][] = [
  [/\b[a-z][a-z0-9+.-]*:\/\/[^\s"'<>]+/gi, '<url>'],
  [/\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi, '<uuid>'],
  // A quote opens only where no letter precedes it: the apostrophe of "can't" is no string.
  [/(?<!\w)(?:"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*'|`(?:[^`\\\n]|\\.)*`)/g, '<str>'],
  [/\b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?/g, '<time>'],
  [/\b0x[0-9a-f]+\b/gi, '<hex>'],
  // Hex runs with at least one digit and one letter (hashes, object ids): a plain word such as "deadbeef" stays a word.
  [/\b(?=[0-9a-f]*\d)(?=[0-9a-f]*[a-f])[0-9a-f]{6,}\b/gi, '<hex>'],
  // Ids that mix letters and digits (ord_8Hx2kQ, user42abc): a word of 8 or more characters with a digit.
  [/\b(?=\w*\d)(?=\w*[a-z])\w{8,}\b/gi, '<id>'],
  [/\d+(?:[.,]\d+)*/g, '<n>'],
];

/** The error's class: the first word of the stack's first line ("TypeError: …"), else "Error". */
export function errorClassOf(stack: string | null | undefined): string {
  const first = stack?.split('\n', 1)[0] ?? '';
  const name = /^\s*([A-Za-z_$][\w$.]*)\s*(?::|$)/.exec(first)?.[1];
  return name ?? 'Error';
}

/** The message with what varies between occurrences of one error replaced by placeholders. */
export function normalizeMessage(message: string): string {
  let text = message;
  for (const [pattern, placeholder] of RULES) text = text.replace(pattern, placeholder);
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * What groups failures: the error class and the normalized message, e.g.
 * `TypeError: user <n> not found at <url>`; at most MAX_SIGNATURE_CHARS characters.
 */
export function failureSignature(message: string | null | undefined, stack?: string | null): string {
  return `${errorClassOf(stack)}: ${normalizeMessage(message ?? '')}`.slice(0, MAX_SIGNATURE_CHARS);
}
