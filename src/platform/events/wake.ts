// A process-local wake-up: appendEvents fires it right after its transaction commits, so the
// relay in this process delivers at once instead of waiting for its next poll. Relays in other
// processes rely on polling (the safety net).
type Listener = () => void;

const listeners = new Set<Listener>();

export function onOutboxAppended(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function notifyOutboxAppended(): void {
  for (const l of listeners) l();
}
