/** The slice of pino the engine, the loops and the webhook sender log through (Fastify's logger fits). */
export interface Log {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {}, debug() {} };
