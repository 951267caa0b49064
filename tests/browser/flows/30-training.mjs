// SPDX-License-Identifier: GPL-3.0-or-later
//
// 30-training.mjs - training and reminders on the pages.  The trainer
// finds the standard curriculum (adding it again adds nothing), plans a
// session for the regional paper on the sessions page, fills its
// attendance sheet (two people present, hours typed as "2.5", quiz
// scores) and sees the outlet's progress grow; the paper's focal point
// sees their outlet's progress name the department nobody has been
// trained in, and the "needs attention" panel on their overview.

import { errorText, expect, login, submit, visit } from '../lib.mjs';

async function paperOutlet(page) {
    const resp = await page.request.get('/api/v1/outlets');
    expect(resp.ok(), `GET /api/v1/outlets: HTTP ${resp.status()}`);
    const body = await resp.json();
    // The demo's regional paper (other flows may add outlets of their own,
    // with nobody registered yet).
    const o =
        (body.outlets || []).find((x) => x.slug === 'naryn-kabarlary') ||
        (body.outlets || []).find((x) => x.media === 'print' && x.people > 1);
    expect(o, 'no regional paper with people in the demo');
    return o.id;
}

async function trainedCount(page, id) {
    const resp = await page.request.get(`/api/v1/outlets/${id}/training`);
    expect(resp.ok(), `progress: HTTP ${resp.status()}`);
    return (await resp.json()).trained;
}

async function curriculumIsThere(page, kind) {
    await visit(page, '/curriculum', `${kind}-curriculum`);
    const rows = await page.locator('#modules tbody tr').count();
    expect(rows >= 10, `the curriculum lists ${rows} modules`);
    expect((await page.locator('#modules').getByText('S01-2FA').count()) === 1, 'no S01-2FA');
    await submit(
        page,
        page.locator('form[action="/curriculum/standard"] button[type=submit]'),
        `${kind}-standard-again`,
    );
    const flash = (await page.locator('.kk-flash').innerText()).trim();
    expect(/\b0$/.test(flash), `adding the standard curriculum again says "${flash}"`);
    return `${rows} modules`;
}

async function sessionOnPages(page, kind) {
    const id = await paperOutlet(page);
    const before = await trainedCount(page, id);
    await visit(page, '/sessions', `${kind}-sessions`);
    const title = `Browser residency (${kind})`;
    const day = new Date(Date.now() + 3 * 86400e3).toISOString().slice(0, 10);
    await page.fill('#new-title', title);
    await page.fill('#new-held_on', day);
    await page.fill('#new-days', '1');
    await page.fill('#new-place', 'Naryn, the newsroom');
    await page.check(`#new-outlets input[value="${id}"]`);
    await page.locator('#new-modules label').filter({ hasText: 'Website security basics' }).locator('input').check();
    await submit(page, page.locator('form[action="/sessions"] button[type=submit]'), `${kind}-session-planned`);
    const path = new URL(page.url()).pathname;
    expect(/^\/sessions\/\d+$/.test(path), `after planning, at ${page.url()}: ${await errorText(page)}`);
    expect((await page.getByText(title).count()) >= 1, 'the session page does not show its title');

    const sheet = page.locator(`#outlet-${id}`);
    const rows = sheet.locator('tbody tr');
    expect((await rows.count()) >= 2, 'the sheet has fewer than two people');
    const first = rows.nth(0);
    const second = rows.nth(1);
    await first.locator('input[type=checkbox]').check();
    await first.locator('input[name^="hours_"]').fill('2.5');
    await first.locator('input[name^="pre_"]').fill('30');
    await first.locator('input[name^="post_"]').fill('80');
    await second.locator('input[type=checkbox]').check();
    await submit(page, sheet.locator('button[type=submit]'), `${kind}-attendance-saved`);
    expect(new URL(page.url()).searchParams.get('done') === 'attendance', `after saving, at ${page.url()}: ${await errorText(page)}`);
    const again = page.locator(`#outlet-${id} tbody tr`);
    expect((await again.nth(0).locator('input[name^="hours_"]').inputValue()) === '2.5', 'the hours typed are not shown back');
    expect(await again.nth(0).locator('input[type=checkbox]').isChecked(), 'the first person is not ticked');
    // A mistake shows the sheet again with the reason.
    await again.nth(1).locator('input[name^="post_"]').fill('140');
    await submit(page, page.locator(`#outlet-${id} button[type=submit]`), `${kind}-attendance-refused`);
    expect((await page.locator(`#outlet-${id} .kk-error`).count()) === 1, 'no error shown for a score of 140');
    expect(
        (await page.locator(`#outlet-${id} input[aria-invalid="true"]`).inputValue()) === '140',
        'the wrong score is not kept',
    );

    await visit(page, `/outlets/${id}/training`, `${kind}-progress`);
    const after = await trainedCount(page, id);
    expect(after >= before, `trained went from ${before} to ${after}`);
    const stat = (await page.locator('#tr-trained .kk-stat-detail').innerText()).trim();
    expect(stat.startsWith(`${after} /`), `the page says "${stat}", the API ${after}`);
    return `trained ${before} -> ${after}`;
}

async function focalSeesProgressAndReminders(page, kind, users) {
    const focal = users.find((u) => u.role === 'focal' && /naryn/.test(u.email));
    expect(focal, 'no focal point of the regional paper among the demo logins');
    await login(page, focal, `${kind}-train-focal`);
    const overview = new URL(page.url()).pathname;
    expect(/^\/outlets\/\d+$/.test(overview), `the focal point lands on ${page.url()}`);
    const panel = page.locator('#reminders');
    expect((await panel.count()) === 1, 'no "needs attention" panel on the overview');
    const kinds = await panel.locator('.kk-attention-kind').count();
    expect(kinds >= 1, 'the panel lists nothing');
    await visit(page, `${overview}/training`, `${kind}-focal-progress`);
    const callout = page.locator('#tr-departments');
    expect((await callout.locator('[data-department="finance"]').count()) === 1, 'finance is not called out');
    await visit(page, '/sessions', `${kind}-focal-sessions`);
    expect((await page.locator('form[action="/sessions"]').count()) === 0, 'a focal point gets the form to plan sessions');
    return `${kinds} kinds of reminders`;
}

export async function run({ browser, users, trainer, kind, check, newContext }) {
    const ctx = await newContext(browser, kind);
    const page = await ctx.newPage();
    const signed = `${kind}: the trainer signs in for the training flow`;
    await check(signed, () => login(page, trainer, `${kind}-train`), [], page);
    await check(`${kind}: the standard curriculum is there and is added once`, () => curriculumIsThere(page, kind), [signed], page);
    await check(
        `${kind}: a session planned on the page, its sheet filled, the progress grows`,
        () => sessionOnPages(page, kind),
        [signed],
        page,
    );
    await ctx.close();
    const fctx = await newContext(browser, kind);
    const fpage = await fctx.newPage();
    await check(
        `${kind}: the paper's focal point sees its reminders and the untrained department`,
        () => focalSeesProgressAndReminders(fpage, kind, users),
        [],
        fpage,
    );
    await fctx.close();
}
