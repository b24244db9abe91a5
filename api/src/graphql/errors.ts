import { GraphQLError } from 'graphql';

/** Domain errors carry a typed `extensions.code`; resolvers throw them and clients switch on the code. */

export class BadUserInputError extends GraphQLError {
  constructor(field: string, message: string) {
    super(`${field}: ${message}`, { extensions: { code: 'BAD_USER_INPUT', field } });
  }
}

export class NotFoundError extends GraphQLError {
  constructor(entity: string, id: string | number) {
    super(`${entity} ${id} does not exist`, { extensions: { code: 'NOT_FOUND', id: String(id) } });
  }
}

export class ConflictError extends GraphQLError {
  constructor(message: string, status?: string) {
    super(message, { extensions: { code: 'CONFLICT', ...(status ? { status } : {}) } });
  }
}

export class UnauthenticatedError extends GraphQLError {
  constructor(message = 'a valid API token is required: send "Authorization: Bearer <token>"') {
    super(message, { extensions: { code: 'UNAUTHENTICATED' } });
  }
}

export class ForbiddenError extends GraphQLError {
  constructor(message = 'this token may only read: mutations need an admin token') {
    super(message, { extensions: { code: 'FORBIDDEN' } });
  }
}

export class RateLimitedError extends GraphQLError {
  constructor(retryAfterSeconds: number) {
    super(`too many requests: retry after ${retryAfterSeconds} s`, {
      extensions: { code: 'RATE_LIMITED', retryAfter: retryAfterSeconds },
    });
  }
}

/** Describes an arbitrary received value briefly for error messages ("a string of 300 characters"). */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length} items`;
  if (typeof value === 'string') return value.length > 40 ? `a string of ${value.length} characters` : JSON.stringify(value);
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}
