import { Arg, Ctx, FieldResolver, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import type { CatalogEntry } from './catalog.js';
import { Task, TaskCounts, TaskSourceKind } from './task.types.js';

function toTask(entry: CatalogEntry, backoff: Task['defaults']['backoff']): Task {
  const { definition } = entry;
  return {
    name: definition.name,
    description: definition.description ?? null,
    payloadSchema: definition.payload ?? null,
    defaults: {
      maxAttempts: definition.defaults?.maxAttempts ?? null,
      timeoutMs: definition.defaults?.timeoutMs ?? null,
      queue: definition.defaults?.queue ?? 'default',
      backoff,
    },
    source: entry.source === 'MODULE' ? TaskSourceKind.MODULE : TaskSourceKind.BUILT_IN,
  };
}

@Resolver(() => Task)
export class TasksResolver {
  @Query(() => [Task], { description: 'Every task this server knows: built-ins and the modules of TASKS_DIR, by name' })
  tasks(@Ctx() { services }: Context): Task[] {
    return services.tasks.list().map((entry) => toTask(entry, services.tasks.backoffOf(entry.definition.name)));
  }

  @Query(() => Task, { nullable: true })
  task(@Ctx() { services }: Context, @Arg('name', () => String) name: string): Task | null {
    const entry = services.tasks.get(name);
    return entry ? toTask(entry, services.tasks.backoffOf(name)) : null;
  }

  @FieldResolver(() => TaskCounts, { description: "This task's jobs now, from the database" })
  counts(@Root() task: Task, @Ctx() { services }: Context): Promise<TaskCounts> {
    return services.jobs.countsOfTask(task.name);
  }
}
