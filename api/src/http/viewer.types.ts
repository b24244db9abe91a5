import { Field, ObjectType, registerEnumType } from 'type-graphql';

/** A token's role: ADMIN may do everything, VIEWER only read, WORKER only the remote-worker operations. */
export enum RoleName {
  ADMIN = 'ADMIN',
  VIEWER = 'VIEWER',
  WORKER = 'WORKER',
}

registerEnumType(RoleName, { name: 'Role' });

@ObjectType({ description: 'Who the request is: the token name and its role (anonymous ADMIN when the API is open)' })
export class ViewerInfo {
  @Field(() => String)
  name!: string;

  @Field(() => RoleName)
  role!: RoleName;
}
