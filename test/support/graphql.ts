// GraphQL test helper: one POST /graphql through app.inject(), the HTTP status and the parsed body.
import type { TestApp } from './create-test-app.ts';

export interface GraphqlAnswer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary selections from the answer.
  body: { data?: any; errors?: { message: string; path?: (string | number)[]; extensions: Record<string, any> }[] };
}

export async function graphql(
  t: TestApp,
  query: string,
  variables?: Record<string, unknown>,
  headers: Record<string, string> = {},
): Promise<GraphqlAnswer> {
  const res = await t.http.inject({
    method: 'POST',
    url: '/graphql',
    headers,
    payload: { query, ...(variables ? { variables } : {}) },
  });
  return { status: res.statusCode, body: res.json() };
}
