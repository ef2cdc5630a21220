// Sample data for the template preview (GET /v1/admin/notifications/templates/{kind}/preview) and the golden tests:
// what a real message of each kind carries, with made-up values.
import type { ShopConfig } from '../../platform/config-messaging.ts';
import type { MessageKind } from './kinds.ts';

const eur = (amount: number) => ({ amount, currency: 'EUR' });

export function sampleParams(kind: MessageKind, shop: Pick<ShopConfig, 'url'>): Record<string, unknown> {
  const order = {
    orderId: 'ord_01sample0000000000000000000',
    orderNumber: '100042',
    name: 'Ada Lovelace',
    items: [
      { name: 'Enamel mug', quantity: 2, lineTotal: eur(2400) },
      { name: 'Linen tea towel', quantity: 1, lineTotal: eur(1450) },
    ],
    totals: { subtotal: eur(3850), discount: eur(385), shipping: eur(495), tax: eur(632), total: eur(3960) },
    shippingAddress: {
      name: 'Ada Lovelace',
      line1: 'Main Street 1',
      line2: null,
      city: 'Berlin',
      region: null,
      postalCode: '10115',
      country: 'DE',
    },
    link: `${shop.url}/orders/ord_01sample0000000000000000000`,
  };
  const account = { name: 'Ada Lovelace', expiresAt: '2030-01-15T10:30:00.000Z' };
  switch (kind) {
    case 'order_shipped':
      return {
        ...order,
        carrier: 'DHL',
        trackingNumber: '00340434161094042557',
        list: [{ name: 'Enamel mug', quantity: 2 }],
      };
    case 'return_requested':
      return { ...order, list: [{ name: 'Linen tea towel', quantity: 1 }] };
    case 'return_received':
      return { ...order, refund: eur(1450) };
    case 'payment_action_required':
      return { ...order, actionUrl: 'https://psp.example/3ds/challenge/abc123' };
    case 'password_reset':
      return { ...account, link: `${shop.url}/reset-password?token=pr_sampletoken` };
    case 'email_verification':
      return { ...account, link: `${shop.url}/verify-email?token=ev_sampletoken` };
    case 'welcome':
      return { name: 'Ada Lovelace', link: shop.url };
    case 'stock_low':
      return { variantId: 'var_01sample0000000000000000000', available: 3, threshold: 5 };
    case 'webhook_endpoint_disabled':
      return { endpointId: 'whe_01sample000000000000000000', url: 'https://hooks.example/emporium', failures: 50 };
    default:
      return order;
  }
}
