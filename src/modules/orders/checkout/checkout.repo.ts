// SQL for checkout attempts. Every state change is a conditional update guarded by the owner of the lease.
import { type RawBuilder, sql } from 'kysely';
import type { Row } from '../../../platform/db/typed.ts';
import type { CheckoutSnapshot } from '../contract.ts';
import type { OrdersCheckoutAttempts } from '../db.generated.ts';
import { ordersTables, type Q } from '../lifecycle/orders.repo.ts';
import { FIELDS, type OrdersPrivacy } from '../personal.ts';

export type AttemptStatus = 'running' | 'waiting' | 'compensating' | 'placed' | 'failed';
export type Step = 'reserved' | 'redeemed' | 'authorized' | 'placed';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface Attempt {
  id: string;
  cartId: string;
  idempotencyKey: string;
  status: AttemptStatus;
  steps: Step[];
  claimedBy: string | null;
  leaseExpired: boolean;
  /** Milliseconds left on the lease (0 once expired). */
  leaseLeftMs: number;
  deadlinePassed: boolean;
  expiresAt: Date;
  /** Null once the customer was erased (its data key is gone): the attempt can only be compensated. */
  snapshot: CheckoutSnapshot | null;
  paymentToken: string | null;
  /** The data key subject its snapshot and answer are sealed under. */
  subject: string | null;
  callerHash: string;
  /** What the key was first sent with (checkout.request.ts); null on attempts written before it was stored. */
  requestHash: string | null;
  paymentId: string | null;
  nextActionUrl: string | null;
  answer: Answer | null;
}

/** The columns COLUMNS reads: the attempt's own, and its lease and deadline as seen at the database's `now()`. */
type AttemptRow = Pick<
  Row<OrdersCheckoutAttempts, { status: AttemptStatus; steps: Step[] }>,
  | 'id'
  | 'cart_id'
  | 'idempotency_key'
  | 'status'
  | 'steps'
  | 'claimed_by'
  | 'caller_hash'
  | 'request_hash'
  | 'expires_at'
  | 'snapshot'
  | 'payment_token'
  | 'payment_id'
  | 'next_action_url'
  | 'answer_status'
  | 'answer'
  | 'snapshot_sealed'
  | 'payment_token_sealed'
  | 'answer_sealed'
  | 'data_subject'
> & { lease_expired: boolean; lease_left_ms: number; deadline_passed: boolean };

const COLUMNS = sql`id, cart_id, idempotency_key, status, steps, claimed_by, claimed_until <= now() as lease_expired,
  greatest(0, ceil(extract(epoch from claimed_until - now()) * 1000))::int as lease_left_ms,
  expires_at <= now() as deadline_passed, caller_hash, request_hash, expires_at, snapshot, payment_token, payment_id,
  next_action_url, answer_status, answer, snapshot_sealed, payment_token_sealed, answer_sealed, data_subject`;

/** `now()` plus `ms` milliseconds (a lease's or a deadline's end). */
const inMs = (ms: number) => sql<Date>`now() + ${ms} * interval '1 millisecond'`;
const attempts = (q: Q) => ordersTables(q).updateTable('orders.checkout_attempts');
const changedOne = (r: { numUpdatedRows: bigint }) => Number(r.numUpdatedRows) === 1;

const json = (v: unknown) => (typeof v === 'string' ? JSON.parse(v) : v);
type Opener = OrdersPrivacy['dataKeys'];

/** The stored answer: a placed one's body is sealed (its number beside it); a problem answer is plaintext. */
async function answerOf(keys: Opener, r: AttemptRow, via: Q): Promise<Answer | null> {
  if (r.answer_status === null) return null;
  const plain = (json(r.answer) ?? {}) as Record<string, unknown>;
  if (!r.answer_sealed) return { status: r.answer_status, body: plain };
  const body = await keys.openJson<Record<string, unknown>>(FIELDS.answer, r.answer_sealed, via);
  return { status: r.answer_status, body: { ...(body ?? { id: r.id, customerErased: true }), ...plain } };
}

