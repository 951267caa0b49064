// SPDX-License-Identifier: GPL-3.0-or-later
//
// coverage.mjs - the register changes what the dashboards count.  On an
// outlet's accounts page a new account is added (2FA none), then switched
// to an authenticator app with the row's quick-change form; the outlet's
// overview must count one more account, then one more account with strong
// 2FA ("#cov-accounts": the share and its "strong / all" detail).

import { expect, errorText, submit, visit } from './lib.mjs';

// "12 / 40" -> [12, 40]
async function accountsFigure(page, id, name) {
    await visit(page, `/outlets/${id}`, name);
    const card = page.locator('#cov-accounts');
    expect((await card.count()) === 1, `/outlets/${id}: no #cov-accounts figure`);
    const detail = (await card.locator('.kk-stat-detail').innerText()).trim();
    const m = /(\d+)\s*\/\s*(\d+)/.exec(detail);
    expect(m !== null, `/outlets/${id}: #cov-accounts detail is "${detail}", not "N / M"`);
    const value = (await card.locator('.kk-stat-value').innerText()).trim();
    return { strong: Number(m[1]), all: Number(m[2]), value };
}

async function firstOutletId(page) {
    const resp = await page.request.get('/api/v1/outlets');
    expect(resp.ok(), `GET /api/v1/outlets: HTTP ${resp.status()}`);
    const body = await resp.json();
    expect(Array.isArray(body.outlets) && body.outlets.length > 0, 'GET /api/v1/outlets lists no outlet');
    return body.outlets[0].id;
}

// (c) Returns a line with the figures before and after.
export async function accountTwoFactorRaisesCoverage(page, kind) {
    const id = await firstOutletId(page);
    const before = await accountsFigure(page, id, `${kind}-outlet-before`);

    // Add an account with no 2FA.
    await visit(page, `/outlets/${id}/accounts`, `${kind}-accounts`);
    const form = page.locator('main form').filter({ has: page.locator('[name=handle]') });
    expect((await form.count()) === 1, `/outlets/${id}/accounts: no form to add an account (with a "handle" field)`);
    const handle = `browser-test-${kind}-${Date.now() % 1000000}`;
    await form.locator('[name=handle]').fill(handle);
    const platform = form.locator('select[name=platform]');
    if ((await platform.count()) > 0) {
        const values = await platform.locator('option').evaluateAll((os) => os.map((o) => o.value));
        await platform.selectOption(values.includes('instagram') ? 'instagram' : values.find((v) => v !== ''));
    }
    // A personal account needs its owner: the first person offered.
    const owner = form.locator('select[name=owner]');
    if ((await owner.count()) > 0) {
        const people = await owner.locator('option').evaluateAll((os) => os.map((o) => o.value));
        const first = people.find((v) => v !== '' && v !== '0');
        expect(first !== undefined, 'the owner list offers nobody');
        await owner.selectOption(first);
    }
    const method = form.locator('select[name=tfa]');
    if ((await method.count()) > 0) await method.selectOption('none');
    await submit(page, form.locator('button[type=submit]'), `${kind}-account-added`);
    expect(
        (await page.locator('.kk-error').count()) === 0,
        `adding the account was refused: ${await errorText(page)}`,
    );
    await visit(page, `/outlets/${id}/accounts`, `${kind}-accounts-listed`);
    const row = page.locator('main table tbody tr', { hasText: handle });
    expect((await row.count()) === 1, `the new account "${handle}" is not listed on /outlets/${id}/accounts`);

    const added = await accountsFigure(page, id, `${kind}-outlet-added`);
    expect(
        added.all === before.all + 1 && added.strong === before.strong,
        `after adding an account without 2FA the outlet counts ${added.strong} / ${added.all}, ` +
            `expected ${before.strong} / ${before.all + 1}`,
    );

    // Switch its 2FA to an authenticator app with the row's form.
    await visit(page, `/outlets/${id}/accounts`, `${kind}-accounts-again`);
    const quick = page
        .locator('main table tbody tr', { hasText: handle })
        .locator('form')
        .filter({ has: page.locator('select[name=tfa]') });
    expect((await quick.count()) === 1, `the row of "${handle}" has no 2FA quick-change form`);
    await quick.locator('select[name=tfa]').selectOption('app');
    await submit(page, quick.locator('button[type=submit], button:not([type])').first(), `${kind}-account-2fa-app`);
    expect(
        (await page.locator('.kk-error').count()) === 0,
        `switching the account's 2FA was refused: ${await errorText(page)}`,
    );

    const after = await accountsFigure(page, id, `${kind}-outlet-after`);
    expect(
        after.strong === added.strong + 1 && after.all === added.all,
        `after switching the account to app 2FA the outlet counts ${after.strong} / ${after.all}, ` +
            `expected ${added.strong + 1} / ${added.all}`,
    );
    return (
        `outlet ${id}: accounts with strong 2FA ${before.value} (${before.strong}/${before.all}) -> ` +
        `${added.value} (${added.strong}/${added.all}) after adding -> ` +
        `${after.value} (${after.strong}/${after.all}) after app 2FA`
    );
}

