// The renderer as the module holds it: render.ts (and Handlebars with it) loads at the first message or template
// read, so a process that sends no mail never loads them (MJML loads later still, with the first HTML message).
import type { ShopConfig } from '../../platform/config-messaging.ts';
import type { Renderer } from './render.ts';

export function lazyRenderer(shop: ShopConfig): Renderer {
  let loaded: Promise<Renderer> | undefined;
  const renderer = () => {
    loaded ??= import('./render.ts').then((m) => m.createRenderer(shop));
    return loaded;
  };
  return {
    render: async (kind, locale, params) => (await renderer()).render(kind, locale, params),
    subject: async (kind, locale, params) => (await renderer()).subject(kind, locale, params),
  };
}
