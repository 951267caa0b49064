// SPDX-License-Identifier: GPL-3.0-or-later
//
// language.mjs - the language links of the footer.  Russian is chosen by
// following the footer's link; the page that comes back must say
// lang="ru" and show the navigation in the words of web/po/ru.po, and
// English must come back the same way.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, settle, visit } from './lib.mjs';

const SOURCE = process.env.KK_SOURCE_DIR || fileURLToPath(new URL('../..', import.meta.url));

// msgid -> msgstr for the one-line entries of a .po file.
export function readPo(lang) {
    const text = readFileSync(join(SOURCE, 'web', 'po', `${lang}.po`), 'utf8');
    const map = new Map();
    const re = /^msgid "((?:[^"\\]|\\.)*)"\nmsgstr "((?:[^"\\]|\\.)*)"$/gm;
    for (const m of text.matchAll(re)) {
        if (m[1] !== '' && m[2] !== '') map.set(m[1], m[2]);
    }
    return map;
}

async function follow(page, code, name) {
    const link = page.locator(`footer.kk-foot a[lang="${code}"]`);
    expect((await link.count()) === 1, `no footer link for language ${code}`);
    const href = await link.getAttribute('href');
    expect(href.startsWith(`/lang?to=${code}`), `the ${code} link goes to ${href}`);
    const before = new URL(page.url()).pathname;
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), link.click()]);
    await settle(page, name);
    expect(
        new URL(page.url()).pathname === before,
        `the language switch did not come back to ${before} but to ${page.url()}`,
    );
}

// (d) On the page the user is on (signed in), switch to Russian and back.
export async function switchToRussian(page, kind) {
    const ru = readPo('ru');
    const words = ['Dashboard', 'Sign out', 'Skip to content']
        .filter((w) => ru.has(w))
        .map((w) => [w, ru.get(w)]);
    expect(words.length > 0, 'web/po/ru.po translates none of Dashboard, Sign out, Skip to content');
    await visit(page, '/', `${kind}-before-russian`);
    await follow(page, 'ru', `${kind}-russian`);
    const lang = await page.locator('html').getAttribute('lang');
    expect(lang === 'ru', `after the switch <html lang="${lang}">, expected ru`);
    const header = await page.locator('header.kk-top').innerText();
    const skip = await page.locator('a.kk-skip').textContent();
    const seen = [];
    for (const [en, tr] of words) {
        const shown = header.includes(tr) || (skip || '').includes(tr);
        expect(shown, `"${tr}" (${en}) is not on the Russian page; header: ${header.replace(/\s+/g, ' ')}`);
        seen.push(tr);
    }
    expect(/[\u0400-\u04FF]/.test(header), 'the Russian header has no Cyrillic letter');
    const current = await page.locator('footer.kk-foot a[aria-current]').getAttribute('lang');
    expect(current === 'ru', `the footer marks ${current} as current, not ru`);
    await follow(page, 'en', `${kind}-english-again`);
    expect(
        (await page.locator('html').getAttribute('lang')) === 'en',
        'switching back to English did not give lang="en"',
    );
    return `lang="ru" with ${seen.map((s) => `"${s}"`).join(', ')}; back to English`;
}
