// SPDX-License-Identifier: GPL-3.0-or-later
//
// 60-site.mjs - a website's checks in the hub, as an outlet's focal point
// sees them: from the register's websites list, the grade's link to the
// checks page (the demo's history: the grade, the area scores, the fix
// first, the difference from the check before, the findings with their
// folded explanation, the chart and table of the history); the same page
// in Russian and Kyrgyz through the footer's language links, with the
// hub's words of web/po/site.*.po and the findings' own texts; and "Check
// now", a plain form: the page comes back saying the check is queued, and
// the demo's .example website then shows a check that failed at once
// because the name is reserved, never looked up.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, login, settle, submit, visit } from '../lib.mjs';

const SOURCE = process.env.KK_SOURCE_DIR || fileURLToPath(new URL('../../..', import.meta.url));

// msgid -> msgstr of web/po/site.LANG.po.
function sitePo(lang) {
    const text = readFileSync(join(SOURCE, 'web', 'po', `site.${lang}.po`), 'utf8');
    const map = new Map();
    const re = /^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"$/gm;
    for (const m of text.matchAll(re)) if (m[1] !== '' && m[2] !== '') map.set(m[1], m[2]);
    return map;
}

async function json(page, path) {
    const resp = await page.request.get(path);
    expect(resp.ok(), `GET ${path}: HTTP ${resp.status()}`);
    return resp.json();
}

// The focal point's outlet and its first website with a history.
async function siteOf(page) {
    const outlets = await json(page, '/api/v1/outlets');
    expect(outlets.outlets.length > 0, 'the focal point sees no outlet');
    const outlet = outlets.outlets[0].id;
    const sites = await json(page, `/api/v1/outlets/${outlet}/websites`);
    for (const w of sites.websites) {
        const checks = await json(page, `/api/v1/websites/${w.id}/checks`);
        if (checks.checks.filter((c) => c.status === 'done').length >= 2) return { outlet, website: w.id };
    }
    throw new Error('no demo website of the outlet has a history of checks');
}

async function follow(page, code, name) {
    const link = page.locator(`footer.kk-foot a[lang="${code}"]`);
    expect((await link.count()) === 1, `no footer link for language ${code}`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
    await settle(page, name);
    const lang = await page.locator('html').getAttribute('lang');
    expect(lang === code, `after the switch <html lang="${lang}">, expected ${code}`);
}

async function reportShown(page, what) {
    const grade = (await page.locator('#grade dd').innerText()).trim();
    expect(/^(A\+|A-|A|B|C|D|F)$/.test(grade), `${what}: the grade card shows "${grade}"`);
    expect((await page.locator('#scores .kk-stat').count()) === 7, `${what}: not the grade, the score and five areas`);
    expect((await page.locator('#findings > li').count()) >= 1, `${what}: no finding listed`);
    expect((await page.locator('#history-table tbody tr').count()) >= 2, `${what}: the history has fewer than two checks`);
    expect((await page.locator('#history svg').count()) === 1, `${what}: no chart of the history`);
    expect((await page.locator('#grade-change').count()) === 1, `${what}: no comparison with the check before`);
    return grade;
}

async function checksPage(page, kind) {
    const { outlet, website } = await siteOf(page);
    const path = `/outlets/${outlet}/websites/${website}/checks`;
    await visit(page, `/outlets/${outlet}/websites`, `${kind}-site-register`);
    const link = page.locator(`a.kk-site-grade[href="${path}"]`);
    expect((await link.count()) === 1, 'the register has no grade link for the website');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
    await settle(page, `${kind}-site-checks`);
    expect(new URL(page.url()).pathname === path, `the grade link led to ${page.url()}`);
    const grade = await reportShown(page, 'English');

    // An explanation folds open without script.
    const first = page.locator('#findings > li').first();
    const details = first.locator('details');
    expect(!(await details.evaluate((d) => d.open)), 'a finding is unfolded before it is asked for');
    await first.locator('summary').click();
    expect(await details.evaluate((d) => d.open), 'the finding did not unfold');
    expect((await first.locator('.kk-fix').innerText()).trim().length > 20, 'the unfolded finding has no fix');
    const enTitle = (await first.locator('strong').innerText()).trim();

    // Russian and Kyrgyz: the hub's words and the finding's own text.
    const seen = [];
    for (const lang of ['ru', 'ky']) {
        const po = sitePo(lang);
        await follow(page, lang, `${kind}-site-checks-${lang}`);
        await reportShown(page, lang);
        const h1 = (await page.locator('main h1').innerText()).trim();
        expect(h1 === po.get('Website checks'), `${lang}: the heading is "${h1}", not "${po.get('Website checks')}"`);
        const button = (await page.locator('#check-now button').innerText()).trim();
        expect(button === po.get('Check now'), `${lang}: the button says "${button}"`);
        const title = (await page.locator('#findings > li strong').first().innerText()).trim();
        expect(/[\u0400-\u04FF]/.test(title) && title !== enTitle, `${lang}: the finding's title "${title}" is not translated`);
        seen.push(`${lang} "${title.slice(0, 40)}"`);
    }
    await follow(page, 'en', `${kind}-site-checks-en`);

    // Check now: a form, a redirect, a queued check; the demo's name is
    // reserved, so the check fails at once and says so.
    const newest = () => page.locator('#history-table tbody tr').first().getAttribute('data-check');
    const before = await newest();
    await submit(page, page.locator('#check-now button[type=submit]'), `${kind}-site-check-now`);
    const at = new URL(page.url());
    expect(at.pathname === path && at.searchParams.get('done') === 'queued', `after Check now, at ${page.url()}`);
    expect((await page.locator('#flash').count()) === 1, 'no notice that the check is queued');
    let failed = false;
    for (let i = 0; i < 40 && !failed; i++) {
        await visit(page, path, `${kind}-site-check-now-${i}`);
        failed = (await page.locator('#failure[data-code="dns"]').count()) === 1;
        if (!failed) await page.waitForTimeout(250);
    }
    expect(failed, 'the check of a reserved name did not fail with "dns"');
    expect((await newest()) !== before, 'the history does not start with the new check');
    expect((await page.locator('#history-table tbody tr').first().getAttribute('data-status')) === 'failed', 'the newest check is not the failed one');
    await reportShown(page, 'after the failure');
    return `grade ${grade}; ${seen.join(', ')}; Check now queued and failed (reserved name)`;
}

export async function run({ users, kind, check, newContext, browser }) {
    const focal = users.find((u) => u.role === 'focal');
    const ctx = await newContext(browser, kind);
    const page = await ctx.newPage();
    const signed = `${kind}: an outlet's focal point signs in for the website checks`;
    await check(
        signed,
        async () => {
            expect(focal !== undefined, 'no focal point among the demo logins');
            await login(page, focal, `${kind}-site`);
        },
        [],
        page,
    );
    await check(
        `${kind}: a website's checks from the register, in English, Russian and Kyrgyz; Check now without script`,
        () => checksPage(page, kind),
        [signed],
        page,
    );
    await ctx.close();
}
