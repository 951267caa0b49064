// SPDX-License-Identifier: GPL-3.0-or-later
//
// pages.mjs - a walk through every page the navigation offers, the
// stylesheet really applied under the CSP, the skip link, and a planted
// inline style that the CSP must refuse (which proves the watcher in
// lib.mjs would see a violation if a page had one).

import { expect, visit } from './lib.mjs';

// Every link of the signed-in navigation opens, with the frame around it.
export async function navigationTour(page, kind) {
    await visit(page, '/', `${kind}-dashboard`);
    const links = await page
        .locator('header.kk-top nav a')
        .evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent.trim()]));
    expect(links.length >= 2, 'the navigation has fewer than two links');
    const seen = [];
    for (const [href, label] of links) {
        if (href === '/') continue;
        await visit(page, href, `${kind}-nav-${label}`);
        expect((await page.locator('main#main h1').count()) === 1, `${href}: no <h1> in <main>`);
        expect((await page.locator('footer.kk-foot').count()) === 1, `${href}: no footer`);
        seen.push(href);
    }
    return `opened ${seen.join(', ')}`;
}

// The stylesheet is loaded from /static/kalkan.css and applied: the skip
// link sits off screen until it has the keyboard focus, then shows.
export async function skipLinkAppearsOnFocus(page, kind) {
    await visit(page, '/', `${kind}-skip-before`);
    const css = await page.request.get('/static/kalkan.css');
    expect(css.ok(), `/static/kalkan.css: HTTP ${css.status()}`);
    expect(
        (css.headers()['content-type'] || '').startsWith('text/css'),
        'the stylesheet is not served as text/css',
    );
    const skip = page.locator('a.kk-skip');
    const hidden = await skip.boundingBox();
    expect(hidden !== null && hidden.y + hidden.height <= 0, 'the skip link is visible before focus (stylesheet not applied?)');
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => document.activeElement?.className || '');
    expect(focused.includes('kk-skip'), `the first Tab focused "${focused}", not the skip link`);
    const shown = await skip.boundingBox();
    expect(shown !== null && shown.y >= 0 && shown.height >= 24, 'the focused skip link is not on screen');
    const ring = await skip.evaluate((a) => getComputedStyle(a).outlineStyle);
    expect(ring !== 'none', 'the focused skip link has no outline');
    await page.screenshot({ path: `${process.env.KK_ARTIFACTS || 'browser-artifacts'}/${kind}-skip-link-focused.png` });
    await page.keyboard.press('Enter');
    expect(new URL(page.url()).hash === '#main', 'the skip link does not lead to #main');
    return 'hidden before focus, shown with an outline on Tab, leads to #main';
}

// An inline <style> added to a page must be refused by the CSP, and the
// watcher must see the refusal.
export async function plantedInlineStyleIsRefused(page, kind) {
    await visit(page, '/login', `${kind}-csp-control`);
    page.kkExpectCsp = true;
    page.kkPlanted = 0;
    const applied = await page.evaluate(async () => {
        const s = document.createElement('style');
        s.textContent = 'body { outline: 7px solid rgb(1, 2, 3) !important; }';
        document.head.appendChild(s);
        await new Promise((r) => setTimeout(r, 200));
        return getComputedStyle(document.body).outlineWidth === '7px';
    });
    await page.waitForTimeout(300);
    page.kkExpectCsp = false;
    expect(!applied, 'an inline <style> was applied: the CSP does not forbid inline styles');
    expect(page.kkPlanted > 0, 'the refused inline style left no CSP report on the console');
    return `inline style refused, ${page.kkPlanted} report(s) seen by the watcher`;
}
