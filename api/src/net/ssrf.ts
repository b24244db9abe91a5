import { lookup as dnsLookup } from 'node:dns/promises';
import type { LookupAddress, LookupAllOptions, LookupOneOptions } from 'node:dns';
import { isIP } from 'node:net';
import { Agent } from 'undici';
import { BadUserInputError, describe } from '../graphql/errors.js';
import { AllowList, forbiddenReason, isLocalhostName, normalizeHost } from './address-policy.js';

/**
 * SSRF guard for user-supplied URLs (per-job `webhookUrl`, the `http.request` task). Two checks:
 * at input, so a bad URL is a BAD_USER_INPUT on its field; and at connect time, after DNS
 * resolution, because a name can resolve differently later (DNS rebinding). Only http(s) to public
 * unicast addresses passes, unless the operator lists the host, IP or CIDR in WEBHOOK_ALLOWED_HOSTS.
 */

/** Resolves a host name to every address it has; injectable so tests can make a name point anywhere. */
export type ResolveHost = (hostname: string) => Promise<string[]>;

export const resolveWithSystem: ResolveHost = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address);

export interface GuardOptions {
  resolve?: ResolveHost;
}

/** Input-time DNS is a courtesy (early feedback); it must not hold a request for long. */
const INPUT_DNS_TIMEOUT_MS = 3_000;
export const MAX_URL_LENGTH = 2048;

/** Thrown (or passed as a fetch failure's cause) when a connection would reach a refused address. */
export class SsrfError extends Error {
  readonly code = 'ERR_SSRF_REFUSED';
  constructor(
    readonly target: string,
    readonly reason: string,
  ) {
    super(`refused to connect to ${target}: ${reason} (WEBHOOK_ALLOWED_HOSTS can allow it)`);
    this.name = 'SsrfError';
  }
}

function hostOf(url: URL): string {
  return normalizeHost(url.hostname);
}

/** What the URL's text alone says is wrong (scheme, localhost, IP literal), or null. */
/** The operator's opt-ins: parsed once by config (`Config.allowList`), or entries to parse (tests, tools). */
export type Allowed = AllowList | readonly string[];

const allowListOf = (allowed: Allowed): AllowList => (allowed instanceof AllowList ? allowed : new AllowList(allowed));

function literalProblem(url: URL, allow: AllowList): string | null {
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    return `only http and https are allowed, got ${url.protocol.replace(/:$/, '')}`;
  const host = hostOf(url);
  if (allow.allowsHost(host)) return null;
  if (isLocalhostName(host)) return `${host} is a loopback address`;
  if (isIP(host) !== 0) {
    const reason = forbiddenReason(host);
    return reason ? `${host} is ${reason}` : null;
  }
  return null;
}

/** The first resolved address that is refused, with why; null when all may be reached. */
function firstRefused(addresses: readonly string[], allow: AllowList): { address: string; reason: string } | null {
  for (const address of addresses) {
    if (allow.allowsAddress(address)) continue;
    const reason = forbiddenReason(address);
    if (reason) return { address, reason };
  }
  return null;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`DNS lookup took longer than ${ms} ms`)), ms))),
  ]).finally(() => clearTimeout(timer));
}

/**
 * Refuses a URL a user may not point us at, as BAD_USER_INPUT on `field`. A name that does not
 * resolve right now is accepted: the connect-time check still guards the request when it is made.
 */
export async function assertSafeUrl(field: string, url: string, allowed: Allowed, options: GuardOptions = {}): Promise<void> {
  if (typeof url !== 'string' || url.length > MAX_URL_LENGTH) {
    throw new BadUserInputError(field, `expected an http(s) URL of at most ${MAX_URL_LENGTH} characters, got ${describe(url)}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BadUserInputError(field, `expected an absolute http:// or https:// URL, got ${describe(url)}`);
  }
  const allow = allowListOf(allowed);
  const problem = literalProblem(parsed, allow);
  if (problem) throw new BadUserInputError(field, `expected a public http(s) address: ${problem}`);
  const host = hostOf(parsed);
  if (isIP(host) !== 0 || allow.allowsHost(host)) return;
  let addresses: string[];
  try {
    addresses = await withTimeout((options.resolve ?? resolveWithSystem)(host), INPUT_DNS_TIMEOUT_MS);
  } catch {
    return;
  }
  const refused = firstRefused(addresses, allow);
  if (refused) {
    throw new BadUserInputError(field, `expected a public http(s) address: ${host} resolves to ${refused.address}, ${refused.reason}`);
  }
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/** A `net.connect` lookup that resolves, refuses forbidden answers, and hands the checked addresses on. */
function guardedLookup(allow: AllowList, resolve: ResolveHost) {
  return (hostname: string, options: LookupOneOptions | LookupAllOptions, callback: LookupCallback): void => {
    const host = normalizeHost(hostname);
    resolve(host).then(
      (resolved) => {
        const refused = allow.allowsHost(host) ? null : firstRefused(resolved, allow);
        if (refused) return callback(new SsrfError(`${host} (${refused.address})`, refused.reason), []);
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0;
        const addresses = resolved
          .map((address) => ({ address, family: isIP(address) }))
          .filter((a) => a.family !== 0 && (wanted === 0 || a.family === wanted));
        if (addresses.length === 0) {
          const error: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${host}`);
          error.code = 'ENOTFOUND';
          return callback(error, []);
        }
        if (options.all) return callback(null, addresses);
        callback(null, addresses[0].address, addresses[0].family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
}

/**
 * The connect-time guard as an undici dispatcher, with the as-written check to run before each
 * request: for callers on undici's `request` API (the webhook sender), which costs a fraction of
 * fetch's. One dispatcher pools keep-alive connections per origin (at most `connections` each);
 * every new connection re-checks what the name resolves to at that moment. undici's `request` never
 * follows redirects.
 */
export interface GuardedDispatcher {
  dispatcher: Agent;
  /** Throws SsrfError when the URL as written may not be reached (scheme, localhost, a refused IP literal). */
  check(url: URL): void;
}

export function guardedDispatcher(allowed: Allowed, options: GuardOptions & { connections?: number } = {}): GuardedDispatcher {
  const allow = allowListOf(allowed);
  const dispatcher = new Agent({
    connect: { lookup: guardedLookup(allow, options.resolve ?? resolveWithSystem) },
    connections: options.connections,
  });
  return {
    dispatcher,
    check(url) {
      const problem = literalProblem(url, allow);
      if (problem) throw new SsrfError(url.host, problem);
    },
  };
}

/**
 * A `fetch` for ky's `fetch` option that may only reach allowed addresses: the URL is checked as
 * written, and every connection re-checks what the name resolves to at that moment. Redirects are
 * never followed (a 3xx is returned as is), so a public host cannot bounce a request inward.
 * Built on Node's own fetch with an undici Agent of the same major version as Node's bundled one.
 */
export function guardedFetch(allowed: Allowed, options: GuardOptions = {}): typeof fetch {
  const { dispatcher, check } = guardedDispatcher(allowed, options);
  const guarded = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    check(new URL(input instanceof Request ? input.url : String(input)));
    return fetch(input, { ...init, redirect: 'manual', dispatcher } as RequestInit);
  };
  return guarded as typeof fetch;
}

/** Unguarded, but like the guarded one never follows redirects: for the operator's trusted targets. */
export const directFetch: typeof fetch = ((input: string | URL | Request, init?: RequestInit) =>
  fetch(input, { ...init, redirect: 'manual' })) as typeof fetch;
