// SPDX-License-Identifier: GPL-3.0-or-later
//
// 20-assess.mjs - a baseline assessment run on the pages, as the trainer:
// start it from the outlet's assessments page, record the physical
// security area on the sheet (two fails with evidence, a pass), close it
// with a summary, turn the failed controls into findings, and give one of
// them a task with an owner and a due date, which the action plan lists.

import { errorText, expect, login, submit, visit } from '../lib.mjs';

async function firstOutletId(page) {
    const resp = await page.request.get('/api/v1/outlets');
    expect(resp.ok(), `GET /api/v1/outlets: HTTP ${resp.status()}`);
    const body = await resp.json();
    expect(Array.isArray(body.outlets) && body.outlets.length > 0, 'no outlet');
    return body.outlets[0].id;
}

async function baselineOnPages(page, kind) {
    const id = await firstOutletId(page);
    await visit(page, `/outlets/${id}/assessments`, `${kind}-assessments`);
    await page.selectOption('#kind', 'baseline');
    await page.fill('#held_on', new Date().toISOString().slice(0, 10));
    await submit(page, page.locator('#start button[type=submit]'), `${kind}-assessment-started`);
    const sheetPath = new URL(page.url()).pathname;
    expect(/^\/outlets\/\d+\/assessments\/\d+$/.test(sheetPath), `after starting, at ${page.url()}: ${await errorText(page)}`);

    await visit(page, `${sheetPath}?area=physical`, `${kind}-sheet-physical`);
    const before = (await page.locator('#progress').innerText()).trim();
    const form = page.locator('form.kk-sheet').filter({ has: page.locator('[name="status.PHY-01"]') });
    expect((await form.count()) === 1, 'no sheet form with PHY-01');
    await form.locator('[name="status.PHY-01"]').selectOption('fail');
    await form.locator('[name="note.PHY-01"]').fill('No list of key holders');
    await form.locator('[name="status.PHY-02"]').selectOption('pass');
    await form.locator('[name="status.PHY-03"]').selectOption('fail');
    await form.locator('[name="note.PHY-03"]').fill('Nobody knows whom to call');
    await submit(page, form.locator('button[type=submit]'), `${kind}-results-recorded`);
    expect(new URL(page.url()).searchParams.get('done') === 'recorded', `after recording, at ${page.url()}: ${await errorText(page)}`);
    const after = (await page.locator('#progress').innerText()).trim();
    const n0 = Number(/^(\d+)/.exec(before)[1]);
    const n1 = Number(/^(\d+)/.exec(after)[1]);
    expect(n1 === n0 + 3, `progress went from "${before}" to "${after}", not 3 more`);
    expect((await page.getByText('No list of key holders').count()) === 1, 'the evidence note is not shown');

    await page.fill('#summary', 'Physical security needs a plan.');
    await submit(page, page.locator('#close button[type=submit]'), `${kind}-closed`);
    const facts = await page.locator('#assessment-facts').innerText();
    expect(/Closed/.test(facts), `after closing, the facts say: ${facts}`);
    expect((await page.locator('#summary').innerText()).includes('Physical security needs a plan.'), 'no summary shown');

    await submit(page, page.locator('#to-findings button[type=submit]'), `${kind}-findings`);
    expect(new URL(page.url()).pathname === `/outlets/${id}/findings`, `after making findings, at ${page.url()}`);
    const row = page.locator('#findings tr').filter({ hasText: 'PHY-03' });
    expect((await row.count()) >= 1, 'no finding for PHY-03');
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), row.first().locator('a').first().click()]);

    const title = `Write the raid plan (${kind})`;
    await page.fill('#t-title', title);
    await page.locator('#t-owner').selectOption({ index: 1 });
    await page.fill('#t-due', '2030-01-31');
    await submit(page, page.locator('#add-task button[type=submit]'), `${kind}-task-added`);
    expect((await page.locator('#finding-tasks').getByText(title).count()) === 1, `the finding does not list "${title}"`);

    await visit(page, `/outlets/${id}/tasks`, `${kind}-action-plan`);
    expect((await page.locator('#tasks').getByText(title).count()) === 1, `the action plan does not list "${title}"`);
    return `${before} -> ${after}`;
}

export async function run({ browser, trainer, kind, check, newContext }) {
    const ctx = await newContext(browser, kind);
    const page = await ctx.newPage();
    const signed = `${kind}: the trainer signs in for the assessment flow`;
    await check(signed, () => login(page, trainer, `${kind}-assess`), [], page);
    await check(
        `${kind}: a baseline assessment on the pages: results, closing, findings, a task`,
        () => baselineOnPages(page, kind),
        [signed],
        page,
    );
    await ctx.close();
}
