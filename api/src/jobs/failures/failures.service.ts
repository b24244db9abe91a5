import type { Em, Orm } from '../../db/orm.js';
import { failureGroups, type FailureScope } from './failures.sql.js';
import type { FailureGroup } from './failure-group.types.js';

/** Reads failure groups; retrying or deleting one is a bulk action (BulkJobsService). */
export class FailuresService {
  constructor(private readonly orm: Orm) {}

  groups(scope: FailureScope): Promise<FailureGroup[]> {
    return failureGroups(this.orm.em.fork() as Em, scope);
  }
}
