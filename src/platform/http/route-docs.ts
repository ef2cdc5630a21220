// Completes each route's OpenAPI description from what the platform knows about it, so every status the
// platform itself can answer is declared and every operation has a stable operationId:
// - the standard problems (400, 413, 415, 429, 500) on every route;
// - the security requirement from config.access: `[]` on public routes, the customers' scheme on customer routes,
//   the staff and API-key schemes (with the permission as the scope) on permission routes, any of the three on
//   routes open to every signed-in caller, and on routes whose credentials are optional the empty requirement
//   `{}` first, then the customers' scheme (and the staff and API-key schemes with the route's permission, if it
//   names one) (schemes in openapi-contract.ts);
// - 401 on routes that need or read credentials, 403 on routes that need a role or a permission;
// - 404 and 414 on routes with path parameters (an unknown id, an id longer than the router accepts);
// - operationId from the method and path (`GET /v1/carts/:cartId/items` → `getCartsByCartIdItems`) unless the
//   route names its own.
import type { RouteOptions } from 'fastify';
import type { Access } from './auth.ts';
import { problemResponse, STANDARD_PROBLEMS } from './problem.ts';

const capitalise = (s: string) => (s ? s[0]?.toUpperCase() + s.slice(1) : s);
const camel = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w : capitalise(w)))
    .join('');

/** A stable, unique operationId from the method and the route pattern (the version prefix left out). */
export function operationIdOf(method: string, url: string): string {
  const parts = url
    .split('/')
    .filter((seg) => seg && !/^v\d+$/.test(seg))
    .map((seg) => (seg.startsWith(':') ? `By${capitalise(camel(seg.slice(1)))}` : capitalise(camel(seg))));
  return `${method.toLowerCase()}${parts.join('')}`;
}

type SecurityRequirement = Record<string, string[]>;

/** The OpenAPI security requirement of an access rule (alternatives: any one of them suffices). */
export function securityOf(rule: Access | undefined): SecurityRequirement[] {
  switch (rule?.kind ?? 'public') {
    case 'public':
      return [];
    case 'customer':
      return [{ customerBearer: [] }];
    case 'authenticated':
      return [{ customerBearer: [] }, { staffBearer: [] }, { apiKey: [] }];
    case 'optional': {
      // `{}`: no credentials at all is one of the alternatives (OpenAPI 3.1's optional security).
      const permission = (rule as { permission?: string }).permission;
      const staff: SecurityRequirement[] = permission ? [{ staffBearer: [permission] }, { apiKey: [permission] }] : [];
      return [{}, { customerBearer: [] }, ...staff];
    }
    default: {
      const permission = (rule as { permission: string }).permission;
      return [{ staffBearer: [permission] }, { apiKey: [permission] }];
    }
  }
}

export function documentRoute(route: RouteOptions): void {
  if (route.schema?.hide) return;
  route.schema = route.schema ?? {};
  if (!route.schema.operationId && typeof route.method === 'string') {
    route.schema.operationId = operationIdOf(route.method, route.url);
  }
  route.schema.response = route.schema.response ?? {};
  const response = route.schema.response as Record<string, unknown>;
  const declare = (status: string, description: string) => {
    if (!(status in response)) response[status] = problemResponse(description);
  };
  for (const [status, description] of Object.entries(STANDARD_PROBLEMS)) declare(status, description);
  const rule = (route.config as { access?: Access } | undefined)?.access;
  route.schema.security ??= securityOf(rule);
  if (rule?.kind === 'optional') {
    declare('401', 'Credentials were sent but are invalid, expired or revoked (sending none is fine)');
  } else if (rule && rule.kind !== 'public') {
    declare('401', 'Credentials are missing, invalid or expired');
    if (rule.kind !== 'authenticated') {
      declare('403', rule.kind === 'permission' ? `Needs the permission ${rule.permission}` : 'Only customers');
    }
  }
  if (route.url.includes('/:')) {
    declare('404', 'No such resource (or not yours)');
    declare('414', 'A path parameter is longer than the server accepts');
  }
}
