import { afterEach, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp } from '../support/app.js';
import { CALLBACK, SPA } from '../support/flows.js';
import { reachChallenge, startLogin } from '../support/screens.js';
import { chooseLanguage } from '../../src/login/screen-texts.js';

/**
 * The screens read as the tenant does: prompts.customText in the language Auth0 would choose
 * (ui_locales, then Accept-Language, within tenant.enabled_locales, English otherwise), with Auth0's
 * ${clientName} / ${companyName} variables, escaped like every other value; the element ids tests
 * select on stay. New Universal Login's colours apply when branding has none.
 */
const tenant = {
  tenant: { friendly_name: 'Acme', enabled_locales: ['en', 'es'], universal_login: { colors: { primary: '#c2185b', page_background: '#fce4ec' } } },
  clients: [{ name: 'Acme Store', client_id: SPA, app_type: 'spa', callbacks: [CALLBACK] }],
  connections: [{ name: 'email', strategy: 'email' }],
  prompts: {
    customText: {
      en: { 'login-id': { 'login-id': { title: 'Hello there' } } },
      es: {
        'login-id': { 'login-id': { title: 'Bienvenido', description: 'Inicia sesión en ${companyName} para seguir a ${clientName}.', buttonText: 'Continuar', emailPlaceholder: 'Correo electrónico', pageTitle: 'Iniciar sesión | ${clientName}' } },
        'login-passwordless': { 'login-passwordless-email-code': { title: 'Verifica tu identidad', description: 'Te enviamos un código a:' } },
      },
    },
  },
};
const h1 = (html: string): string | undefined => /<h1>([^<]*)<\/h1>/.exec(html)?.[1];

describe('custom text and colours on the screens', () => {
  let t: TestApp;
  afterEach(() => t.app.close());

  it('ui_locales=es shows the Spanish custom text, variables filled in, with the ids tests select on', async () => {
    t = await buildTestApp({ tenant });
    const s = await startLogin(t.app, { ui_locales: 'es' });
    const page = (await s.browser.get(s.location)).body;
    expect(page).toContain('<html lang="es">');
    expect(page).toContain('<title>Iniciar sesión | Acme Store</title>');
    expect(h1(page)).toBe('Bienvenido');
    expect(page).toContain('Inicia sesión en Acme para seguir a Acme Store.');
    expect(page).toMatch(/<label for="username">Correo electrónico/);
    expect(page).toMatch(/<button class="primary[^"]*" type="submit" name="action" value="default"[^>]*>Continuar<\/button>/);
    expect(page).toContain('id="username"');
    // The code screen of the same login speaks Spanish too.
    const challenge = await reachChallenge(s, 'ana@example.com');
    const code = (await s.browser.get(challenge)).body;
    expect(h1(code)).toBe('Verifica tu identidad');
    expect(code).toContain('Te enviamos un código a:');
  });

  it('without ui_locales, Accept-Language decides (a region falls back to its language); an unknown language gets English', async () => {
    t = await buildTestApp({ tenant });
    const s = await startLogin(t.app);
    expect(h1((await s.browser.get(s.location, { 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' })).body)).toBe('Bienvenido');
    expect(h1((await s.browser.get(s.location, { 'accept-language': 'fr-FR,fr;q=0.9' })).body)).toBe('Hello there');
    expect(h1((await s.browser.get(s.location, { 'accept-language': 'de, es;q=0.1' })).body)).toBe('Bienvenido');
    // The en text only sets a title: the rest is Understudy's default.
    expect((await s.browser.get(s.location)).body).toContain('Log in to Acme to continue to Acme Store.');
  });

  it('a language the tenant does not enable is not used, and custom text is escaped', async () => {
    t = await buildTestApp({ tenant: { ...tenant, prompts: { customText: { ...tenant.prompts.customText, fr: { 'login-id': { 'login-id': { title: 'Bonjour' } } }, en: { 'login-id': { 'login-id': { title: '<script>alert(1)</script>' } } } } } } });
    const s = await startLogin(t.app, { ui_locales: 'fr' });
    const page = (await s.browser.get(s.location)).body;
    expect(page).not.toContain('Bonjour');
    expect(page).not.toContain('<script>alert(1)</script>');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('applies tenant.universal_login.colors when branding has no colours', async () => {
    t = await buildTestApp({ tenant });
    const s = await startLogin(t.app);
    const page = (await s.browser.get(s.location)).body;
    expect(page).toContain('#c2185b');
    expect(page).toContain('#fce4ec');
  });

  it('chooses languages as Auth0: ui_locales first, then Accept-Language by weight, English or the first enabled one otherwise', () => {
    expect(chooseLanguage(['en', 'es'], 'es-AR fr', undefined)).toBe('es');
    expect(chooseLanguage(['en', 'es'], 'fr', 'es;q=0.2, de;q=0.9')).toBe('es');
    expect(chooseLanguage(['en', 'pt-BR'], undefined, 'pt-BR')).toBe('pt-BR');
    expect(chooseLanguage(['de', 'fr'], undefined, 'ja')).toBe('de');
    expect(chooseLanguage(['en'], undefined, 'garbage;;;,*')).toBe('en');
  });
});
