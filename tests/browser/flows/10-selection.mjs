// SPDX-License-Identifier: GPL-3.0-or-later
//
// 10-selection.mjs - the selection in a browser: an anonymous applicant
// fills the public form of the demo's open call and gets a receipt, then
// checks the status with it; the demo's selection panel login scores the
// application and declares a conflict of interest on another one; the
// trainer selects it, sees the outlet created and the one-time invitation
// link, and the link lets the new focal point choose a password and go on
// to set up the second factor.  Each run (desktop, phone) applies with an
// outlet of its own, named to sort after the demo's outlets.

import { errorText, expect, login, submit, visit } from '../lib.mjs';

async function openCall(page) {
    const resp = await page.request.get('/api/v1/calls');
    expect(resp.ok(), `GET /api/v1/calls: HTTP ${resp.status()}`);
    const calls = (await resp.json()).calls || [];
    const open = calls.find((c) => c.accepting);
    expect(open !== undefined, 'the demo has no call open for applications');
    return open;
}

async function applicantApplies(page, call, outlet, kind) {
    await visit(page, `/apply/${call.id}`, `${kind}-apply-form`);
    expect((await page.locator('#call-title').innerText()).trim() === call.title, 'the form does not name its call');
    expect(await page.locator('#website').isHidden(), 'the robot trap is visible');
    await page.fill('#outlet_name', outlet);
    await page.selectOption('#media', 'print');
    await page.fill('#region', 'Talas');
    await page.fill('#staff_count', '6');
    await page.fill('#contact_name', 'Aizada');
    await page.fill('#contact_email', `desk-${kind}@zhety-oguz-courier.example`);
    const answers = page.locator('textarea[name^="answer-"]');
    const n = await answers.count();
    expect(n >= 1, 'the form asks no question');
    for (let i = 0; i < n; i++) await answers.nth(i).fill(`Answer ${i + 1} from the ${kind} run.`);
    await submit(page, page.locator('#apply-form button[type=submit]'), `${kind}-apply-receipt`);
    const code = (await page.locator('#receipt').innerText().catch(() => '')).trim();
    expect(/^[0-9A-Z]{4}(-[0-9A-Z]{4}){4}$/.test(code), `no receipt after sending: ${await errorText(page)}`);

    await visit(page, '/apply/status', `${kind}-status-form`);
    await page.fill('#receipt', code.toLowerCase());
    await submit(page, page.locator('main form button[type=submit]'), `${kind}-status`);
    const shown = (await page.locator('#status-outlet').innerText().catch(() => '')).trim();
    expect(shown === outlet, `the status shows "${shown}", not the application sent: ${await errorText(page)}`);
    const state = (await page.locator('#status-state').innerText()).trim();
    expect(state === 'Under review', `the status says "${state}"`);
    return `receipt ${code.slice(0, 4)}-…, status "${state}"`;
}

async function panelScores(page, call, outlet, other, kind) {
    await visit(page, `/calls/${call.id}`, `${kind}-panel-call`);
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator('#ranking a', { hasText: outlet }).first().click(),
    ]);
    const selects = page.locator('select[name^="score-"]');
    const n = await selects.count();
    expect(n >= 1, `no score form on the application: ${await errorText(page)}`);
    for (let i = 0; i < n; i++) await selects.nth(i).selectOption(String(8 - (i % 3)));
    await page.fill('#score-note', `Scored in the ${kind} run.`);
    await submit(page, page.locator('form', { has: page.locator('#score-note') }).locator('button[type=submit]'), `${kind}-panel-scored`);
    expect(new URL(page.url()).searchParams.get('done') === 'scored', `after scoring, at ${page.url()}: ${await errorText(page)}`);
    const score = (await page.locator('#app-score').innerText()).trim();
    expect(/^\d+(\.\d)?$/.test(score), `the application shows no score: "${score}"`);

    await visit(page, `/calls/${call.id}`, `${kind}-panel-call-again`);
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator('#ranking a', { hasText: other }).first().click(),
    ]);
    await page.fill('#conflict-note', 'I used to work there.');
    await submit(page, page.locator('form', { has: page.locator('#conflict-note') }).locator('button[type=submit]'), `${kind}-panel-conflict`);
    expect(new URL(page.url()).searchParams.get('done') === 'conflict', `after declaring, at ${page.url()}: ${await errorText(page)}`);
    expect((await page.locator('select[name^="score-"]').count()) === 0, 'the score form is still offered after the declaration');
    expect((await page.getByText('You declared a conflict of interest').count()) >= 1, 'the page does not say a conflict was declared');
    return `score ${score}; conflict declared on ${other}`;
}

