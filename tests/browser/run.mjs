// SPDX-License-Identifier: GPL-3.0-or-later
//
// run.mjs - runs the hub's browser checks against a running hub and says,
// check by check, what passed and what failed; exits 1 if anything failed.
//
// tests/integ/hub_browser.sh starts the hub with a fresh demo database and
// sets the environment:
//   KK_HUB_URL       the hub, e.g. http://127.0.0.1:41234
//   KK_DEMO_LOGINS   a file with the demo logins that `kalkan serve --demo`
//                    printed: email TAB password TAB secret TAB role TAB outlet
//   KK_FRESH_USERS   a file of users without a second factor, one per line:
//                    email TAB password (the first for the desktop run, the
//                    second for the phone)
//   KK_ARTIFACTS     where screenshots go
//   KK_SOURCE_DIR    the source tree (for web/po/ru.po)
//   KK_VIEWPORTS     "desktop phone" (default) or a part of it: the
//                    sanitizer build runs the desktop only, the normal
//                    build both
// The programme's workflows add their checks as flows/*.mjs, each
// exporting `async function run({ browser, users, trainer, kind, check,
// newContext, Failure })`, called once for the desktop and once for the
// phone, in file name order after the core checks; a flow runs its checks
// through check(name, fn, needs, page) like the ones here.
// Every check runs on a desktop viewport and on a 390x844 phone; the CSP,
// overflow and header checks at the end cover every page either visited.

import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { BASE, ARTIFACTS, Failure, incidents, launch, newContext, slug } from './lib.mjs';
import { freshUserEnrols, trainerLogsIn, wrongCodeIsRefused } from './auth.mjs';
import { accountTwoFactorRaisesCoverage } from './coverage.mjs';
import { switchToRussian } from './language.mjs';
import { navigationTour, plantedInlineStyleIsRefused, skipLinkAppearsOnFocus } from './pages.mjs';

function readLogins(file) {
    if (!file) throw new Error('KK_DEMO_LOGINS is not set');
    const users = [];
    for (const line of readFileSync(file, 'utf8').split('\n')) {
        const f = line.split('\t');
        if (f.length < 4 || !f[0].includes('@')) continue;
        users.push({ email: f[0], password: f[1], secret: f[2], role: f[3], outlet: f[4] || '' });
    }
    return users;
}

function readFresh(file) {
    if (!file) return [];
    return readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.split('\t'))
        .filter((f) => f.length >= 2 && f[0].includes('@'))
        .map((f) => ({ email: f[0], password: f[1] }));
}

const results = [];

// Runs one check; page, when given, is photographed if the check fails.
async function check(name, fn, needs, page) {
    const t0 = Date.now();
    const missing = (needs || []).filter((n) => !results.some((r) => r.name === n && r.ok));
    if (missing.length > 0) {
        results.push({ name, ok: false, detail: `not run: needs ${missing.join(', ')}` });
        console.log(`FAIL ${name}: not run, it needs ${missing.join(', ')}`);
        return false;
    }
    try {
        const detail = (await fn()) || '';
        const s = ((Date.now() - t0) / 1000).toFixed(1);
        results.push({ name, ok: true, detail });
        console.log(`ok   ${name} (${s} s)${detail ? `: ${detail}` : ''}`);
        return true;
    } catch (e) {
        const msg = e instanceof Failure ? e.message : (e && e.stack) || String(e);
        results.push({ name, ok: false, detail: msg });
        console.log(`FAIL ${name}: ${msg}`);
        if (page && !page.isClosed()) {
            const file = join(ARTIFACTS, `FAIL-${slug(name)}.png`);
            await page.screenshot({ path: file, fullPage: true }).catch(() => {});
            console.log(`     the page at the failure (${page.url()}): ${file}`);
        }
        return false;
    }
}

function incidentCheck(name, list, what) {
    return check(name, async () => {
        if (list.length > 0) {
            throw new Failure(`${list.length} ${what}:\n    ${list.slice(0, 20).join('\n    ')}`);
        }
        return `none on ${incidents.pages.length} pages`;
    });
}

const KINDS = (process.env.KK_VIEWPORTS || 'desktop phone').split(/\s+/).filter((k) => k === 'desktop' || k === 'phone');

