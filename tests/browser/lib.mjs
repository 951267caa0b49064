// SPDX-License-Identifier: GPL-3.0-or-later
//
// lib.mjs - what every browser test of the hub shares: TOTP codes, the
// browser and its two viewports, and a page watcher that records CSP
// violations, script errors and failed responses, checks the security
// headers of every document, the page's horizontal overflow on a phone,
// and keeps a screenshot of every page visited.
//
// Debian's chromium is driven through playwright-core (no browser
// download).  The flags are the ones this network needs: without the
// background-networking ones chromium keeps trying to reach Google's
// hosts, and as root it must run without its sandbox.

import { createHmac } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const BASE = process.env.KK_HUB_URL || 'http://127.0.0.1:8080';
export const ARTIFACTS = process.env.KK_ARTIFACTS || 'browser-artifacts';
const CHROMIUM = process.env.KK_CHROMIUM || '/usr/bin/chromium';

// ---- TOTP (RFC 6238: HMAC-SHA-1, 30 s steps, 6 digits) ----

export function base32Decode(text) {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
    const clean = text.toUpperCase().replace(/[\s=-]/g, '');
    let bits = 0;
    let value = 0;
    const out = [];
    for (const ch of clean) {
        const v = alphabet.indexOf(ch);
        if (v < 0) throw new Error(`not base32: ${JSON.stringify(text)}`);
        value = (value << 5) | v;
        bits += 5;
        if (bits >= 8) {
            out.push((value >>> (bits - 8)) & 0xff);
            bits -= 8;
        }
    }
    return Buffer.from(out);
}

export function totp(secret, step) {
    const msg = Buffer.alloc(8);
    msg.writeBigUInt64BE(BigInt(step));
    const h = createHmac('sha1', base32Decode(secret)).update(msg).digest();
    const off = h[h.length - 1] & 0x0f;
    const bin = h.readUInt32BE(off) & 0x7fffffff;
    return String(bin % 1000000).padStart(6, '0');
}

export function stepNow() {
    return Math.floor(Date.now() / 30000);
}

// The hub accepts each code once per user and time step: a second login of
// the same user waits for the next step.  Codes are also not used in the
// last two seconds of a step, so that a slow form post cannot land in the
// next one.
const lastStep = new Map();

export async function freshCode(user, secret) {
    for (;;) {
        const now = Date.now();
        const step = Math.floor(now / 30000);
        const left = 30000 - (now % 30000);
        const used = lastStep.get(user);
        if ((used === undefined || step > used) && left > 2000) {
            lastStep.set(user, step);
            return totp(secret, step);
        }
        await sleep(Math.min(left + 100, 30000));
    }
}

export function sleep(ms) {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

// ---- Results ----

export class Failure extends Error {}

export function expect(cond, message) {
    if (!cond) throw new Failure(message);
}

// ---- Browser, viewports, pages ----

// The phone also runs in the dark colour scheme, so the screenshots show
// both of the stylesheet's schemes.
export const VIEWPORTS = {
    desktop: { viewport: { width: 1280, height: 900 }, colorScheme: 'light' },
    phone: {
        viewport: { width: 390, height: 844 },
        colorScheme: 'dark',
        deviceScaleFactor: 2,
        isMobile: true,
        hasTouch: true,
        userAgent:
            'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 ' +
            '(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36',
    },
};

export async function launch() {
    return chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: [
            '--no-sandbox',
            '--disable-gpu',
            '--disable-quic',
            '--no-first-run',
            '--disable-background-networking',
            '--disable-component-update',
            '--disable-sync',
            '--disable-default-apps',
            '--disable-extensions',
            '--disable-dev-shm-usage',
        ],
    });
}

// Every problem the watcher sees, for the CSP check at the end.
export const incidents = {
    csp: [],        // {where, text}
    errors: [],     // page errors and other console errors
    headers: [],    // documents without the expected security headers
    overflow: [],   // phone pages wider than the screen
    taps: [],       // phone controls smaller than 44 px
    status: [],     // 5xx answers
    pages: [],      // every page visited: {kind, name, url}
};

const CSP_WORDS = /Content Security Policy|Content-Security-Policy|Refused to/i;

// Opens a context of the given kind whose pages are watched.
export async function newContext(browser, kind) {
    const ctx = await browser.newContext({
        baseURL: BASE,
        locale: 'en-GB',
        ...VIEWPORTS[kind],
    });
    // A violation event is reported on the console too, but the event is
    // what the specification promises; the init script runs outside the
    // page's CSP.
    await ctx.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
            console.error(
                `[kk-csp] ${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`,
            );
        });
    });
    ctx.kkKind = kind;
    ctx.on('page', (p) => watch(p, kind));
    return ctx;
}

function watch(page, kind) {
    page.kkExpectCsp = false;
    page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const text = msg.text();
        const where = `${kind} ${page.url()}`;
        if (CSP_WORDS.test(text) || text.startsWith('[kk-csp]')) {
            if (!page.kkExpectCsp) incidents.csp.push({ where, text });
            else page.kkPlanted = (page.kkPlanted || 0) + 1;
        } else if (!/^Failed to load resource/.test(text)) {
            // (HTTP error statuses are checked on the responses.)
            incidents.errors.push({ where, text });
        }
    });
    page.on('pageerror', (err) => {
        incidents.errors.push({ where: `${kind} ${page.url()}`, text: String(err) });
    });
    page.on('response', async (resp) => {
        const url = resp.url();
        if (!url.startsWith(BASE)) return;
        if (resp.status() >= 500)
            incidents.status.push(`${kind} ${resp.request().method()} ${url}: ${resp.status()}`);
        const type = resp.headers()['content-type'] || '';
        if (resp.request().resourceType() !== 'document' || !type.startsWith('text/html'))
            return;
        const h = resp.headers();
        const csp = h['content-security-policy'] || '';
        const missing = [];
        if (!/default-src 'none'/.test(csp)) missing.push('CSP default-src none');
        if (/script-src/.test(csp) || /unsafe-inline/.test(csp)) missing.push('CSP allows script/inline');
        if (!/frame-ancestors 'none'/.test(csp)) missing.push('CSP frame-ancestors');
        if ((h['x-content-type-options'] || '') !== 'nosniff') missing.push('X-Content-Type-Options');
        if (missing.length > 0)
            incidents.headers.push(`${kind} ${url}: ${missing.join(', ')}`);
    });
}

