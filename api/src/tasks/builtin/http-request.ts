import ky from 'ky';
import { BadUserInputError, describe } from '../../graphql/errors.js';
import { assertSafeUrl, guardedFetch, type Allowed } from '../../net/ssrf.js';
import { defineTask, type TaskDefinition } from '../task.js';

const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;
type Method = (typeof METHODS)[number];
/** Enough of a response to debug with; the rest is cut so a large download cannot bloat the jobs table. */
const MAX_RESULT_BODY_CHARS = 16 * 1024;

export interface HttpRequestPayload {
  url: string;
  method: Method;
  headers: Record<string, string>;
  body: string | undefined;
}

/** `{url, method = GET, headers = {}, body}`; a non-string body is sent as JSON. */
export function parseHttpRequest(payload: Record<string, unknown>, field: string): HttpRequestPayload {
  const { url, method = 'GET', headers = {}, body } = payload;
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url) || !URL.canParse(url)) {
    throw new BadUserInputError(`${field}.url`, `expected an absolute http(s) URL, got ${describe(url)}`);
  }
  const verb = typeof method === 'string' ? method.toUpperCase() : method;
  if (!METHODS.includes(verb as Method)) {
    throw new BadUserInputError(`${field}.method`, `expected one of ${METHODS.join(', ')}, got ${describe(method)}`);
  }
  if (
    typeof headers !== 'object' ||
    headers === null ||
    Array.isArray(headers) ||
    Object.values(headers).some((v) => typeof v !== 'string')
  ) {
    throw new BadUserInputError(`${field}.headers`, `expected an object of string header values, got ${describe(headers)}`);
  }
  const outHeaders = { ...(headers as Record<string, string>) };
  let outBody: string | undefined;
  if (body !== undefined && body !== null) {
    if (verb === 'GET' || verb === 'HEAD') {
      throw new BadUserInputError(`${field}.body`, `expected no body for ${verb as string}, got ${describe(body)}`);
    }
    if (typeof body === 'string') outBody = body;
    else {
      outBody = JSON.stringify(body);
      if (!Object.keys(outHeaders).some((h) => h.toLowerCase() === 'content-type')) outHeaders['content-type'] = 'application/json';
    }
  }
  return { url, method: verb as Method, headers: outHeaders, body: outBody };
}

/** What the catalog shows and the dashboard's form is built from; `validate` checks the rest (the URL's target). */
const HTTP_REQUEST_SCHEMA = {
  type: 'object',
  required: ['url'],
  properties: {
    url: { type: 'string', description: 'An absolute http(s) URL' },
    method: { type: 'string', default: 'GET', description: `${METHODS.join(', ')} (any case)` },
    headers: { type: 'object', additionalProperties: { type: 'string' }, description: 'Header names and values' },
    body: { description: 'Sent as it is when a string, as JSON otherwise; not with GET or HEAD' },
  },
};

/**
 * `http.request`: one outbound request with ky. The URL must not point into private networks unless
 * its host is in WEBHOOK_ALLOWED_HOSTS — checked at creation and again at connect time after DNS,
 * so a name that later resolves inward is still refused. A non-2xx answer fails the run (and retries).
 */
export function httpRequestTask(allowed: Allowed): TaskDefinition {
  const fetch = guardedFetch(allowed);
  return defineTask({
    name: 'http.request',
    description: 'One HTTP request; a non-2xx answer fails the run. Private addresses only when WEBHOOK_ALLOWED_HOSTS lists them.',
    payload: HTTP_REQUEST_SCHEMA,
    async handler(job, { signal }) {
      const req = parseHttpRequest(job.payload ?? {}, 'payload');
      await assertSafeUrl('payload.url', req.url, allowed);
      const res = await ky(req.url, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal,
        fetch,
        retry: 0, // the engine's retries (attempts, backoff) apply instead
        timeout: false, // the job's timeoutMs applies instead
        throwHttpErrors: false,
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${req.method} ${req.url} answered ${res.status} ${res.statusText}: ${text.slice(0, 500)}`);
      const type = res.headers.get('content-type') ?? '';
      let body: unknown = text.length > MAX_RESULT_BODY_CHARS ? text.slice(0, MAX_RESULT_BODY_CHARS) : text;
      if (type.includes('json') && text.length <= MAX_RESULT_BODY_CHARS) {
        try {
          body = JSON.parse(text);
        } catch {
          // Not JSON after all: keep the text.
        }
      }
      return { status: res.status, contentType: type || null, body };
    },
    async validate(payload, field) {
      const req = parseHttpRequest(payload, field);
      await assertSafeUrl(`${field}.url`, req.url, allowed);
    },
  });
}
