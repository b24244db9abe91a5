import {
  GraphQLError,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  TypeNameMetaFieldDef,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  getOperationAST,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

/**
 * Limits on what one GraphQL operation may ask for, the same over HTTP (Apollo `validationRules` and
 * `parseOptions`) and WebSocket (`checkDocument`). They bound the work a single request can cause
 * before anything executes: the parser stops at `maxTokens`, then one walk over the operation (fragments
 * expanded) measures depth, aliases and cost.
 */
export interface OperationLimits {
  /** Field nesting; our deepest real query (jobs → jobs → webhookLogs → field) is 4, graphql-js's introspection query 15. @default 15 */
  maxDepth: number;
  /** Aliased fields per operation: aliases multiply work without adding depth. @default 30 */
  maxAliases: number;
  /** Lexer tokens per document, checked while parsing. @default 5_000 */
  maxTokens: number;
  /** Estimated fields resolved: each field costs 1 times the list sizes above it (`limit`, else 10). @default 20_000 */
  maxCost: number;
}

export const DEFAULT_LIMITS: OperationLimits = Object.freeze({ maxDepth: 15, maxAliases: 30, maxTokens: 5_000, maxCost: 20_000 });

/** A list field returns at most its `limit` argument when given literally, else this many as an estimate. */
const ASSUMED_LIST_SIZE = 10;
const MAX_PAGE_SIZE = 100;
/** The arguments that size a page: `limit` of offset lists, `first`/`last` of connections. */
const PAGE_ARGUMENTS = new Set(['limit', 'first', 'last']);
const INTROSPECTION_ROOTS = new Set(['__schema', '__type']);

interface Measure {
  depth: number;
  aliases: number;
  cost: number;
  /** Selections visited: bounds the walk itself (fragments spread into fragments grow exponentially). */
  visits: number;
  aborted: boolean;
}

/**
 * The items a field's page argument allows: the literal value, or the largest page any of our lists
 * serves when it comes from a variable (validation runs before variables are known).
 */
function pageSize(field: FieldNode): number | undefined {
  const limit = field.arguments?.find((a) => PAGE_ARGUMENTS.has(a.name.value));
  if (!limit) return undefined;
  return limit.value.kind === Kind.INT ? Math.max(1, Number(limit.value.value)) : MAX_PAGE_SIZE;
}

function fieldDef(schema: GraphQLSchema, parent: GraphQLNamedType | undefined, name: string): GraphQLField<unknown, unknown> | undefined {
  if (name === '__typename') return TypeNameMetaFieldDef;
  if (parent === schema.getQueryType()) {
    if (name === '__schema') return SchemaMetaFieldDef;
    if (name === '__type') return TypeMetaFieldDef;
  }
  return isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
}

/** Walks one operation with fragments expanded, stopping as soon as any limit is exceeded. */
function measure(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: (name: string) => FragmentDefinitionNode | undefined,
  limits: OperationLimits,
): Measure {
  const m: Measure = { depth: 0, aliases: 0, cost: 0, visits: 0, aborted: false };
  const maxVisits = limits.maxCost + limits.maxTokens;
  // `page`: a `limit` given on a page object (`jobs(limit: 100) { jobs { … } }`) sizes the lists inside it.
  const walk = (
    set: SelectionSetNode,
    parent: GraphQLNamedType | undefined,
    depth: number,
    multiplier: number,
    page: number | undefined,
    spreads: Set<string>,
  ) => {
    for (const selection of set.selections) {
      if (m.aborted) return;
      if (++m.visits > maxVisits) {
        m.aborted = true;
        return;
      }
      if (selection.kind === Kind.FIELD) {
        if (selection.alias) m.aliases++;
        m.depth = Math.max(m.depth, depth);
        m.cost += multiplier;
        if (m.depth > limits.maxDepth || m.aliases > limits.maxAliases || m.cost > limits.maxCost) {
          m.aborted = true;
          return;
        }
        if (!selection.selectionSet) continue;
        const def = fieldDef(schema, parent, selection.name.value);
        const isList = def ? isListType(getNullableType(def.type)) : false;
        // Introspection is priced by graphql-js's own MaxIntrospectionDepthRule (in specifiedRules); its
        // size is bounded by the schema, not the data, so it adds depth here but no cost.
        const size = pageSize(selection);
        const listItems = size ?? page ?? ASSUMED_LIST_SIZE;
        const childMultiplier = INTROSPECTION_ROOTS.has(selection.name.value) ? 0 : isList ? multiplier * listItems : multiplier;
        walk(
          selection.selectionSet,
          def ? getNamedType(def.type) : undefined,
          depth + 1,
          childMultiplier,
          isList ? undefined : size,
          spreads,
        );
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parent;
        walk(selection.selectionSet, type ?? undefined, depth, multiplier, page, spreads);
      } else {
        const name = selection.name.value;
        const fragment = fragments(name);
        // A cycle is reported by the standard NoFragmentCycles rule; here it only must not recurse forever.
        if (!fragment || spreads.has(name)) continue;
        const type = schema.getType(fragment.typeCondition.name.value) ?? undefined;
        walk(fragment.selectionSet, type, depth, multiplier, page, new Set(spreads).add(name));
      }
    }
  };
  const root = schema.getRootType(operation.operation) ?? undefined;
  walk(operation.selectionSet, root, 1, 1, undefined, new Set());
  return m;
}

function describeExcess(m: Measure, limits: OperationLimits): string {
  if (m.depth > limits.maxDepth) return `the operation nests fields deeper than ${limits.maxDepth} levels`;
  if (m.aliases > limits.maxAliases) return `the operation uses more than ${limits.maxAliases} aliases`;
  if (m.cost > limits.maxCost) {
    return `the operation is too expensive: its estimated cost exceeds ${limits.maxCost} (each field counts once per item of the lists above it; request smaller pages)`;
  }
  return `the operation is too complex to evaluate within the limits (depth ${limits.maxDepth}, aliases ${limits.maxAliases}, cost ${limits.maxCost})`;
}

/** Depth, aliases and cost as one validation rule (one walk per operation). */
export function operationLimitsRule(limits: OperationLimits = DEFAULT_LIMITS): ValidationRule {
  return (context: ValidationContext) => ({
    OperationDefinition(node) {
      const m = measure(context.getSchema(), node, (name) => context.getFragment(name) ?? undefined, limits);
      if (m.aborted) {
        context.reportError(
          new GraphQLError(describeExcess(m, limits), { nodes: [node], extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }),
        );
      }
      return false;
    },
  });
}

export function limitValidationRules(limits: OperationLimits = DEFAULT_LIMITS): ValidationRule[] {
  return [operationLimitsRule(limits)];
}

/** Options for graphql-js `parse`, shared by Apollo (`parseOptions`) and the WebSocket server. */
export function parseOptions(limits: OperationLimits = DEFAULT_LIMITS) {
  return { maxTokens: limits.maxTokens, noLocation: false };
}

export type CheckedDocument = { document: DocumentNode; operation: OperationDefinitionNode } | { errors: readonly GraphQLError[] };

/**
 * Parse (token limit), then validate (standard rules plus the limits) one operation text: what the
 * WebSocket server runs for every `subscribe` message, so WebSocket clients meet exactly the HTTP rules.
 */
export function checkDocument(
  schema: GraphQLSchema,
  query: unknown,
  operationName: string | null | undefined,
  limits: OperationLimits = DEFAULT_LIMITS,
): CheckedDocument {
  if (typeof query !== 'string' || query.trim() === '') {
    return {
      errors: [new GraphQLError('query: expected a GraphQL document as a non-empty string', { extensions: { code: 'BAD_REQUEST' } })],
    };
  }
  let document: DocumentNode;
  try {
    document = parse(query, parseOptions(limits));
  } catch (error) {
    const message = error instanceof GraphQLError ? error.message : String(error);
    return { errors: [new GraphQLError(message, { extensions: { code: 'GRAPHQL_PARSE_FAILED' } })] };
  }
  const errors = validate(schema, document, [...specifiedRules, ...limitValidationRules(limits)]);
  if (errors.length > 0) {
    return {
      errors: errors.map((e) => new GraphQLError(e.message, { nodes: e.nodes, extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } })),
    };
  }
  const operation = getOperationAST(document, operationName ?? undefined);
  if (!operation) {
    return {
      errors: [
        new GraphQLError(
          operationName
            ? `operationName: no operation named "${operationName}" in the document`
            : 'operationName: the document has several operations; name the one to run',
          {
            extensions: { code: 'OPERATION_RESOLUTION_FAILURE' },
          },
        ),
      ],
    };
  }
  return { document, operation };
}
