// What a module gives the composition root. Plain data and functions: app.ts reads them top to bottom.
import type { MigrationSource } from './db/migrate.ts';
import type { Subscriber } from './events/subscriber.ts';
import type { GraphqlPiece } from './graphql/piece.ts';
import type { ReadinessCheck } from './http/health.ts';
import type { App } from './http/server.ts';
import type { QueuedJob, ScheduledJob } from './jobs/job.ts';

export interface ModuleDefinition {
  name: string;
  migrations?: MigrationSource;
  registerRoutes?: (http: App) => void;
  /** The module's part of the GraphQL schema (`<m>.graphql.ts`); app.ts assembles them at /graphql. */
  graphql?: GraphqlPiece;
  subscribers?: Subscriber[];
  jobs?: ScheduledJob[];
  /** Handlers for one-off jobs the module enqueues with `enqueueJob(tx, { name, payload })`. */
  queuedJobs?: QueuedJob[];
  readinessChecks?: ReadinessCheck[];
  /** Called once on shutdown, before the kernel closes. */
  stop?: () => Promise<void>;
}