// `via`: the executor the row was read with — a key not in memory is read through it (inside a transaction on PGlite,
// whose one connection the transaction holds, any other statement would wait forever).
async function toAttempt(keys: Opener, r: AttemptRow, via: Q): Promise<Attempt> {
  return {
    id: r.id,
    cartId: r.cart_id,
    idempotencyKey: r.idempotency_key,
    status: r.status,
    steps: r.steps,
    claimedBy: r.claimed_by,
    leaseExpired: r.lease_expired,
    leaseLeftMs: Number(r.lease_left_ms),
    deadlinePassed: r.deadline_passed,
    expiresAt: new Date(r.expires_at),
    // Rows older than sealing carry the plaintext columns.
    snapshot: r.snapshot_sealed
      ? await keys.openJson<CheckoutSnapshot>(FIELDS.snapshot, r.snapshot_sealed, via)
      : (json(r.snapshot) ?? null),
    paymentToken: r.payment_token_sealed
      ? await keys.open(FIELDS.paymentToken, r.payment_token_sealed, via)
      : r.payment_token,
    subject: r.data_subject,
    callerHash: r.caller_hash,
    requestHash: r.request_hash,
    paymentId: r.payment_id,
    nextActionUrl: r.next_action_url,
    answer: await answerOf(keys, r, via),
  };
}

/** The holder's heartbeat: extends a lease it still holds; false once it lost it or the attempt moved on. */
export async function renewLease(q: Q, id: string, owner: string, leaseMs: number): Promise<boolean> {
  const r = await attempts(q)
    .set({ claimed_until: inMs(leaseMs) })
    .where('id', '=', id)
    .where('claimed_by', '=', owner)
    .where('status', 'in', ['running', 'compensating'])
    .where('claimed_until', '>', sql<Date>`now()`)
    .executeTakeFirstOrThrow();
  return changedOne(r);
}