async function trainerSelects(page, call, outlet, kind) {
    await visit(page, `/calls/${call.id}`, `${kind}-trainer-call`);
    expect((await page.locator('#apply-url').innerText()).trim().endsWith(`/apply/${call.id}`), 'the call page does not give the form\'s address');
    await Promise.all([
        page.waitForNavigation({ waitUntil: 'load' }),
        page.locator('#ranking a', { hasText: outlet }).first().click(),
    ]);
    const focal = await page.locator('#focal-email').inputValue();
    expect(focal === `desk-${kind}@zhety-oguz-courier.example`, `the focal e-mail offered is "${focal}"`);
    await submit(page, page.locator('form', { has: page.locator('#focal-email') }).locator('button[type=submit]'), `${kind}-trainer-selected`);
    const name = (await page.locator('#outlet-name').innerText().catch(() => '')).trim();
    expect(name === outlet, `after selecting: "${name}": ${await errorText(page)}`);
    const link = (await page.locator('#invite-link').innerText()).trim();
    expect(/\/invite\?t=[A-Za-z0-9_-]{43}$/.test(link), `the invitation link looks wrong: ${link}`);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.locator('#outlet-link').click()]);
    const path = new URL(page.url()).pathname;
    expect(/^\/outlets\/\d+$/.test(path), `the outlet link led to ${page.url()}`);
    return { link, path };
}

async function focalAccepts(page, link, kind) {
    const url = new URL(link);
    await visit(page, `${url.pathname}${url.search}`, `${kind}-invite`);
    expect((await page.locator('#invite-email').innerText()).trim() === `desk-${kind}@zhety-oguz-courier.example`, 'the invitation names another address');
    await page.fill('#password', `a browser password for ${kind}`);
    await page.fill('#password2', `a browser password for ${kind}`);
    await submit(page, page.locator('main form button[type=submit]'), `${kind}-invite-accepted`);
    expect(new URL(page.url()).pathname === '/enrol', `after the password, at ${page.url()}: ${await errorText(page)}`);
    expect((await page.locator('img.kk-qr').count()) === 1, 'the enrolment page has no QR code');
    const again = await page.goto(`${url.pathname}${url.search}`);
    expect(again.status() === 404, `the link opened a second time: HTTP ${again.status()}`);
    return 'password set, enrolment reached, the link refused the second time';
}

export async function run({ browser, users, trainer, kind, check, newContext, Failure }) {
    const panel = users.find((u) => u.role === 'panel');
    // The outlet it creates sorts after the demo's, so the flows that
    // take the first outlet still find a demo newsroom with its people.
    const outlet = `Zhety-Oguz Courier ${kind}`;
    const other = kind === 'desktop' ? 'Osh Shamy' : 'Kara-Balta Bulletin';
    const tctx = await newContext(browser, kind);
    const tpage = await tctx.newPage();
    const signed = `${kind}: the trainer signs in for the selection flow`;
    let call = null;
    await check(signed, async () => {
        await login(tpage, trainer, `${kind}-selection`);
        call = await openCall(tpage);
        return call.title;
    }, [], tpage);

    const actx = await newContext(browser, kind);
    const apage = await actx.newPage();
    const applied = `${kind}: an applicant sends the public form and checks the status with the receipt`;
    await check(applied, () => applicantApplies(apage, call, outlet, kind), [signed], apage);

    const pctx = await newContext(browser, kind);
    const ppage = await pctx.newPage();
    const scored = `${kind}: the selection panel scores it and declares a conflict on another`;
    await check(scored, async () => {
        if (!panel) throw new Failure('the demo printed no panel login');
        await login(ppage, panel, `${kind}-panel`);
        return panelScores(ppage, call, outlet, other, kind);
    }, [applied], ppage);
    await pctx.close();

    let made = null;
    const selected = `${kind}: the trainer selects it: the outlet is created and the invitation link shown`;
    await check(selected, async () => {
        made = await trainerSelects(tpage, call, outlet, kind);
        return `${made.path}, link ${made.link.length} characters`;
    }, [scored], tpage);
    await tctx.close();

    await check(`${kind}: the invitation sets the focal point's password and leads to enrolment, once`,
        () => focalAccepts(apage, made.link, kind), [selected], apage);
    await actx.close();
}
