// The declared module dependency graph (docs/requirements/kernel.md, REQ-KER-013). An edge means "may import the public
// index.ts of, or subscribe to the events of". It must stay acyclic; test/architecture.test.ts
// and .dependency-cruiser.cjs enforce it.
export const MODULE_GRAPH = {
  identity: [],
  inventory: [],
  payments: [],
  catalog: ['inventory'],
  pricing: ['catalog'],
  search: ['catalog', 'inventory'],
  cart: ['catalog', 'pricing', 'inventory', 'identity'],
  orders: ['cart', 'pricing', 'inventory', 'payments', 'identity'],
  fulfillment: ['orders', 'inventory'],
  notifications: ['identity', 'orders', 'payments', 'fulfillment'],
} as const satisfies Record<string, readonly string[]>;

export type ModuleName = keyof typeof MODULE_GRAPH;

/** Returns a cycle as a list of module names, or undefined when the graph is acyclic. */
export function findCycle(graph: Record<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (m: string): string[] | undefined => {
    if (state.get(m) === 'done') return undefined;
    if (state.get(m) === 'visiting') return [...stack.slice(stack.indexOf(m)), m];
    state.set(m, 'visiting');
    stack.push(m);
    for (const dep of graph[m] ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(m, 'done');
    return undefined;
  };
  for (const m of Object.keys(graph)) {
    const cycle = visit(m);
    if (cycle) return cycle;
  }
  return undefined;
}
