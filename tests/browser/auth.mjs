// SPDX-License-Identifier: GPL-3.0-or-later
//
// auth.mjs - signing in with password and TOTP, and the first login of a
// user without a second factor: the enrolment page with its QR code and
// key, the code computed from the key the page shows, and the recovery
// codes shown once.

import { expect, errorText, freshCode, login, settle, submit, visit } from './lib.mjs';

// (a) The demo trainer signs in; the page after login is the dashboard
// with the navigation of a signed-in user.
export async function trainerLogsIn(page, trainer, kind) {
    await login(page, trainer, `${kind}-trainer`);
    expect(new URL(page.url()).pathname === '/', `after login expected /, got ${page.url()}`);
    const nav = page.locator('header.kk-top nav a');
    expect((await nav.count()) >= 2, 'no navigation after login');
    const signOut = page.locator('header.kk-top form[action="/logout"] button');
    expect((await signOut.count()) === 1, 'no sign-out button after login');
    return `signed in as ${trainer.email}; navigation: ${(await nav.allInnerTexts()).join(', ')}`;
}

// A wrong code is refused with a message and no session.
export async function wrongCodeIsRefused(page, trainer, kind) {
    await visit(page, '/login', `${kind}-wrong-login`);
    await page.fill('#email', trainer.email);
    await page.fill('#password', trainer.password);
    await submit(page, page.locator('form.kk-form button[type=submit]'), `${kind}-wrong-password`);
    expect(new URL(page.url()).pathname === '/login/code', `expected /login/code, got ${page.url()}`);
    const good = await freshCode(`${trainer.email}#peek`, trainer.secret);
    const bad = String((Number(good) + 500000) % 1000000).padStart(6, '0');
    await page.fill('#code', bad);
    await submit(page, page.locator('form.kk-form button[type=submit]'), `${kind}-wrong-code`);
    expect(new URL(page.url()).pathname === '/login/code', `a wrong code led to ${page.url()}`);
    expect((await page.locator('.kk-error').count()) === 1, 'no error shown for a wrong code');
    return `refused: "${await errorText(page)}"`;
}

// (b) A user created without a TOTP secret is sent to /enrol after the
// password; the page shows the QR code (an SVG image that loads) and the
// key; the code made from that key turns two-factor sign-in on and the
// recovery codes are shown.
export async function freshUserEnrols(page, user, kind) {
    await visit(page, '/login', `${kind}-enrol-login`);
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await submit(page, page.locator('form.kk-form button[type=submit]'), `${kind}-enrol-page`);
    expect(
        new URL(page.url()).pathname === '/enrol',
        `a user without a second factor went to ${page.url()}, not /enrol: ${await errorText(page)}`,
    );
    const qr = page.locator('img.kk-qr');
    expect((await qr.count()) === 1, 'no QR image on the enrolment page');
    expect((await qr.getAttribute('alt') || '').length > 0, 'the QR image has no alt text');
    const loaded = await qr.evaluate(
        (img) => img.complete && img.naturalWidth > 0 && img.getBoundingClientRect().width > 100,
    );
    expect(loaded, 'the QR image did not load (or is drawn smaller than 100 px)');
    const svg = await page.request.get('/enrol/qr.svg');
    expect(svg.ok(), `/enrol/qr.svg: HTTP ${svg.status()}`);
    expect(
        (svg.headers()['content-type'] || '').startsWith('image/svg+xml'),
        '/enrol/qr.svg is not served as image/svg+xml',
    );
    const secret = ((await page.locator('#secret').innerText()) || '').trim();
    expect(/^[A-Z2-7 ]{16,}$/.test(secret), `the key shown is not base32: ${JSON.stringify(secret)}`);
    await page.fill('#code', await freshCode(user.email, secret));
    await submit(page, page.locator('form.kk-form button[type=submit]'), `${kind}-recovery-codes`);
    const rec = page.locator('pre#recovery');
    expect((await rec.count()) === 1, `no recovery codes after the code: ${await errorText(page)}`);
    const codes = (await rec.innerText()).split(/\s+/).filter((c) => c.length > 0);
    expect(codes.length >= 5, `only ${codes.length} recovery codes shown`);
    expect(new Set(codes).size === codes.length, 'recovery codes repeat');
    // The session is a full one now: the dashboard opens.
    const cont = page.locator('main a.kk-button');
    await submit(page, cont, `${kind}-after-enrol`);
    expect(new URL(page.url()).pathname === '/', `continue led to ${page.url()}`);
    return `key ${secret.length} characters, QR loaded, ${codes.length} recovery codes`;
}
