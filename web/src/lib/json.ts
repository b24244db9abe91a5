import { locateJsonError } from './json-locate.ts';

export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/**
 * Parses editor text; on a mistake, says what was expected at which line and column.
 * An empty editor means "no payload".
 */
export function parseJson(text: string): JsonParse {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const located = locateJsonError(text);
    if (!located) return { ok: false, message: (error as Error).message };
    const before = text.slice(0, located.position).split('\n');
    return { ok: false, message: located.message, line: before.length, column: before[before.length - 1].length + 1 };
  }
}

/** The payload must be a JSON object (the API refuses arrays and scalars). */
export function parsePayload(text: string): JsonParse {
  const parsed = parseJson(text);
  if (!parsed.ok || parsed.value === null) return parsed;
  if (typeof parsed.value !== 'object' || Array.isArray(parsed.value)) {
    return { ok: false, message: 'The payload must be a JSON object, like {"to": "a@example.com"}' };
  }
  return parsed;
}

export function describeParseError(p: Extract<JsonParse, { ok: false }>): string {
  return p.line ? `Line ${p.line}, column ${p.column}: ${p.message}` : p.message;
}