export function slug(text) {
    return text.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 60);
}

const shots = new Map(); // kind -> screenshots taken

// After a navigation: wait for the page, keep a screenshot, and on a phone
// check that nothing makes the page itself scroll sideways.
export async function settle(page, name) {
    await page.waitForLoadState('load');
    const ctx = page.context();
    const n = (shots.get(ctx.kkKind) || 0) + 1;
    shots.set(ctx.kkKind, n);
    const file = join(ARTIFACTS, `${ctx.kkKind}-${String(n).padStart(2, '0')}-${slug(name)}.png`);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: file, fullPage: true });
    incidents.pages.push({ kind: ctx.kkKind, name, url: page.url() });
    if (ctx.kkKind === 'phone') {
        // On a phone the layout viewport grows to fit content that is too
        // wide (innerWidth with it), so the page is measured against the
        // screen's width: the viewport set for the context.
        const width = page.viewportSize().width;
        const m = await page.evaluate((width) => ({
            scroll: document.documentElement.scrollWidth,
            inner: Math.min(window.innerWidth, document.documentElement.clientWidth, width),
            wide: [...document.querySelectorAll('body *')]
                .filter((el) => {
                    const r = el.getBoundingClientRect();
                    return r.right > width + 1 && r.width > 0;
                })
                .filter((el) => {
                    // Inside a box that scrolls sideways is fine, unless
                    // it is positioned out of that box.
                    let held = getComputedStyle(el).position !== 'absolute';
                    for (let p = el.parentElement; p; p = p.parentElement) {
                        const cs = getComputedStyle(p);
                        if (!held && cs.position === 'static') continue;
                        held = true;
                        const s = cs.overflowX;
                        if (s === 'auto' || s === 'scroll' || s === 'hidden') return false;
                    }
                    return true;
                })
                .slice(0, 3)
                .map((el) => `${el.tagName.toLowerCase()}.${el.className}`),
            small: [...document.querySelectorAll(
                'header a, header button, main button, main .kk-button, ' +
                    'main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), ' +
                    'main select, footer a',
            )]
                .filter((el) => {
                    const r = el.getBoundingClientRect();
                    return r.width > 0 && r.height < 43.5;
                })
                .slice(0, 4)
                .map((el) => {
                    const label = (el.textContent || el.getAttribute('name') || '').trim();
                    const h = Math.round(el.getBoundingClientRect().height);
                    return `${el.tagName.toLowerCase()} "${label.slice(0, 24)}" ${h}px`;
                }),
        }), width);
        if (m.small.length > 0)
            incidents.taps.push(`${name} (${page.url()}): ${m.small.join('; ')}`);
        if (m.scroll > m.inner)
            incidents.overflow.push(
                `${name} (${page.url()}): scrollWidth ${m.scroll} > innerWidth ${m.inner}` +
                    (m.wide.length ? `; too wide: ${m.wide.join(', ')}` : ''),
            );
    }
    return file;
}

// Navigates to path and settles; the answer must be 2xx (after redirects).
export async function visit(page, path, name) {
    const resp = await page.goto(path, { waitUntil: 'load' });
    expect(resp !== null, `${path}: no response`);
    await settle(page, name || path);
    expect(resp.ok(), `${path}: HTTP ${resp.status()}`);
    return resp;
}

// Submits a form by clicking its button and waits for the page that
// follows (the hub answers a POST with a page or a 303).
export async function submit(page, button, name) {
    const [resp] = await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        button.click(),
    ]);
    await settle(page, name);
    return resp;
}

// Password and TOTP as the given user; ends on the page after login.
export async function login(page, user, name) {
    await visit(page, '/login', `${name}-login`);
    await page.fill('#email', user.email);
    await page.fill('#password', user.password);
    await submit(page, page.locator('form.kk-form button[type=submit]'), `${name}-password`);
    expect(
        new URL(page.url()).pathname === '/login/code',
        `after the password, expected /login/code, got ${page.url()}: ` +
            (await errorText(page)),
    );
    await page.fill('#code', await freshCode(user.email, user.secret));
    await submit(page, page.locator('form.kk-form button[type=submit]'), `${name}-code`);
    const path = new URL(page.url()).pathname;
    expect(
        !path.startsWith('/login') && !path.startsWith('/enrol'),
        `after the code, still at ${page.url()}: ${await errorText(page)}`,
    );
}

export async function errorText(page) {
    const e = page.locator('.kk-error');
    return (await e.count()) > 0 ? (await e.first().innerText()).trim() : '(no error shown)';
}

// A number in a text such as "42 %", "42.5%", "3 of 7": the first one.
export function firstNumber(text) {
    const m = /(\d+(?:[.,]\d+)?)/.exec(text || '');
    return m ? Number(m[1].replace(',', '.')) : NaN;
}
