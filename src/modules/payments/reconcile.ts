// Reconciliation: compare our payments with the provider's for a time window, repair safe drifts
// (a missed webhook: the provider is ahead along the state machine) and report everything else.
import { sql } from 'kysely';
import type { Ctx } from '../../platform/context.ts';
import type { Db } from '../../platform/db/db.ts';
import { typed } from '../../platform/db/typed.ts';
import { newId } from '../../platform/ids.ts';
import type { Payment } from './contract.ts';
import type { PaymentsDb } from './db.generated.ts';
import * as repo from './payments.repo.ts';
import type { PaymentsService } from './payments.service.ts';
import type { PaymentProvider, ProviderPayment } from './provider.ts';
import { planSync } from './state.ts';

export type DriftKind =
  | 'status_conflict'
  | 'missing_at_provider'
  | 'unknown_at_ours'
  | 'captured_amount_mismatch'
  | 'refunded_amount_mismatch'
  | 'provider_unreachable';

export interface Drift {
  kind: DriftKind;
  paymentId: string | null;
  providerPaymentId: string | null;
  ourStatus: string | null;
  providerStatus: string | null;
  detail: string;
}

export interface ReconciliationReport {
  id: string;
  windowFrom: string;
  windowTo: string;
  checked: number;
  repaired: { paymentId: string; from: string; to: string }[];
  drifts: Drift[];
  createdAt: string;
}

/** Provider payments are listed with this much slack around the window (clock skew, slow creates). */
const SLACK_MS = 5 * 60_000;

export function createReconciler(deps: {
  db: Db;
  provider: PaymentProvider;
  service: PaymentsService;
  onReport?: (r: ReconciliationReport) => void;
}) {
  const { db, provider, service } = deps;

  async function reconcile(ctx: Ctx, window: { from: Date; to: Date }): Promise<ReconciliationReport> {
    const ours = await repo.listCreatedBetween(db.k, window.from, window.to);
    const theirs = await provider.list(
      new Date(window.from.getTime() - SLACK_MS),
      new Date(window.to.getTime() + SLACK_MS),
    );
    const byId = new Map(theirs.map((t) => [t.id, t]));
    const byOurs = new Map(theirs.filter((t) => t.paymentId).map((t) => [t.paymentId as string, t]));
    const matched = new Set<string>();
    const repaired: ReconciliationReport['repaired'] = [];
    const drifts: Drift[] = [];
    const drift = (kind: DriftKind, p: Payment | null, pp: ProviderPayment | null, detail: string) =>
      drifts.push({
        kind,
        paymentId: p?.id ?? null,
        providerPaymentId: pp?.id ?? p?.providerPaymentId ?? null,
        ourStatus: p?.status ?? null,
        providerStatus: pp?.status ?? null,
        detail,
      });

    for (const p of ours) {
      let pp = (p.providerPaymentId ? byId.get(p.providerPaymentId) : undefined) ?? byOurs.get(p.id);
      if (!pp && p.providerPaymentId) {
        try {
          pp = await provider.retrieve(p.providerPaymentId);
        } catch {
          drift('provider_unreachable', p, null, 'could not retrieve the payment from the provider');
          continue;
        }
      }
      if (!pp) {
        if (p.status !== 'pending' && p.status !== 'voided' && p.status !== 'failed') {
          drift('missing_at_provider', p, null, `ours is ${p.status} but the provider has no such payment`);
        }
        continue;
      }
      matched.add(pp.id);
      const decision = planSync(p.status, pp);
      let current = p;
      if (decision.kind === 'transition') {
        const r = await service.sync(ctx, p.id, pp);
        if (r.applied) repaired.push({ paymentId: p.id, from: p.status, to: r.payment.status });
        current = r.payment;
      } else if (decision.kind === 'conflict') {
        // We voided it but the provider holds an authorization (it came after we gave up): void it there.
        const released = await service.releaseHold(p, pp).catch(() => undefined);
        if (released?.status === 'voided') {
          repaired.push({ paymentId: p.id, from: `provider:${pp.status}`, to: 'voided' });
          continue;
        }
        drift('status_conflict', p, pp, decision.detail);
        continue;
      }
      if (['captured', 'partially_refunded', 'refunded'].includes(current.status)) {
        if (pp.capturedAmount !== current.capturedAmount) {
          drift(
            'captured_amount_mismatch',
            current,
            pp,
            `ours ${current.capturedAmount}, provider ${pp.capturedAmount}`,
          );
        }
        if (pp.refundedAmount !== current.refundedAmount) {
          drift(
            'refunded_amount_mismatch',
            current,
            pp,
            `ours ${current.refundedAmount}, provider ${pp.refundedAmount}`,
          );
        }
      }
    }
    for (const t of theirs) {
      const inWindow = t.createdAt >= window.from && t.createdAt < window.to;
      if (!matched.has(t.id) && inWindow && !ours.some((p) => p.providerPaymentId === t.id)) {
        const known = t.paymentId ? await repo.findPayment(db.k, t.paymentId) : undefined;
        if (!known) drift('unknown_at_ours', null, t, `the provider has a payment (${t.status}) we have no record of`);
      }
    }
    const report: ReconciliationReport = {
      id: newId('rec'),
      windowFrom: window.from.toISOString(),
      windowTo: window.to.toISOString(),
      checked: ours.length,
      repaired,
      drifts,
      createdAt: new Date().toISOString(),
    };
    await typed<PaymentsDb>(db.k)
      .insertInto('payments.reconciliation_runs')
      .values({
        id: report.id,
        window_from: window.from,
        window_to: window.to,
        checked: report.checked,
        repaired: JSON.stringify(repaired),
        drifts: JSON.stringify(drifts),
        created_at: report.createdAt,
      })
      .execute();
    deps.onReport?.(report);
    return report;
  }

  async function latestReports(limit: number): Promise<ReconciliationReport[]> {
    const rows = await typed<PaymentsDb>(db.k)
      .selectFrom('payments.reconciliation_runs')
      .selectAll()
      .orderBy(sql`created_at desc, id desc`)
      .limit(limit)
      .execute();
    return rows.map((r) => ({
      id: r.id,
      windowFrom: new Date(r.window_from).toISOString(),
      windowTo: new Date(r.window_to).toISOString(),
      checked: r.checked,
      repaired: typeof r.repaired === 'string' ? JSON.parse(r.repaired) : r.repaired,
      drifts: typeof r.drifts === 'string' ? JSON.parse(r.drifts) : r.drifts,
      createdAt: new Date(r.created_at).toISOString(),
    }));
  }

  return { reconcile, latestReports };
}
