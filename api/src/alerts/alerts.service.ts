import type { Em, Orm } from '../db/orm.js';
import { NotFoundError } from '../graphql/errors.js';
import type { EventBus } from '../live/pubsub.js';
import { Topic } from '../live/pubsub.js';
import { Alert, AlertRule } from './alert.entity.js';
import { recordAlertEvent, type AlertEventType } from './alert-outbox.js';
import { ruleFields } from './alert-rule.validate.js';
import { AlertKind, AlertState, type AlertRuleInput, type AlertRuleView, type AlertView } from './alert.types.js';
import { measure } from './measure.sql.js';

export function toRuleView(rule: AlertRule): AlertRuleView {
  return {
    id: String(rule.id),
    kind: rule.kind as AlertKind,
    queue: rule.queue ?? null,
    taskName: rule.taskName ?? null,
    threshold: rule.threshold,
    windowMs: rule.windowMs,
    minCount: rule.minCount,
    cooldownMs: rule.cooldownMs,
    enabled: rule.enabled,
    createdAt: rule.createdAt,
  };
}

export interface SystemAlert {
  kind: 'ENDPOINT_DISABLED';
  endpointId: number | string;
  value: number;
  threshold: number;
}

/** Alert rules and alerts: the CRUD behind GraphQL, one evaluation pass, and system fires. */
export class AlertsService {
  constructor(
    private readonly orm: Orm,
    private readonly bus: EventBus,
    /** Wakes the webhook sender once alert messages are committed. */
    private readonly wakeSender: () => void,
  ) {}

  private em(): Em {
    return this.orm.em.fork() as Em;
  }

  /** Fires and resolves as published on the bus (across processes with Redis). */
  changes() {
    return this.bus.subscribe(Topic.ALERT_CHANGED);
  }

  async rules(): Promise<AlertRuleView[]> {
    return (await this.em().find(AlertRule, {}, { orderBy: { id: 'asc' } })).map(toRuleView);
  }

  async createRule(input: AlertRuleInput): Promise<AlertRuleView> {
    const em = this.em();
    const rule = em.create(AlertRule, ruleFields(input, null));
    await em.flush();
    return toRuleView(rule);
  }

  async updateRule(id: string, input: AlertRuleInput): Promise<AlertRuleView> {
    const em = this.em();
    const rule = await this.ruleOf(em, id);
    em.assign(rule, ruleFields(input, { ...toRuleView(rule), queue: rule.queue ?? null, taskName: rule.taskName ?? null }));
    await em.flush();
    return toRuleView(rule);
  }

  /** Deletes the rule; its alerts stay in the history with `rule: null`. */
  async deleteRule(id: string): Promise<boolean> {
    const em = this.em();
    const rule = await this.ruleOf(em, id);
    await em.nativeUpdate(Alert, { ruleId: rule.id, state: AlertState.FIRING }, { state: AlertState.RESOLVED, resolvedAt: new Date() });
    await em.nativeDelete(AlertRule, { id: rule.id });
    return true;
  }

  async alerts(since: Date | null, state: AlertState | null): Promise<AlertView[]> {
    const em = this.em();
    const where: Record<string, unknown> = {};
    if (since) where.firedAt = { $gte: since };
    if (state) where.state = state;
    const rows = await em.find(Alert, where, { orderBy: { id: 'desc' }, limit: 500 });
    const ruleIds = [...new Set(rows.map((r) => r.ruleId).filter((id): id is number => Boolean(id)))];
    const rules = new Map((ruleIds.length ? await em.find(AlertRule, { id: { $in: ruleIds } }) : []).map((r) => [r.id, r]));
    return rows.map((row) => this.view(row, row.ruleId ? (rules.get(row.ruleId) ?? null) : null));
  }

