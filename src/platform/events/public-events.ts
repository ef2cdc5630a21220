// A public event type: one that integrators may subscribe to (outbound webhooks) and that the event catalog
// documents. Each module lists its own in events.ts (`<MODULE>_PUBLIC_EVENTS`), with the JSON Schema of the payload
// it appends; a test checks that the payloads written during real flows match these schemas.
import type { TSchema } from 'typebox';

export interface PublicEventType {
  /** `<module>.<entity>.<past-tense>`, as in the outbox. */
  type: string;
  /** One sentence: what happened. */
  description: string;
  /** The JSON Schema (TypeBox) of the payload, exactly as appended; no personal data in clear. */
  payload: TSchema;
}
