// Static limits checked while a query is validated, before anything runs: depth, cost and root fields.
// Cost = every selected field, weighted by the `limit` of each enclosing paged field (a variable `limit` counts
// as the largest allowed), so `products(limit: 100) { items { … } }` costs about 100 × the fields per item and
// aliasing the same expensive field many times adds up. Root fields (aliases included) are bounded separately.
import {
  type ASTVisitor,
  type FieldNode,
  GraphQLError,
  type GraphQLField,
  type GraphQLNamedType,
  getNamedType,
  isInterfaceType,
  isObjectType,
  Kind,
  SchemaMetaFieldDef,
  type SelectionSetNode,
  TypeMetaFieldDef,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';

export interface QueryLimits {
  /** Deepest field nesting of an operation, e.g. `products { items { id } }` is 3. */
  maxDepth: number;
  /** Introspection (`__schema`, `__type`) nests type references deeper; it gets its own bound. */
  maxIntrospectionDepth: number;
  maxCost: number;
  /** Fields at the root of one operation, aliases included. */
  maxRootFields: number;
  /** The largest `limit` any paged field accepts (the cost of a variable `limit`). */
  maxLimit: number;
}

export const DEFAULT_LIMITS: QueryLimits = {
  maxDepth: 8,
  maxIntrospectionDepth: 15,
  maxCost: 10_000,
  maxRootFields: 10,
  maxLimit: 100,
};

interface Tally {
  depth: number;
  introspectionDepth: number;
  cost: number;
  rootFields: number;
}

// biome-ignore lint/suspicious/noExplicitAny: graphql-js field definitions are generic over source and context.
type AnyField = GraphQLField<any, any>;

function fieldDef(type: GraphQLNamedType | undefined, name: string): AnyField | undefined {
  if (name === '__schema') return SchemaMetaFieldDef;
  if (name === '__type') return TypeMetaFieldDef;
  if (type && (isObjectType(type) || isInterfaceType(type))) return type.getFields()[name];
  return undefined;
}

/** The multiplier a field applies to what it selects: its `limit` argument (given or default), else 1. */
function limitOf(node: FieldNode, def: AnyField | undefined, maxLimit: number): number {
  const arg = node.arguments?.find((a) => a.name.value === 'limit');
  if (arg?.value.kind === Kind.INT) return Math.min(Math.max(Number(arg.value.value), 1), maxLimit);
  if (arg?.value.kind === Kind.VARIABLE) return maxLimit;
  const fallback = def?.args.find((a) => a.name === 'limit')?.defaultValue;
  return typeof fallback === 'number' ? Math.min(fallback, maxLimit) : 1;
}

function measure(
  context: ValidationContext,
  limits: QueryLimits,
  selectionSet: SelectionSetNode,
  type: GraphQLNamedType | undefined,
  at: { depth: number; multiplier: number; introspection: boolean },
  fragmentsOnPath: Set<string>,
  tally: Tally,
): void {
  const schema = context.getSchema();
  for (const sel of selectionSet.selections) {
    if (sel.kind === Kind.FIELD) {
      const name = sel.name.value;
      if (name === '__typename') continue;
      const introspection = at.introspection || name.startsWith('__');
      const depth = at.depth + 1;
      if (at.depth === 0) tally.rootFields++;
      if (introspection) tally.introspectionDepth = Math.max(tally.introspectionDepth, depth);
      else tally.depth = Math.max(tally.depth, depth);
      tally.cost += at.multiplier;
      if (!sel.selectionSet) continue;
      const def = fieldDef(type, name);
      const multiplier = at.multiplier * limitOf(sel, def, limits.maxLimit);
      const child = def ? getNamedType(def.type) : undefined;
      measure(context, limits, sel.selectionSet, child, { depth, multiplier, introspection }, fragmentsOnPath, tally);
    } else if (sel.kind === Kind.INLINE_FRAGMENT) {
      const cond = sel.typeCondition ? schema.getType(sel.typeCondition.name.value) : type;
      measure(context, limits, sel.selectionSet, cond ?? undefined, at, fragmentsOnPath, tally);
    } else {
      const name = sel.name.value;
      const fragment = context.getFragment(name);
      // A fragment cycle is reported by the standard NoFragmentCyclesRule; here it just stops the walk.
      if (!fragment || fragmentsOnPath.has(name)) continue;
      fragmentsOnPath.add(name);
      const cond = schema.getType(fragment.typeCondition.name.value);
      measure(context, limits, fragment.selectionSet, cond ?? undefined, at, fragmentsOnPath, tally);
      fragmentsOnPath.delete(name);
    }
  }
}

function limitError(code: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, status: 400 } });
}

/** A validation rule enforcing QueryLimits on every operation of the document. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_LIMITS): ValidationRule {
  return (context: ValidationContext): ASTVisitor => ({
    OperationDefinition(op) {
      const schema = context.getSchema();
      const root =
        op.operation === 'query'
          ? schema.getQueryType()
          : op.operation === 'mutation'
            ? schema.getMutationType()
            : schema.getSubscriptionType();
      const tally: Tally = { depth: 0, introspectionDepth: 0, cost: 0, rootFields: 0 };
      const start = { depth: 0, multiplier: 1, introspection: false };
      measure(context, limits, op.selectionSet, root ?? undefined, start, new Set(), tally);
      const name = op.name?.value ?? 'anonymous';
      if (tally.depth > limits.maxDepth) {
        context.reportError(
          limitError(
            'graphql.too_deep',
            `Operation ${name} nests ${tally.depth} levels; the limit is ${limits.maxDepth}.`,
          ),
        );
      }
      if (tally.introspectionDepth > limits.maxIntrospectionDepth) {
        context.reportError(
          limitError(
            'graphql.too_deep',
            `Introspection in ${name} nests ${tally.introspectionDepth} levels; the limit is ${limits.maxIntrospectionDepth}.`,
          ),
        );
      }
      if (tally.rootFields > limits.maxRootFields) {
        context.reportError(
          limitError(
            'graphql.too_many_fields',
            `Operation ${name} selects ${tally.rootFields} root fields (aliases included); the limit is ${limits.maxRootFields}.`,
          ),
        );
      }
      if (tally.cost > limits.maxCost) {
        context.reportError(
          limitError(
            'graphql.too_complex',
            `Operation ${name} costs ${tally.cost} (fields × page sizes); the limit is ${limits.maxCost}.`,
          ),
        );
      }
    },
  });
}

/** Deepest bracket nesting a query text may have before it is parsed at all (the parser and validator recurse). */
export const MAX_TEXT_NESTING = 64;

/**
 * The deepest nesting of `{`, `(` and `[` in a GraphQL text, outside strings and comments. Checked before parsing:
 * graphql-js parses and validates recursively, and a few thousand levels overflow the stack ("Maximum call stack
 * size exceeded" reached the client) before any depth rule can run.
 */
export function textNesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === '"') {
      const block = text.startsWith('"""', i);
      const end = block ? '"""' : '"';
      i += end.length;
      while (i < text.length && !text.startsWith(end, i)) i += text[i] === '\\' ? 2 : 1;
      i += end.length - 1;
    } else if (c === '{' || c === '(' || c === '[') {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === '}' || c === ')' || c === ']') {
      depth--;
    }
  }
  return deepest;
}
