// Checks the declared module graph (src/modules/module-graph.ts) against what the code does: every import of another
// module and every subscription to another module's events (event types start with the module's name) needs a
// declared edge, and every declared edge must be used by at least one of them.

/** One use of module `to` by module `from`: a file that imports it, or a subscriber of its events. */
export interface GraphUse {
  from: string;
  to: string;
  via: string;
}

export interface CruisedModule {
  source: string;
  dependencies: { resolved: string }[];
}

const moduleOf = (path: string) => /^src\/modules\/([^/]+)\//.exec(path)?.[1];

/** Cross-module imports from dependency-cruiser's JSON `modules`. */
export function importUses(modules: CruisedModule[]): GraphUse[] {
  const uses: GraphUse[] = [];
  for (const m of modules) {
    const from = moduleOf(m.source);
    if (!from) continue;
    for (const d of m.dependencies) {
      const to = moduleOf(d.resolved);
      if (to && to !== from) uses.push({ from, to, via: m.source });
    }
  }
  return uses;
}

/** Subscriptions to another module's events, from the app's module definitions. */
export function subscriptionUses(
  definitions: { name: string; subscribers?: { name: string; eventTypes: string[] }[] }[],
): GraphUse[] {
  return definitions.flatMap((d) =>
    (d.subscribers ?? []).flatMap((s) =>
      s.eventTypes
        .map((type) => ({ from: d.name, to: type.split('.')[0] ?? type, via: `${s.name} (${type})` }))
        .filter((u) => u.to !== u.from),
    ),
  );
}

/** What is wrong with the declared graph given these uses; empty when it matches the code. */
export function graphProblems(graph: Record<string, readonly string[]>, uses: GraphUse[]): string[] {
  const problems = new Set<string>();
  for (const u of uses) {
    if (!(u.from in graph)) problems.add(`undeclared module ${u.from} (${u.via})`);
    else if (!(u.to in graph)) problems.add(`${u.from} uses ${u.to}, which is not a declared module (${u.via})`);
    else if (!graph[u.from]?.includes(u.to)) problems.add(`undeclared edge ${u.from} → ${u.to} (${u.via})`);
  }
  for (const [from, tos] of Object.entries(graph)) {
    for (const to of tos) {
      if (!(to in graph)) problems.add(`${from} → ${to}: ${to} is not a declared module`);
      else if (!uses.some((u) => u.from === from && u.to === to)) {
        problems.add(`unused edge ${from} → ${to}: no import and no subscription`);
      }
    }
  }
  return [...problems].sort();
}
