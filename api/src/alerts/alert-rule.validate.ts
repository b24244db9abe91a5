import { BadUserInputError, describe } from '../graphql/errors.js';
import { checkQueueName } from '../queues/queue-name.js';
import { AlertKind, type AlertRuleInput } from './alert.types.js';

const HOUR = 3_600_000;
export const RULE_KINDS = [AlertKind.FAILURE_RATE, AlertKind.QUEUE_BACKLOG_AGE, AlertKind.QUEUE_DEPTH, AlertKind.NO_WORKERS];

export interface RuleFields {
  kind: AlertKind;
  queue: string | null;
  taskName: string | null;
  threshold: number;
  windowMs: number;
  minCount: number;
  cooldownMs: number;
  enabled: boolean;
}

function checkInt(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max)
    throw new BadUserInputError(field, `expected a whole number from ${min} to ${max}, got ${describe(value)}`);
  return value;
}

/** The threshold's meaning depends on the kind: a share for failure rates, a duration or a count otherwise. */
function checkThreshold(kind: AlertKind, value: number): number {
  if (kind === AlertKind.FAILURE_RATE) {
    if (!(value > 0 && value <= 1))
      throw new BadUserInputError('threshold', `expected a share above 0 and at most 1 for FAILURE_RATE, got ${describe(value)}`);
    return value;
  }
  if (kind === AlertKind.QUEUE_BACKLOG_AGE) return checkInt('threshold', value, 1000, 30 * 24 * HOUR);
  return checkInt('threshold', value, 1, 1_000_000_000);
}

/** A rule's fields after `input` is applied to `base` (creation when base is null). */
export function ruleFields(input: AlertRuleInput, base: RuleFields | null): RuleFields {
  const kind = input.kind ?? base?.kind;
  if (!kind) throw new BadUserInputError('kind', `expected one of ${RULE_KINDS.join(', ')}`);
  if (!RULE_KINDS.includes(kind))
    throw new BadUserInputError('kind', `expected one of ${RULE_KINDS.join(', ')}; ENDPOINT_DISABLED alerts are fired by the system`);
  const threshold = input.threshold ?? base?.threshold;
  if (threshold === undefined) throw new BadUserInputError('threshold', 'expected a number');
  const taskName = input.taskName === undefined ? (base?.taskName ?? null) : input.taskName;
  if (taskName !== null && (taskName.length === 0 || taskName.length > 255))
    throw new BadUserInputError('taskName', `expected 1–255 characters, got ${describe(taskName)}`);
  const queue = input.queue === undefined ? (base?.queue ?? null) : input.queue;
  return {
    kind,
    queue: queue === null ? null : checkQueueName('queue', queue),
    taskName,
    threshold: checkThreshold(kind, threshold),
    windowMs: checkInt('windowMs', input.windowMs ?? base?.windowMs ?? 60_000, 1000, 24 * HOUR),
    minCount: checkInt('minCount', input.minCount ?? base?.minCount ?? 1, 1, 1_000_000),
    cooldownMs: checkInt('cooldownMs', input.cooldownMs ?? base?.cooldownMs ?? 0, 0, 7 * 24 * HOUR),
    enabled: input.enabled ?? base?.enabled ?? true,
  };
}
