/** The slice of pino the engine logs through (Fastify's logger fits). */
export interface EngineLog {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
  debug(obj: object, msg?: string): void;
}

export const silentLog: EngineLog = { info() {}, warn() {}, error() {}, debug() {} };
