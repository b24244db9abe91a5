import { Ctx, Query, Resolver } from 'type-graphql';
import type { Context } from '../graphql/context.js';
import { RoleName, ViewerInfo } from './viewer.types.js';

@Resolver()
export class ViewerResolver {
  @Query(() => ViewerInfo, { description: 'The caller: the dashboard hides what a VIEWER may not do' })
  viewer(@Ctx() { viewer }: Context): ViewerInfo {
    return { name: viewer.name, role: viewer.role.toUpperCase() as RoleName };
  }
}
