// German strings of every message (see strings.ts for how they are rendered).
import type { LocaleStrings } from './strings.ts';

export const de: LocaleStrings = {
  common: {
    greeting: 'Hallo,',
    greetingNamed: 'Hallo {{name}},',
    signature: 'Viele Grüße, Ihr Team von {{shop.name}}',
    item: 'Artikel',
    quantity: 'Menge',
    amount: 'Betrag',
    subtotal: 'Zwischensumme',
    discount: 'Rabatt',
    shipping: 'Versand',
    tax: 'Enthaltene MwSt.',
    total: 'Gesamt',
    shipTo: 'Lieferadresse',
    orderLink: 'Bestellung ansehen',
    footer: 'Sie erhalten diese E-Mail wegen Ihres Kontos oder Ihrer Bestellung bei {{shop.name}}.',
  },
  kinds: {
    order_confirmation: {
      subject: 'Bestellung {{orderNumber}} bestätigt – {{shop.name}}',
      heading: 'Vielen Dank für Ihre Bestellung',
      intro: 'Wir haben Ihre Bestellung {{orderNumber}} erhalten und melden uns, sobald sie versandt wird.',
    },
    payment_failed: {
      subject: 'Zahlung für Bestellung {{orderNumber}} fehlgeschlagen – {{shop.name}}',
      heading: 'Ihre Zahlung ist fehlgeschlagen',
      intro:
        'Die Zahlung über {{money totals.total}} für Bestellung {{orderNumber}} wurde abgelehnt. Bitte prüfen Sie Ihre Zahlungsdaten oder wählen Sie eine andere Zahlungsart.',
    },
    payment_action_required: {
      subject: 'Bitte bestätigen Sie die Zahlung für Bestellung {{orderNumber}} – {{shop.name}}',
      heading: 'Ihre Zahlung muss bestätigt werden',
      intro:
        'Ihre Bank bittet Sie, die Zahlung über {{money totals.total}} für Bestellung {{orderNumber}} zu bestätigen.',
      button: 'Zahlung bestätigen',
    },
    order_shipped: {
      subject: 'Bestellung {{orderNumber}} ist unterwegs – {{shop.name}}',
      heading: 'Ihre Bestellung ist unterwegs',
      intro: 'Gute Nachrichten: Wir haben Ihre Bestellung {{orderNumber}} versandt.',
      carrier: 'Versanddienstleister: {{carrier}}',
      tracking: 'Sendungsnummer: {{trackingNumber}}',
      shipped: 'In diesem Paket',
    },
    order_delivered: {
      subject: 'Bestellung {{orderNumber}} wurde zugestellt – {{shop.name}}',
      heading: 'Ihre Bestellung ist angekommen',
      intro: 'Ihre Bestellung {{orderNumber}} wurde zugestellt. Viel Freude damit!',
    },
    order_cancelled: {
      subject: 'Bestellung {{orderNumber}} wurde storniert – {{shop.name}}',
      heading: 'Ihre Bestellung wurde storniert',
      intro:
        'Ihre Bestellung {{orderNumber}} wurde storniert. Bereits belastete Beträge erstatten wir auf Ihr ursprüngliches Zahlungsmittel.',
    },
    order_refunded: {
      subject: 'Erstattung für Bestellung {{orderNumber}} – {{shop.name}}',
      heading: 'Ihre Bestellung wurde erstattet',
      intro: 'Wir haben Ihre Bestellung {{orderNumber}} vollständig auf Ihr ursprüngliches Zahlungsmittel erstattet.',
    },
    order_partially_refunded: {
      subject: 'Teilerstattung für Bestellung {{orderNumber}} – {{shop.name}}',
      heading: 'Ein Teil Ihrer Bestellung wurde erstattet',
      intro: 'Wir haben einen Teil Ihrer Bestellung {{orderNumber}} auf Ihr ursprüngliches Zahlungsmittel erstattet.',
    },
    return_requested: {
      subject: 'Ihre Rücksendung zu Bestellung {{orderNumber}} – {{shop.name}}',
      heading: 'Wir haben Ihre Rücksendung erfasst',
      intro:
        'Wir haben Ihre Rücksendung zu Bestellung {{orderNumber}} erfasst. Bitte schicken Sie die Artikel zurück; wir melden uns, sobald sie angekommen sind.',
      returned: 'Zurückzusendende Artikel',
    },
    return_received: {
      subject: 'Ihre Rücksendung zu Bestellung {{orderNumber}} ist angekommen – {{shop.name}}',
      heading: 'Ihre Rücksendung ist angekommen',
      intro: 'Die zurückgesendeten Artikel aus Bestellung {{orderNumber}} sind bei uns angekommen.',
      refund: 'Wir erstatten {{money refund}} auf Ihr ursprüngliches Zahlungsmittel.',
    },
    password_reset: {
      subject: 'Passwort zurücksetzen – {{shop.name}}',
      heading: 'Passwort zurücksetzen',
      intro:
        'Jemand, hoffentlich Sie, möchte das Passwort Ihres Kontos zurücksetzen. Über den Link unten wählen Sie ein neues; er ist gültig bis {{date expiresAt}}.',
      ignore: 'Wenn Sie das nicht angefordert haben, ignorieren Sie diese E-Mail: Ihr Passwort bleibt unverändert.',
      button: 'Neues Passwort wählen',
    },
    email_verification: {
      subject: 'Bestätigen Sie Ihre E-Mail-Adresse – {{shop.name}}',
      heading: 'Bestätigen Sie Ihre E-Mail-Adresse',
      intro:
        'Bitte bestätigen Sie Ihre E-Mail-Adresse, um Ihr Konto fertig einzurichten. Der Link ist gültig bis {{date expiresAt}}.',
      button: 'E-Mail-Adresse bestätigen',
    },
    welcome: {
      subject: 'Willkommen bei {{shop.name}}',
      heading: 'Willkommen!',
      intro:
        'Ihr Konto bei {{shop.name}} ist bereit. Bestellungen, Adressen und Rücksendungen finden Sie an einem Ort.',
      button: 'Zum Shop',
    },
    stock_low: {
      subject: 'Niedriger Bestand: {{variantId}} – {{shop.name}}',
      heading: 'Der Bestand wird knapp',
      intro: 'Variante {{variantId}} hat nur noch {{available}} verfügbare Einheiten (Schwelle: {{threshold}}).',
    },
    webhook_endpoint_disabled: {
      subject: 'Webhook-Endpunkt nach {{failures}} Fehlern deaktiviert – {{shop.name}}',
      heading: 'Ein Webhook-Endpunkt wurde deaktiviert',
      intro:
        'Der Endpunkt {{url}} ({{endpointId}}) wurde nach {{failures}} fehlgeschlagenen Zustellungen in Folge deaktiviert. Beheben Sie den Fehler und aktivieren Sie ihn wieder.',
    },
  },
};
