/**
 * Finds where JSON text goes wrong. Browsers word JSON.parse errors differently and some give no
 * position at all ("Unexpected token … is not valid JSON"), so this small scanner walks the grammar
 * and reports the first offending offset with what was expected there.
 */
export interface JsonSyntaxError {
  position: number;
  message: string;
}

export function locateJsonError(text: string): JsonSyntaxError | null {
  let i = 0;
  const fail = (message: string): never => {
    throw { position: i, message } satisfies JsonSyntaxError;
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const describe = () => (i >= text.length ? 'the end of the text' : JSON.stringify(text[i]));

  const literal = (word: string) => {
    if (text.startsWith(word, i)) i += word.length;
    else fail(`expected ${word}, found ${JSON.stringify(text.slice(i, i + word.length))}`);
  };
  const string = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail('expected four hex digits after \\u');
          i += 5;
        } else if (i < text.length && '"\\/bfnrt'.includes(text[i])) i++;
        else fail(`invalid escape \\${text[i] ?? ''} in a string`);
      } else if (text.charCodeAt(i) < 0x20) fail('a string cannot contain a raw line break or control character; use \\n');
      else i++;
    }
    if (i >= text.length) fail('a string is missing its closing quote');
    i++;
  };
  const number = () => {
    const match = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i));
    if (!match) fail(`expected a number, found ${describe()}`);
    i += match![0].length;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') return object();
    if (c === '[') return array();
    if (c === '"') return string();
    if (c === '-' || (c >= '0' && c <= '9')) return number();
    if (c === 't') return literal('true');
    if (c === 'f') return literal('false');
    if (c === 'n') return literal('null');
    fail(`expected a value (string, number, object, array, true, false or null), found ${describe()}`);
  };
  const object = () => {
    i++;
    ws();
    if (text[i] === '}') return void i++;
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`expected a property name in double quotes, found ${describe()}`);
      string();
      ws();
      if (text[i] !== ':') fail(`expected ":" after the property name, found ${describe()}`);
      i++;
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') return void i++;
      fail(`expected "," or "}" after a property value, found ${describe()}`);
    }
  };
  const array = () => {
    i++;
    ws();
    if (text[i] === ']') return void i++;
    for (;;) {
      value();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') return void i++;
      fail(`expected "," or "]" after an array item, found ${describe()}`);
    }
  };

  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${describe()} after the end of the JSON value`);
    return null;
  } catch (error) {
    if (typeof error === 'object' && error !== null && 'position' in error) return error as JsonSyntaxError;
    throw error;
  }
}
