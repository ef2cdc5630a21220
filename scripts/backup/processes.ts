// Running the PostgreSQL client tools and tar: arguments as an array (no shell), the password only in the child's
// environment (never on a command line that `ps` shows, never in our output).
import { spawn } from 'node:child_process';
import { BackupError } from './manifest.ts';

export interface Connection {
  /** The URL without its password: safe for argv and messages. */
  url: string;
  /** PGPASSWORD for the child, when the URL carried one. */
  env: NodeJS.ProcessEnv;
  /** Removes the password from any text (tool messages may echo parts of a connection string). */
  redact(text: string): string;
}

export function connectionOf(rawUrl: string): Connection {
  let u: URL;
  try {
    u = new URL(rawUrl);
  } catch {
    throw new BackupError('the database URL is not a valid postgres:// URL', 2);
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') {
    throw new BackupError('the database URL must start with postgres:// or postgresql://', 2);
  }
  const password = u.password ? decodeURIComponent(u.password) : '';
  u.password = '';
  const redact = (text: string) =>
    password ? text.split(password).join('***').split(encodeURIComponent(password)).join('***') : text;
  return {
    url: u.toString(),
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
    redact,
  };
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a tool to its end; a missing tool is a clear error, not a stack trace. */
export function run(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      if (stdout.length < 1_000_000) stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      if (stderr.length < 1_000_000) stderr += d.toString();
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      reject(
        e.code === 'ENOENT'
          ? new BackupError(
              `${command} not found on PATH: install it (PostgreSQL client tools of the server's major version or newer)`,
            )
          : e,
      );
    });
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

/** `pg_dump (PostgreSQL) 15.20` → `15.20`. */
export async function toolVersion(command: string): Promise<string> {
  const r = await run(command, ['--version']);
  return /\d+(\.\d+)*/.exec(r.stdout)?.[0] ?? r.stdout.trim();
}
