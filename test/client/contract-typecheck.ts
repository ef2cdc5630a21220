// Generates TypeScript types from a running server's /openapi.json with openapi-typescript, then typechecks
// the client program in ./.program against them with the project's own tsc, strict, in a child process.
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, '..', '..');

/** The client program: what a developer outside the project writes against the generated types. */
export const programDir = join(here, '.program');
export const programFiles = ['storefront-client.ts', 'contract-probes.ts'];

export interface GeneratedTypes {
  dir: string;
  /** The generated `paths`/`components`/`operations` source. */
  source: string;
  dispose(): Promise<void>;
}

/** GET /openapi.json over HTTP, then openapi-typescript's programmatic API into <tmp>/generated/openapi.ts. */
export async function generateTypes(baseUrl: string): Promise<GeneratedTypes> {
  const res = await fetch(`${baseUrl}/openapi.json`);
  if (res.status !== 200) throw new Error(`GET /openapi.json: HTTP ${res.status}`);
  if (!res.headers.get('content-type')?.startsWith('application/json')) {
    throw new Error(`GET /openapi.json: content-type ${res.headers.get('content-type')}`);
  }
  // openapi-typescript reads the JSON text as it came over the wire, and validates it (Redocly) first.
  const source = astToString(await openapiTS(await res.text(), { silent: true }));
  const dir = await mkdtemp(join(tmpdir(), 'emporium-client-'));
  await mkdir(join(dir, 'generated'));
  await writeFile(join(dir, 'generated', 'openapi.ts'), source);
  return { dir, source, dispose: () => rm(dir, { recursive: true, force: true }) };
}

export interface TypecheckResult {
  exitCode: number;
  /** tsc's diagnostics, one per line (empty when clean). */
  output: string;
}

/**
 * `tsc --strict --noEmit` over the client program, with a tsconfig written next to the generated types. rootDirs
 * joins the program's folder and the temp folder, so the program's `./generated/openapi.ts` import resolves to the
 * types just generated, while `openapi-fetch` resolves from the repository's node_modules.
 */
export async function typecheckProgram(types: GeneratedTypes): Promise<TypecheckResult> {
  const tsconfig = {
    compilerOptions: {
      target: 'ES2023',
      lib: ['ES2023'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      strict: true,
      noEmit: true,
      noUncheckedIndexedAccess: true,
      exactOptionalPropertyTypes: true,
      noImplicitReturns: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      verbatimModuleSyntax: true,
      allowImportingTsExtensions: true,
      isolatedModules: true,
      // The libraries' own declarations (node_modules) are not what is under test; the generated file is.
      skipLibCheck: true,
      types: ['node'],
      typeRoots: [join(repoRoot, 'node_modules', '@types')],
      rootDirs: [programDir, types.dir],
    },
    files: programFiles.map((f) => join(programDir, f)),
  };
  const project = join(types.dir, 'tsconfig.json');
  await writeFile(project, JSON.stringify(tsconfig, null, 2));
  const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
  try {
    const { stdout } = await run(process.execPath, [tsc, '-p', project, '--strict', '--noEmit', '--pretty', 'false']);
    return { exitCode: 0, output: stdout.trim() };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    return { exitCode: failed.code ?? 1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}`.trim() };
  }
}

/**
 * What would let a program compile without the generated types doing the work: `as` casts (except `as const`),
 * `<T>value` assertions, non-null assertions, `any`, and compiler directives. Returns one line per finding.
 */
export function escapeHatches(fileName: string, source: string): string[] {
  const file = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2023, true, ts.ScriptKind.TS);
  const found: string[] = [];
  const at = (node: ts.Node, what: string) => {
    const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
    found.push(`${fileName}:${line + 1} ${what}: ${node.getText(file)}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isAsExpression(node) && !(ts.isTypeReferenceNode(node.type) && node.type.getText(file) === 'const')) {
      at(node, 'cast');
    } else if (ts.isTypeAssertionExpression(node)) at(node, 'cast');
    else if (ts.isNonNullExpression(node)) at(node, 'non-null assertion');
    else if (node.kind === ts.SyntaxKind.AnyKeyword) at(node, 'any');
    ts.forEachChild(node, visit);
  };
  visit(file);
  for (const m of source.matchAll(/@ts-(ignore|expect-error|nocheck)/g)) found.push(`${fileName}: directive ${m[0]}`);
  return found;
}
