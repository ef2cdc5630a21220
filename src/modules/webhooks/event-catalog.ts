// The public event catalog: the event types integrators may subscribe to, each with a description and the JSON
// Schema of its payload. Each producing module lists its own (`<MODULE>_PUBLIC_EVENTS`); identity's token events are
// not among them (their payloads carry sealed tokens).
import type { TSchema } from 'typebox';
import type { PublicEventType } from '../../platform/events/public-events.ts';
import { CATALOG_PUBLIC_EVENTS } from '../catalog/index.ts';
import { IDENTITY_PUBLIC_EVENTS } from '../identity/index.ts';
import { INVENTORY_PUBLIC_EVENTS } from '../inventory/index.ts';
import { ORDER_PUBLIC_EVENTS } from '../orders/index.ts';
import { PAYMENT_PUBLIC_EVENTS } from '../payments/index.ts';

/** Subscribing to `*` delivers every public event type, including ones added later. */
export const ALL_EVENTS = '*';

export interface CatalogEntry {
  type: string;
  description: string;
  schema: TSchema;
}

const sources: readonly (readonly PublicEventType[])[] = [
  CATALOG_PUBLIC_EVENTS,
  IDENTITY_PUBLIC_EVENTS,
  INVENTORY_PUBLIC_EVENTS,
  ORDER_PUBLIC_EVENTS,
  PAYMENT_PUBLIC_EVENTS,
];

/** Every public event type, sorted by type. */
export const EVENT_CATALOG: readonly CatalogEntry[] = sources
  .flat()
  .map((e) => ({ type: e.type, description: e.description, schema: e.payload }))
  .sort((a, b) => a.type.localeCompare(b.type));

export const PUBLIC_EVENT_TYPES: readonly string[] = EVENT_CATALOG.map((e) => e.type);
const known = new Set(PUBLIC_EVENT_TYPES);

/** The requested types that are neither public event types nor `*`. */
export function unknownEventTypes(types: readonly string[]): string[] {
  return types.filter((t) => t !== ALL_EVENTS && !known.has(t));
}
