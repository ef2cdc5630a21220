// English strings of every message (see strings.ts for how they are rendered).
import type { LocaleStrings } from './strings.ts';

export const en: LocaleStrings = {
  common: {
    greeting: 'Hello,',
    greetingNamed: 'Hello {{name}},',
    signature: 'Kind regards, the {{shop.name}} team',
    item: 'Item',
    quantity: 'Qty',
    amount: 'Amount',
    subtotal: 'Subtotal',
    discount: 'Discount',
    shipping: 'Shipping',
    tax: 'Included tax',
    total: 'Total',
    shipTo: 'Shipping to',
    orderLink: 'View your order',
    footer: 'You receive this email because of your account or order at {{shop.name}}.',
  },
  kinds: {
    order_confirmation: {
      subject: 'Order {{orderNumber}} confirmed – {{shop.name}}',
      heading: 'Thank you for your order',
      intro: 'We have received your order {{orderNumber}} and will let you know as soon as it ships.',
    },
    payment_failed: {
      subject: 'Payment for order {{orderNumber}} failed – {{shop.name}}',
      heading: 'Your payment did not go through',
      intro:
        'The payment of {{money totals.total}} for order {{orderNumber}} was declined. Please check your payment details or choose another payment method.',
    },
    payment_action_required: {
      subject: 'Please confirm the payment for order {{orderNumber}} – {{shop.name}}',
      heading: 'Your payment needs your confirmation',
      intro: 'Your bank asks you to confirm the payment of {{money totals.total}} for order {{orderNumber}}.',
      button: 'Confirm the payment',
    },
    order_shipped: {
      subject: 'Order {{orderNumber}} is on its way – {{shop.name}}',
      heading: 'Your order is on its way',
      intro: 'Good news: we have shipped your order {{orderNumber}}.',
      carrier: 'Carrier: {{carrier}}',
      tracking: 'Tracking number: {{trackingNumber}}',
      shipped: 'In this parcel',
    },
    order_delivered: {
      subject: 'Order {{orderNumber}} was delivered – {{shop.name}}',
      heading: 'Your order has arrived',
      intro: 'Your order {{orderNumber}} has been delivered. We hope you enjoy it!',
    },
    order_cancelled: {
      subject: 'Order {{orderNumber}} was cancelled – {{shop.name}}',
      heading: 'Your order was cancelled',
      intro:
        'Your order {{orderNumber}} has been cancelled. Any amount already charged is refunded to your original payment method.',
    },
    order_refunded: {
      subject: 'Refund for order {{orderNumber}} – {{shop.name}}',
      heading: 'Your order was refunded',
      intro: 'We have refunded your order {{orderNumber}} in full to your original payment method.',
    },
    order_partially_refunded: {
      subject: 'Partial refund for order {{orderNumber}} – {{shop.name}}',
      heading: 'Part of your order was refunded',
      intro: 'We have refunded part of your order {{orderNumber}} to your original payment method.',
    },
    return_requested: {
      subject: 'Your return for order {{orderNumber}} – {{shop.name}}',
      heading: 'We have registered your return',
      intro:
        'We have registered your return for order {{orderNumber}}. Please send the items back; we will let you know when they arrive.',
      returned: 'Items to return',
    },
    return_received: {
      subject: 'Your return for order {{orderNumber}} has arrived – {{shop.name}}',
      heading: 'Your return has arrived',
      intro: 'The items you returned from order {{orderNumber}} have arrived.',
      refund: 'We are refunding {{money refund}} to your original payment method.',
    },
    password_reset: {
      subject: 'Reset your password – {{shop.name}}',
      heading: 'Reset your password',
      intro:
        'Someone, hopefully you, asked to reset the password of your account. The link below lets you choose a new one; it is valid until {{date expiresAt}}.',
      ignore: 'If you did not ask for this, ignore this email: your password stays as it is.',
      button: 'Choose a new password',
    },
    email_verification: {
      subject: 'Confirm your email address – {{shop.name}}',
      heading: 'Confirm your email address',
      intro:
        'Please confirm your email address to finish setting up your account. The link is valid until {{date expiresAt}}.',
      button: 'Confirm my email address',
    },
    welcome: {
      subject: 'Welcome to {{shop.name}}',
      heading: 'Welcome!',
      intro: 'Your account at {{shop.name}} is ready. Your orders, addresses and returns are all in one place.',
      button: 'Visit the shop',
    },
    stock_low: {
      subject: 'Low stock: {{variantId}} – {{shop.name}}',
      heading: 'Stock is running low',
      intro: 'Variant {{variantId}} is down to {{available}} available units (threshold: {{threshold}}).',
    },
    webhook_endpoint_disabled: {
      subject: 'Webhook endpoint disabled after {{failures}} failures – {{shop.name}}',
      heading: 'A webhook endpoint was disabled',
      intro:
        'The endpoint {{url}} ({{endpointId}}) was disabled after {{failures}} failed deliveries in a row. Fix it, then enable it again.',
    },
  },
};
