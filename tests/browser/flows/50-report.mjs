// SPDX-License-Identifier: GPL-3.0-or-later
//
// 50-report.mjs - the donor produces the programme report on the pages:
// the form on /reports with its defaults leads to the printable report,
// whose every figure cell (found by its data-cell "indicator|group|point")
// shows the numbers the JSON API gives for the same parameters, hidden
// cells say so and show no count under 5, the fingerprint shown is the
// JSON's, and the link printed under it checks out on /reports/verify.

import { errorText, expect, login, submit, visit } from '../lib.mjs';

const HOURS = new Set(['training_hours', 'recovery_median_hours']);
const PEOPLE = new Set(['people_2fa', 'people_trained']);

function tenths(v) {
    return (Math.round(v * 10) / 10).toFixed(1);
}

// What a cell must show for a JSON row; returns a complaint or ''.
function cellProblem(row, text) {
    const t = text.replace(/\s+/g, ' ').trim();
    const share = 'of' in row;
    if (row.suppressed) {
        if (!/Fewer than 5/.test(t)) return `hidden, but shows "${t}"`;
        if (share && row.of !== null && !t.includes(`/ ${row.of}`)) return `"${t}" lacks "/ ${row.of}"`;
        const nums = (t.match(/\d+/g) || []).map(Number).filter((n) => n !== 5 && n !== row.of);
        if (nums.length > 0) return `hidden, but shows the numbers ${nums.join(', ')}`;
        return '';
    }
    if (share) {
        const pct = row.permille === null ? '-' : `${Math.floor(row.permille / 10)}.${row.permille % 10} %`;
        if (!t.startsWith(pct)) return `"${t}" does not start with "${pct}"`;
        if (!t.endsWith(`${row.value} / ${row.of}`)) return `"${t}" does not end with "${row.value} / ${row.of}"`;
        return '';
    }
    if (row.value === null) return t === '–' ? '' : `no figure, but shows "${t}"`;
    const want = HOURS.has(row.indicator) ? tenths(row.value) : String(row.value);
    return t === want ? '' : `"${t}", not "${want}"`;
}

async function donorReport(page, kind) {
    await visit(page, '/reports', `${kind}-reports-form`);
    expect((await page.locator('#report-form select[name=report] option').count()) === 1,
        'the donor is offered more than the programme report');
    await page.selectOption('#rep-format', 'html');
    await submit(page, page.locator('#report-form button[type=submit]'), `${kind}-donor-report`);
    const url = new URL(page.url());
    expect(url.pathname === '/reports/programme', `the form led to ${page.url()}: ${await errorText(page)}`);
    expect((await page.locator('#donor-view').count()) === 1, 'the page does not say it is the donor view');
    expect((await page.locator('svg[role=img]').count()) >= 2, 'fewer than two charts on the report');

    const q = new URLSearchParams(url.search);
    q.set('format', 'json');
    const resp = await page.request.get(`/api/v1/reports/programme?${q}`);
    expect(resp.ok(), `the JSON API: HTTP ${resp.status()}`);
    const json = await resp.json();
    expect(json.view === 'donor', `the JSON's view is ${json.view}`);

    const cells = await page.locator('td[data-cell]').evaluateAll((tds) =>
        Object.fromEntries(tds.map((td) => [td.dataset.cell, td.innerText])),
    );
    const problems = [];
    let hidden = 0;
    for (const row of json.rows) {
        const key = `${row.indicator}|${row.group || ''}|${row.point}`;
        if (!(key in cells)) {
            problems.push(`${key}: no cell on the page`);
            continue;
        }
        const p = cellProblem(row, cells[key]);
        if (p) problems.push(`${key}: ${p}`);
        if (row.suppressed) hidden++;
        if (PEOPLE.has(row.indicator) && !row.suppressed && (row.value < 5 || row.of < 5))
            problems.push(`${key}: the JSON shows a count under 5 (${row.value} / ${row.of})`);
    }
    expect(Object.keys(cells).length === json.rows.length,
        `${Object.keys(cells).length} cells on the page, ${json.rows.length} rows in the JSON`);
    expect(problems.length === 0, `${problems.length} cells differ:\n    ${problems.slice(0, 12).join('\n    ')}`);
    const sha = (await page.locator('#sha256').innerText()).trim();
    expect(sha === json.sha256, `the page's fingerprint ${sha} is not the JSON's ${json.sha256}`);

    const link = page.locator('#report-hash a');
    const href = await link.getAttribute('href');
    expect(href && href.endsWith(`/reports/verify?sha256=${sha}`), `the check link is ${href}`);
    await visit(page, `/reports/verify?sha256=${sha}`, `${kind}-report-verified`);
    expect((await page.locator('#issued').count()) === 1, `the fingerprint does not check out: ${await errorText(page)}`);
    expect((await page.locator('#figures tbody tr').count()) === json.rows.length,
        'the check page does not list the original figures');
    return `${json.rows.length} figures as the API gives them (${hidden} hidden), fingerprint ${sha.slice(0, 12)}… checks out`;
}

export async function run({ browser, users, kind, check, newContext, Failure }) {
    const donor = users.find((u) => u.role === 'donor');
    const ctx = await newContext(browser, kind);
    const page = await ctx.newPage();
    const signedIn = `${kind}: the donor signs in`;
    await check(signedIn, async () => {
        if (!donor) throw new Failure('no donor among the demo logins');
        await login(page, donor, `${kind}-donor`);
        return donor.email;
    }, [], page);
    await check(
        `${kind}: the donor produces the programme report on a page; its numbers are the JSON API's`,
        () => donorReport(page, kind),
        [signedIn],
        page,
    );
    await ctx.close();
}
