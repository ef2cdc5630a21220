// What the dashboard takes from the server stays the server's: its API types are generated from the OpenAPI document
// the server builds (stale types fail here, like db:types:check), and its copy of the role → permission table (used to
// hide what a role may not do) is the identity module's.
import { describe, expect, it } from 'vitest';
import { buildOpenApiDocument, currentSchema, schemaSource } from '../../admin/scripts/api-schema.ts';
import { ROLE_PERMISSIONS as ADMIN_ROLE_PERMISSIONS } from '../../admin/src/lib/permissions.ts';
import { ROLE_PERMISSIONS } from '../../src/modules/identity/permissions.ts';

describe('the dashboard follows the API [REQ-ADM-014]', () => {
  it('[REQ-ADM-014] admin/src/api/schema.d.ts is what openapi-typescript makes of /openapi.json now (else: npm run admin:api)', async () => {
    const generated = await schemaSource(await buildOpenApiDocument());
    expect(generated.length).toBeGreaterThan(10_000);
    expect(currentSchema() === generated, 'admin/src/api/schema.d.ts is stale: run npm run admin:api').toBe(true);
  });

  it("[REQ-ADM-014] the dashboard's role → permission table is the identity module's", () => {
    expect(ADMIN_ROLE_PERMISSIONS).toEqual(ROLE_PERMISSIONS);
  });
});
