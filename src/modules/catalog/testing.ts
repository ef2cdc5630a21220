// A FAKE of inventory's batch availability contract, for tests and for running without the
// inventory module. It is not inventory: it answers from a map the test controls.
import type { AvailabilityPort } from './contract.ts';

export interface FakeAvailability {
  port: AvailabilityPort;
  /** Sets the available quantity of a variant (inStock = available > 0). */
  set(variantId: string, available: number): void;
  calls: number;
}

export function createFakeAvailability(defaultAvailable = 0): FakeAvailability {
  const stock = new Map<string, number>();
  const fake: FakeAvailability = {
    calls: 0,
    set(variantId, available) {
      stock.set(variantId, available);
    },
    async port(variantIds) {
      fake.calls++;
      return new Map(
        variantIds.map((id) => {
          const available = stock.get(id) ?? defaultAvailable;
          return [id, { available, inStock: available > 0 }];
        }),
      );
    },
  };
  return fake;
}