async function main() {
    const users = readLogins(process.env.KK_DEMO_LOGINS);
    const trainer = users.find((u) => u.role === 'trainer');
    const fresh = readFresh(process.env.KK_FRESH_USERS);
    console.log(`browser tests against ${BASE}; screenshots in ${ARTIFACTS}`);
    if (!trainer) {
        console.log('FAIL setup: no trainer among the demo logins');
        return 1;
    }
    const browser = await launch();
    console.log(`chromium ${browser.version()}`);
    try {
        if (KINDS.length === 0) throw new Error('KK_VIEWPORTS names no viewport');
        for (const kind of KINDS) {
            const ctx = await newContext(browser, kind);
            const page = await ctx.newPage();
            const login = `${kind}: the demo trainer signs in with password and TOTP`;
            await check(login, () => trainerLogsIn(page, trainer, kind), [], page);
            await check(`${kind}: every page of the navigation opens`, () => navigationTour(page, kind), [login], page);
            await check(
                `${kind}: an account switched to app 2FA raises the outlet's coverage`,
                () => accountTwoFactorRaisesCoverage(page, kind),
                [login],
                page,
            );
            await check(`${kind}: the footer switches the language to Russian and back`, () => switchToRussian(page, kind), [login], page);
            if (kind === 'desktop')
                await check(`${kind}: the skip link appears on focus`, () => skipLinkAppearsOnFocus(page, kind), [login], page);
            await ctx.close();

            const user = fresh[kind === 'desktop' ? 0 : 1];
            const ectx = await newContext(browser, kind);
            const epage = await ectx.newPage();
            await check(`${kind}: first login enrols with the QR page and shows recovery codes`, async () => {
                if (!user) throw new Failure('no fresh user for this run (KK_FRESH_USERS)');
                return freshUserEnrols(epage, user, kind);
            }, [], epage);
            await ectx.close();
            if (kind === 'desktop') {
                const wctx = await newContext(browser, kind);
                const wpage = await wctx.newPage();
                await check(`${kind}: a wrong TOTP code is refused`, () => wrongCodeIsRefused(wpage, trainer, kind), [], wpage);
                await check(`${kind}: an inline style planted in a page is refused by the CSP`, () =>
                    plantedInlineStyleIsRefused(wpage, kind),
                );
                await wctx.close();
            }
        }
        const flowDir = join(dirname(fileURLToPath(import.meta.url)), 'flows');
        let flows = [];
        try {
            flows = readdirSync(flowDir).filter((n) => n.endsWith('.mjs')).sort();
        } catch (e) {
            if (e.code !== 'ENOENT') throw e;
        }
        for (const f of flows) {
            const flow = await import(pathToFileURL(join(flowDir, f)).href);
            for (const kind of KINDS)
                await flow.run({ browser, users, trainer, kind, check, newContext, Failure });
        }
        await incidentCheck('no CSP violation on any page', incidents.csp.map((c) => `${c.where}: ${c.text}`), 'CSP violations');
        await incidentCheck('no script error on any page', incidents.errors.map((c) => `${c.where}: ${c.text}`), 'errors');
        await incidentCheck('security headers on every page', incidents.headers, 'pages without them');
        await incidentCheck('no server error (5xx)', incidents.status, 'server errors');
        if (KINDS.includes('phone')) {
            await incidentCheck('phone: no page scrolls sideways', incidents.overflow, 'pages wider than the phone');
            await incidentCheck('phone: tap targets of at least 44 px', incidents.taps, 'pages with small controls');
        }
    } finally {
        await browser.close();
    }
    const failed = results.filter((r) => !r.ok);
    const phone = incidents.pages.filter((p) => p.kind === 'phone').length;
    console.log(
        `\n${results.length - failed.length} passed, ${failed.length} failed; ` +
            `${incidents.pages.length - phone} desktop and ${phone} phone pages, screenshots in ${ARTIFACTS}`,
    );
    for (const f of failed) console.log(`  failed: ${f.name}`);
    return failed.length === 0 ? 0 : 1;
}

main().then(
    (code) => process.exit(code),
    (e) => {
        console.error(`browser tests: ${e && e.stack ? e.stack : e}`);
        process.exit(1);
    },
);
