import { Arg, Ctx, ID, Mutation, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { DateTimeScalar } from '../graphql/scalars.js';
import { AlertRuleInput, AlertRuleView, AlertState, AlertView } from './alert.types.js';

@Resolver()
export class AlertsResolver {
  @Query(() => [AlertRuleView], { description: 'Every alert rule, oldest first' })
  alertRules(@Ctx() { services }: Context): Promise<AlertRuleView[]> {
    return services.alerts.rules();
  }

  @Query(() => [AlertView], { description: 'Alerts, newest first (at most 500)' })
  alerts(
    @Ctx() { services }: Context,
    @Arg('since', () => DateTimeScalar, { nullable: true, description: 'Only alerts fired at or after this' }) since: Date | null,
    @Arg('state', () => AlertState, { nullable: true }) state: AlertState | null,
  ): Promise<AlertView[]> {
    return services.alerts.alerts(since ?? null, state ?? null);
  }

  @Mutation(() => AlertRuleView)
  createAlertRule(@Ctx() { services }: Context, @Arg('input', () => AlertRuleInput) input: AlertRuleInput): Promise<AlertRuleView> {
    return services.alerts.createRule(input);
  }

  @Mutation(() => AlertRuleView, { description: 'Fields left out keep their values' })
  updateAlertRule(
    @Ctx() { services }: Context,
    @Arg('id', () => ID) id: string,
    @Arg('input', () => AlertRuleInput) input: AlertRuleInput,
  ): Promise<AlertRuleView> {
    return services.alerts.updateRule(id, input);
  }

  @Mutation(() => Boolean, { description: 'Deletes the rule; its alerts stay in the history with rule null' })
  deleteAlertRule(@Ctx() { services }: Context, @Arg('id', () => ID) id: string): Promise<boolean> {
    return services.alerts.deleteRule(id);
  }

  @Subscription(() => AlertView, {
    description: 'An alert fired or resolved, from any process',
    subscribe: ({ context }) => (context as Context).services.alerts.changes(),
  })
  alertChanged(@Root() alert: AlertView): AlertView {
    return alert;
  }
}
