import { createHash, timingSafeEqual } from 'node:crypto';
import { GraphQLError, OperationTypeNode } from 'graphql';
import type { Config } from '../config.js';
import type { Viewer } from '../graphql/context.js';
import { ForbiddenError, UnauthenticatedError } from '../graphql/errors.js';

/**
 * API tokens (`API_TOKENS="name:role:token,…"`): one check shared by HTTP (`Authorization: Bearer …`)
 * and WebSocket (`connectionParams.authorization`). `admin` may do everything, `viewer` may only
 * query and subscribe, `worker` may only run jobs (WORKER_FIELDS). With no tokens configured (development) or `AUTH_DISABLED=true` everyone is an
 * anonymous admin — `loadConfig` already refuses that combination in production unless
 * `AUTH_DISABLED=true` says it is deliberate.
 */

/** What a request carries: a known viewer, nothing at all, or a token we do not know. */
export type AuthResult = Viewer | null | 'invalid';

export const ANONYMOUS_ADMIN: Viewer = Object.freeze({ name: 'anonymous', role: 'admin' });

/** Whether requests must carry a token. */
export function authRequired(config: Pick<Config, 'API_TOKENS' | 'AUTH_DISABLED'>): boolean {
  return !config.AUTH_DISABLED && config.API_TOKENS.length > 0;
}

// Tokens are compared as SHA-256 digests: equal length for timingSafeEqual, so the comparison leaks
// neither the token nor its length.
const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();

/** `Bearer <token>` (any case) or the bare token; anything else that is not a string counts as absent. */
function tokenOf(authorization: unknown): string | null {
  if (typeof authorization !== 'string') return null;
  const value = authorization.trim();
  if (!value) return null;
  const bearer = /^bearer\s+(.+)$/i.exec(value);
  return (bearer ? bearer[1] : value).trim();
}

export function authenticate(config: Pick<Config, 'API_TOKENS' | 'AUTH_DISABLED'>, authorization: unknown): AuthResult {
  if (!authRequired(config)) return ANONYMOUS_ADMIN;
  const token = tokenOf(authorization);
  if (token === null) return null;
  const presented = digest(token);
  let match: Viewer | null = null;
  // Every configured token is compared, so timing does not tell which entry (or whether any) matched.
  for (const entry of config.API_TOKENS) {
    if (timingSafeEqual(presented, digest(entry.token)) && !match) match = { name: entry.name, role: entry.role };
  }
  return match ?? 'invalid';
}

function withHttpStatus<E extends GraphQLError>(error: E, status: number): E {
  // Apollo answers errors thrown before execution with `extensions.http.status` and strips the key.
  (error.extensions as Record<string, unknown>).http = { status };
  return error;
}

/** The viewer for an HTTP request, or an UNAUTHENTICATED error (HTTP 401) when a token is needed. */
export function requireViewer(config: Pick<Config, 'API_TOKENS' | 'AUTH_DISABLED'>, authorization: unknown): Viewer {
  const result = authenticate(config, authorization);
  if (result === null) throw withHttpStatus(new UnauthenticatedError(), 401);
  if (result === 'invalid') {
    throw withHttpStatus(
      new UnauthenticatedError('the API token is not valid: send "Authorization: Bearer <token>" with a configured token'),
      401,
    );
  }
  return result;
}

/**
 * What a `worker` token may call, by operation type: run jobs (register, claim, renew, finish, report)
 * and read tasks and queues — nothing that creates, deletes or reconfigures anything.
 */
export const WORKER_FIELDS: Readonly<Record<OperationTypeNode, ReadonlySet<string>>> = {
  [OperationTypeNode.QUERY]: new Set(['tasks', 'task', 'queues', 'queue', '__typename']),
  [OperationTypeNode.MUTATION]: new Set([
    'registerWorker',
    'claimJobs',
    'renewJobLeases',
    'completeJob',
    'completeJobs',
    'failJob',
    'reportJobProgress',
    'appendJobLogs',
    'workerHeartbeat',
    '__typename',
  ]),
  [OperationTypeNode.SUBSCRIPTION]: new Set(['jobsAvailable', 'leaseEvents']),
};

/**
 * Viewers read (queries, subscriptions); workers call only WORKER_FIELDS; admins do everything.
 * `rootFields` are the operation's top-level field names (through fragments). HTTP 403 when refused.
 */
export function assertMayExecute(viewer: Viewer, operation: OperationTypeNode, rootFields: readonly string[]): void {
  if (viewer.role === 'worker') {
    const refused = rootFields.find((name) => !WORKER_FIELDS[operation].has(name));
    if (refused !== undefined) {
      throw withHttpStatus(
        new ForbiddenError(
          `the token "${viewer.name}" is a worker: it may not call ${refused} (a worker runs jobs and reads tasks and queues)`,
        ),
        403,
      );
    }
    return;
  }
  if (operation === OperationTypeNode.MUTATION && viewer.role !== 'admin') {
    throw withHttpStatus(new ForbiddenError(`the token "${viewer.name}" is a viewer: mutations need an admin token`), 403);
  }
}

/** Rate-limit identity: the token's name when tokens are in use (stable across IPs), else the client IP. */
export function clientIdOf(viewer: Viewer, ip: string, config: Pick<Config, 'API_TOKENS' | 'AUTH_DISABLED'>): string {
  return authRequired(config) ? `token:${viewer.name}` : `ip:${ip}`;
}

/** One startup line saying plainly that the API is open, so nobody runs it that way by accident. */
export function warnIfOpen(config: Config, warn: (message: string) => void): void {
  if (authRequired(config)) return;
  warn(
    config.AUTH_DISABLED
      ? 'authentication is disabled (AUTH_DISABLED=true): anyone who reaches this server is an admin'
      : 'no API_TOKENS configured: the API is open to anyone who reaches it (allowed outside NODE_ENV=production)',
  );
}
