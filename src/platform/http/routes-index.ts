// Knows which methods each registered path pattern accepts, so an existing path with the wrong
// method answers 405 with Allow instead of 404.

export interface MethodIndex {
  add(method: string | string[], url: string): void;
  allowed(path: string): string[];
}

function toRegExp(pattern: string): RegExp {
  const escaped = pattern
    .split('/')
    .map((seg) => {
      if (seg === '*') return '.*';
      if (seg.startsWith(':')) return '[^/]+';
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${escaped}/?$`);
}

export function createMethodIndex(): MethodIndex {
  const routes: { re: RegExp; methods: Set<string> }[] = [];
  const byPattern = new Map<string, { re: RegExp; methods: Set<string> }>();
  return {
    add(method, url) {
      let entry = byPattern.get(url);
      if (!entry) {
        entry = { re: toRegExp(url), methods: new Set() };
        byPattern.set(url, entry);
        routes.push(entry);
      }
      for (const m of Array.isArray(method) ? method : [method]) entry.methods.add(m);
    },
    allowed(path) {
      const out = new Set<string>();
      for (const r of routes) if (r.re.test(path)) for (const m of r.methods) out.add(m);
      return [...out].sort();
    },
  };
}