  /**
   * One pass over every enabled rule: fires a rule whose condition holds and that has no FIRING alert
   * (and is past its cooldown), resolves a FIRING alert whose condition stopped holding.
   */
  async evaluate(now = new Date()): Promise<void> {
    const em = this.em();
    const rules = await em.find(AlertRule, { enabled: true });
    for (const rule of rules) {
      const { value, holds } = await measure(em, rule, now);
      const firing = await em.findOne(Alert, { ruleId: rule.id, state: AlertState.FIRING });
      if (firing && !holds)
        await this.change(em, firing, rule, 'alert.resolved', () => {
          firing.state = AlertState.RESOLVED;
          firing.resolvedAt = now;
        });
      const cooled = !rule.lastFiredAt || now.getTime() - rule.lastFiredAt.getTime() >= rule.cooldownMs;
      if (!firing && holds && cooled) {
        const alert = new Alert();
        Object.assign(alert, {
          kind: rule.kind,
          ruleId: rule.id,
          queue: rule.queue ?? null,
          taskName: rule.taskName ?? null,
          value,
          threshold: rule.threshold,
          firedAt: now,
        });
        await this.change(em, alert, rule, 'alert.fired', () => {
          rule.lastFiredAt = now;
        });
      }
    }
  }

  /** An alert without a rule, fired by the system (an endpoint auto-disabled), sent to the other subscribed endpoints. */
  async fireSystemAlert(input: SystemAlert): Promise<AlertView> {
    const alert = new Alert();
    Object.assign(alert, {
      kind: AlertKind.ENDPOINT_DISABLED,
      ruleId: null,
      endpointId: Number(input.endpointId),
      value: input.value,
      threshold: input.threshold,
      firedAt: new Date(),
    });
    return this.change(this.em(), alert, null, 'alert.fired', () => {});
  }

  /** An endpoint disabled itself: its ENDPOINT_DISABLED alert, valued at its failure streak. */
  endpointDisabled(endpoint: { endpointId: number; consecutiveFailures: number; disableAfterFailures: number }): Promise<AlertView> {
    return this.fireSystemAlert({
      kind: 'ENDPOINT_DISABLED',
      endpointId: endpoint.endpointId,
      value: endpoint.consecutiveFailures,
      threshold: endpoint.disableAfterFailures,
    });
  }

  /** The endpoint was enabled again by hand: its firing ENDPOINT_DISABLED alerts resolve. */
  async endpointReenabled(endpointId: number): Promise<AlertView[]> {
    const em = this.em();
    const firing = await em.find(Alert, { kind: AlertKind.ENDPOINT_DISABLED, endpointId, state: AlertState.FIRING });
    const resolved: AlertView[] = [];
    for (const alert of firing) {
      resolved.push(
        await this.change(em, alert, null, 'alert.resolved', () => {
          alert.state = AlertState.RESOLVED;
          alert.resolvedAt = new Date();
        }),
      );
    }
    return resolved;
  }

  /** Applies a fire or resolve and its outbox rows in one transaction, then tells live subscribers. */
  private async change(em: Em, alert: Alert, rule: AlertRule | null, type: AlertEventType, apply: () => void): Promise<AlertView> {
    await em.transactional(async (tx) => {
      apply();
      tx.persist(alert);
      if (rule) tx.persist(rule);
      await tx.flush();
      await recordAlertEvent(tx as Em, type, alert);
    });
    this.wakeSender();
    const view = this.view(alert, rule);
    this.bus.publish(Topic.ALERT_CHANGED, { ...view, rule: view.rule ? { ...view.rule } : null });
    return view;
  }

  private view(alert: Alert, rule: AlertRule | null): AlertView {
    return {
      id: String(alert.id),
      kind: alert.kind as AlertKind,
      rule: rule ? toRuleView(rule) : null,
      state: alert.state as AlertState,
      firedAt: alert.firedAt,
      resolvedAt: alert.resolvedAt ?? null,
      value: alert.value,
      queue: alert.queue ?? null,
      taskName: alert.taskName ?? null,
      endpointId: alert.endpointId ? String(alert.endpointId) : null,
    };
  }

  private async ruleOf(em: Em, id: string): Promise<AlertRule> {
    const rule = /^\d+$/.test(id) ? await em.findOne(AlertRule, { id: Number(id) }) : null;
    if (!rule) throw new NotFoundError('alert rule', id);
    return rule;
  }
}