/** The attempts' SQL; `keys` opens the sealed snapshot, payment token and answer of the rows it reads. */
export function createAttemptsRepo(keys: Opener) {
  async function one(q: Q, query: RawBuilder<AttemptRow>): Promise<Attempt | undefined> {
    const r = await query.execute(q);
    const row = r.rows[0];
    return row ? toAttempt(keys, row, q) : undefined;
  }
  return {
    /**
     * Inserts a running attempt (this request holds its lease). `onlyIfKeyUnused`: only when no attempt with this key
     * exists but a failed one that may be retried (5xx) — the common first request, without looking up first.
     */
    async insert(
      q: Q,
      a: {
        id: string;
        cartId: string;
        key: string;
        owner: string;
        leaseMs: number;
        deadlineMs: number;
        /** The snapshot and the payment token, sealed under `subject`'s data key. */
        snapshotSealed: string;
        tokenSealed: string;
        subject: string;
        callerHash: string;
        requestHash: string;
      },
      onlyIfKeyUnused = false,
    ): Promise<Attempt | undefined> {
      const unused = onlyIfKeyUnused
        ? sql`where not exists (select 1 from orders.checkout_attempts k where k.cart_id = ${a.cartId}
          and k.idempotency_key = ${a.key} and not (k.status = 'failed' and k.answer_status >= 500))`
        : sql``;
      return one(
        q,
        sql<AttemptRow>`insert into orders.checkout_attempts
        (id, cart_id, idempotency_key, status, claimed_by, claimed_until, expires_at, snapshot_sealed,
          payment_token_sealed, data_subject, caller_hash, request_hash)
        select ${a.id}, ${a.cartId}, ${a.key}, 'running', ${a.owner}, now() + ${a.leaseMs} * interval '1 millisecond',
          now() + ${a.deadlineMs} * interval '1 millisecond', ${a.snapshotSealed}, ${a.tokenSealed}, ${a.subject},
          ${a.callerHash}, ${a.requestHash}
        ${unused}
        on conflict (cart_id) where status <> 'failed' do nothing
        returning ${COLUMNS}`,
      );
    },
    get: (q: Q, id: string) =>
      one(q, sql<AttemptRow>`select ${COLUMNS} from orders.checkout_attempts where id = ${id}`),
    byKey: (q: Q, cartId: string, key: string) =>
      one(
        q,
        sql<AttemptRow>`select ${COLUMNS} from orders.checkout_attempts where cart_id = ${cartId} and idempotency_key = ${key}
        order by created_at desc, id desc limit 1`,
      ),
    liveByCart: (q: Q, cartId: string) =>
      one(
        q,
        sql<AttemptRow>`select ${COLUMNS} from orders.checkout_attempts where cart_id = ${cartId} and status <> 'failed'`,
      ),
    /** Takes the lease: a running/compensating attempt whose lease expired, or a waiting one. */
    claim: (q: Q, id: string, owner: string, from: AttemptStatus[], to: AttemptStatus, leaseMs: number) =>
      one(
        q,
        sql<AttemptRow>`update orders.checkout_attempts set claimed_by = ${owner}, status = ${to},
          claimed_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
        where id = ${id} and status = any(${from}::text[])
          and (status = 'waiting' or claimed_until <= now() or claimed_by = ${owner})
        returning ${COLUMNS}`,
      ),
    /** Records a completed step and extends the lease; false when the lease was lost. */
    async step(q: Q, id: string, owner: string, step: Step, leaseMs: number): Promise<boolean> {
      const r = await sql`update orders.checkout_attempts set steps = array_append(steps, ${step}),
        claimed_until = now() + ${leaseMs} * interval '1 millisecond', updated_at = now()
      where id = ${id} and claimed_by = ${owner} and status = 'running' and not (${step} = any(steps))`.execute(q);
      return Number(r.numAffectedRows ?? 0) === 1;
    },
    renew: renewLease,
    async wait(q: Q, id: string, owner: string, paymentId: string, nextActionUrl: string | null): Promise<boolean> {
      const r = await attempts(q)
        .set({
          status: 'waiting',
          payment_id: paymentId,
          next_action_url: nextActionUrl,
          claimed_by: null,
          claimed_until: sql`now()`,
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .where('status', '=', 'running')
        .executeTakeFirstOrThrow();
      return changedOne(r);
    },
    async compensating(q: Q, id: string, owner: string, leaseMs: number): Promise<boolean> {
      const r = await attempts(q)
        .set({ status: 'compensating', claimed_until: inMs(leaseMs), updated_at: sql`now()` })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .where('status', 'in', ['running', 'compensating'])
        .executeTakeFirstOrThrow();
      return changedOne(r);
    },
    async fail(q: Q, id: string, owner: string, answer: Answer): Promise<boolean> {
      const r = await attempts(q)
        .set({
          status: 'failed',
          answer_status: answer.status,
          answer: JSON.stringify(answer.body),
          claimed_by: null,
          claimed_until: sql`now()`,
          updated_at: sql`now()`,
        })
        .where('id', '=', id)
        .where('claimed_by', '=', owner)
        .where('status', '=', 'compensating')
        .executeTakeFirstOrThrow();
      return changedOne(r);
    },
  };
}

export type AttemptsRepo = ReturnType<typeof createAttemptsRepo>;

/**
 * Attempts the sweeper must handle: compensating ones whose lease expired; running ones whose lease expired more
 * than `graceMs` ago (until then a retrying client takes them over and keeps their authorization); waiting ones
 * past the deadline.
 */
export async function dueAttempts(q: Q, limit: number, graceMs: number): Promise<Pick<AttemptRow, 'id' | 'status'>[]> {
  const r = await sql<Pick<AttemptRow, 'id' | 'status'>>`select id, status from orders.checkout_attempts
    where (status = 'compensating' and claimed_until <= now())
       or (status = 'running' and claimed_until <= now() - ${graceMs} * interval '1 millisecond')
       or (status = 'waiting' and expires_at <= now())
    order by updated_at limit ${limit}`.execute(q);
  return r.rows;
}
