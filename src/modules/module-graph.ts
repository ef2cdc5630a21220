// The declared module dependency graph (docs/requirements/kernel.md, REQ-KER-013). An edge means "imports the public
// index.ts of, or subscribes to the events of"; event types start with their module's name. It lists only modules
// that exist and only edges that are used, and stays acyclic: test/architecture.test.ts and .dependency-cruiser.cjs
// enforce all of it (an undeclared import or subscription fails, and so does a declared edge nothing uses).
export const MODULE_GRAPH = {
  identity: [],
  inventory: [],
  payments: [],
  // Subscribes to inventory.stock.changed (wired in src/app.ts) to drop its read cache.
  catalog: ['inventory'],
  pricing: [],
  search: ['catalog'],
  cart: ['catalog', 'pricing'],
  orders: ['cart', 'pricing', 'inventory', 'payments'],
  // Delivers the public events of these modules to integrators' endpoints (its event catalog names them).
  webhooks: ['catalog', 'identity', 'inventory', 'orders', 'payments'],
  // Emails customers and staff about these modules' events; reads accounts and orders through their contracts.
  notifications: ['identity', 'inventory', 'orders', 'payments', 'webhooks'],
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
