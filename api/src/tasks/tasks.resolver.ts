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
    source: TaskSourceKind[entry.source],
  };
}

@Resolver(() => Task)
export class TasksResolver {
  @Query(() => [Task], {
    description: 'Every task this server knows: built-ins, the modules of TASKS_DIR and the tasks remote workers announced, by name',
  })
  async tasks(@Ctx() { services }: Context): Promise<Task[]> {
    await services.remoteTasks.fresh();
    return services.tasks.list().map((entry) => toTask(entry, services.tasks.backoffOf(entry.definition.name)));
  }

  @Query(() => Task, { nullable: true })
  async task(@Ctx() { services }: Context, @Arg('name', () => String) name: string): Promise<Task | null> {
    await services.remoteTasks.ensureKnown([name]);
    const entry = services.tasks.get(name);
    return entry ? toTask(entry, services.tasks.backoffOf(name)) : null;
  }

  @FieldResolver(() => TaskCounts, { description: "This task's jobs now, from the database" })
  counts(@Root() task: Task, @Ctx() { services }: Context): Promise<TaskCounts> {
    return services.jobs.countsOfTask(task.name);
  }
}
