export type JsonParse = { ok: true; value: unknown } | { ok: false; message: string; line?: number; column?: number };

/**
 * Parses editor text and turns V8's "at position N" into a line and column a person can find.
 * An empty editor means "no payload".
 */
export function parseJson(text: string): JsonParse {
  if (text.trim() === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (error) {
    const message = (error as Error).message;
    const match = /position (\d+)/.exec(message);
    if (!match) return { ok: false, message };
    const position = Number(match[1]);
    const before = text.slice(0, position).split('\n');
    return { ok: false, message, line: before.length, column: before[before.length - 1].length + 1 };
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
