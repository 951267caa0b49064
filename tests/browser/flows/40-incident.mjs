// SPDX-License-Identifier: GPL-3.0-or-later
//
// 40-incident.mjs - an incident recorded on the pages by an outlet's focal
// point: the report form on the outlet's incidents page (type, title, when
// it happened, severity, an affected account from the multi-select), the
// incident's page with its clock, the triage walk for its type answered to
// the steps and recorded into the timeline, a note added, and the
// "contained" button stamping its step of the clock.

import { errorText, expect, login, submit, visit } from '../lib.mjs';

async function outletOf(page) {
    const resp = await page.request.get('/api/v1/outlets');
    expect(resp.ok(), `GET /api/v1/outlets: HTTP ${resp.status()}`);
    const body = await resp.json();
    expect(Array.isArray(body.outlets) && body.outlets.length > 0, 'the focal point sees no outlet');
    return body.outlets[0].id;
}

async function reportAndTriage(page, kind) {
    const id = await outletOf(page);
    await visit(page, `/outlets/${id}/incidents`, `${kind}-incidents`);
    const title = `Editor's profile taken over (${kind} ${Date.now() % 100000})`;
    await page.selectOption('#new-type', 'account_hijacked');
    await page.fill('#new-title', title);
    await page.fill('#new-occurred', '2026-11-20T10:30');
    await page.selectOption('#new-severity', '3');
    const accounts = page.locator('#new-accounts option');
    expect((await accounts.count()) > 0, 'the report form offers no account to choose');
    const account = await accounts.first().getAttribute('value');
    await page.selectOption('#new-accounts', [account]);
    await submit(page, page.locator('form[action$="/incidents"] button[type=submit]'), `${kind}-reported`);
    const at = new URL(page.url());
    expect(/^\/outlets\/\d+\/incidents\/\d+$/.test(at.pathname), `after reporting, at ${page.url()}: ${await errorText(page)}`);
    expect(at.searchParams.get('done') === 'reported', `no "reported" notice at ${page.url()}`);
    expect((await page.locator('#incident-title').innerText()).trim() === title, 'the incident page does not show its title');
    expect((await page.locator('#subjects li').count()) >= 1, 'the affected account is not listed');
    const incident = at.pathname;

    // The triage walk for the type: Facebook or Instagram, the password was changed.
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#triage-walk').click()]);
    expect((await page.locator('#question').count()) === 1, `the walk does not start with a question at ${page.url()}`);
    let answers = page.locator('#answers a');
    expect((await answers.count()) >= 2, 'the first question offers fewer than two answers');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), answers.nth(1).click()]);
    expect((await page.locator('#taken li').count()) === 1, 'the answer taken is not listed');
    answers = page.locator('#answers a');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), answers.nth(1).click()]);
    const steps = page.locator('#steps li');
    expect((await steps.count()) >= 3, `the walk did not end at steps (at ${page.url()})`);
    const stepsTitle = (await page.locator('#steps-title').innerText()).trim();
    const firstStep = (await steps.first().innerText()).trim();
    await submit(page, page.locator('#triage-record button[type=submit]'), `${kind}-triage-recorded`);
    expect(new URL(page.url()).pathname === incident, `after recording the walk, at ${page.url()}`);
    const entry = page.locator('li.kk-event[data-kind="triage"]');
    expect((await entry.count()) === 1, 'the timeline has no triage entry');
    const text = await entry.innerText();
    expect(text.includes(stepsTitle) && text.includes(firstStep.slice(0, 30)), `the triage entry lacks the steps: ${text.slice(0, 200)}`);

    // A note, then the "contained" button.
    await page.fill('#ev-text', 'Called Meta support through the helpline.');
    await submit(page, page.locator('form[action$="/events"] button[type=submit]'), `${kind}-note-added`);
    expect((await page.getByText('Called Meta support through the helpline.').count()) === 1, 'the note is not in the timeline');
    expect((await page.locator('#clock-contained td').first().innerText()).trim() === '—', 'contained before the button');
    await submit(
        page,
        page.locator('#status-actions form').filter({ has: page.locator('input[name=status][value=contained]') }).locator('button'),
        `${kind}-contained`,
    );
    const contained = (await page.locator('#clock-contained td').first().innerText()).trim();
    expect(/^\d{4}-\d\d-\d\d \d\d:\d\d UTC$/.test(contained), `the contained step shows "${contained}"`);
    expect((await page.locator('li.kk-event[data-kind="status"]').count()) === 1, 'the status change is not in the timeline');
    return `${incident}: triage "${stepsTitle}", contained at ${contained}`;
}

export async function run({ users, kind, check, newContext, browser }) {
    const focal = users.find((u) => u.role === 'focal');
    const ctx = await newContext(browser, kind);
    const page = await ctx.newPage();
    const signed = `${kind}: an outlet's focal point signs in for the incident flow`;
    await check(
        signed,
        async () => {
            expect(focal !== undefined, 'no focal point among the demo logins');
            await login(page, focal, `${kind}-incident`);
        },
        [],
        page,
    );
    await check(
        `${kind}: an incident reported on the pages, its triage walked to the steps and recorded, a note, contained`,
        () => reportAndTriage(page, kind),
        [signed],
        page,
    );
    await ctx.close();
}
