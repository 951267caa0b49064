/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * sheet.c - the printable enrolment sheet: one HTML page, in English,
 * Russian or Kyrgyz, that a trainer prints (or shows on a phone) so a
 * staff member can add the credential to an authenticator app.
 *
 * The page is self-contained on purpose: no script, no web font, no image
 * file, no link to follow, only inline CSS and the QR code as inline SVG
 * drawn by otp_qr_render.  It opens offline in any browser, prints on one
 * A4 page, and nothing about the secret leaves the machine when it is
 * opened.  Every name that came from a person (issuer, account) is
 * HTML-escaped; the texts of the three languages are static, in one table
 * below, and are escaped too, so a careless edit cannot break the page.
 * The trade-off is a little CSS that every browser understands rather than
 * a nicer layout that some would not.  Cost: dominated by the QR code, a
 * few hundred kilobytes at most for the longest labels.
 */
#include "kalkan/otp.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "otp_int.h"

/* The texts of one language.  Plain sentences, no markup: they are
 * escaped like any other string. */
struct sheet_text {
    const char *code; /* the lang attribute */
    const char *title;
    const char *warning; /* destroy the sheet */
    const char *issuer;
    const char *account;
    const char *steps_title;
    const char *steps[6];
    const char *manual_title;
    const char *manual_hint;
    const char *key;
    const char *type;
    const char *type_totp;
    const char *type_hotp;
    const char *digits;
    const char *algorithm;
    const char *period;
    const char *seconds;
    const char *lost_title;
    const char *lost[3];
    const char *local;
};

static const struct sheet_text sheet_texts[] = {
    [OTP_LANG_EN] =
        {
            .code = "en",
            .title = "Two-step login: setting up your phone",
            .warning =
                "This sheet contains your secret key. Destroy this sheet "
                "after scanning: shred it or tear it into small pieces. Do "
                "not photograph it and do not leave it on a desk.",
            .issuer = "Organisation",
            .account = "Account",
            .steps_title = "Set up your phone",
            .steps =
                {
                    "Install an authenticator app from the app store. On "
                    "Android: Aegis or FreeOTP. On iPhone: Raivo, 2FAS or "
                    "Google Authenticator. The app is free and needs no "
                    "registration.",
                    "Open the app and tap \"+\". Choose \"Scan QR code\" and "
                    "point the camera at the code below.",
                    "The app now shows this account and a code made of "
                    "digits.",
                    "Type that code on the office computer when the trainer "
                    "asks for it. If it is not accepted, wait for the next "
                    "code and try again.",
                    "From now on, when the computer asks for a code, open the "
                    "app and type the code it shows.",
                    "Destroy this sheet.",
                },
            .manual_title = "Cannot scan? Type the key by hand",
            .manual_hint =
                "In the app, choose to enter a key by hand (\"Enter a setup "
                "key\" or similar). Type the account name and this key. "
                "Spaces do not matter. If the app asks for the type, choose "
                "the one shown here.",
            .key = "Key",
            .type = "Type",
            .type_totp = "Time-based (TOTP)",
            .type_hotp = "Counter-based (HOTP)",
            .digits = "Digits in a code",
            .algorithm = "Algorithm",
            .period = "New code every",
            .seconds = "seconds",
            .lost_title = "If you lose your phone",
            .lost =
                {
                    "Log in with one of your recovery codes. Each code works "
                    "once. Keep them on paper, in a safe place, away from "
                    "the phone.",
                    "Tell the trainer at once. They will switch off the code "
                    "of the lost phone and help you set up a new one.",
                    "Do not copy this sheet. For a new phone the trainer "
                    "prints a new sheet.",
                },
            .local = "This QR code was made on this computer and never sent "
                     "anywhere: not to the internet, not to any company. "
                     "Only this sheet and your phone hold the key.",
        },
    [OTP_LANG_RU] =
        {
            .code = "ru",
            .title = "Вход с кодом из телефона: настройка",
            .warning =
                "На этом листе ваш секретный ключ. Уничтожьте лист после "
                "сканирования: пропустите через шредер или порвите на "
                "мелкие кусочки. Не фотографируйте его и не оставляйте на "
                "столе.",
            .issuer = "Организация",
            .account = "Учётная запись",
            .steps_title = "Настройте телефон",
            .steps =
                {
                    "Установите приложение-аутентификатор из магазина "
                    "приложений. На Android: Aegis или FreeOTP. На iPhone: "
                    "Raivo, 2FAS или Google Authenticator. Приложение "
                    "бесплатное, регистрация не нужна.",
                    "Откройте приложение и нажмите «+». Выберите "
                    "сканирование QR-кода («Scan QR code») и наведите камеру "
                    "на код ниже.",
                    "В приложении появится эта учётная запись и код из "
                    "цифр.",
                    "Введите этот код на рабочем компьютере, когда тренер "
                    "попросит. Если код не подошёл, дождитесь следующего и "
                    "попробуйте ещё раз.",
                    "Теперь, когда компьютер просит код, откройте приложение "
                    "и введите код, который оно показывает.",
                    "Уничтожьте этот лист.",
                },
            .manual_title = "Не получается отсканировать? Введите ключ вручную",
            .manual_hint =
                "В приложении выберите ручной ввод («Enter a setup key» или "
                "похожее). Введите название учётной записи и этот ключ. "
                "Пробелы не важны. Если приложение спросит тип, выберите "
                "указанный здесь.",
            .key = "Ключ",
            .type = "Тип",
            .type_totp = "По времени (TOTP)",
            .type_hotp = "По счётчику (HOTP)",
            .digits = "Цифр в коде",
            .algorithm = "Алгоритм",
            .period = "Новый код каждые",
            .seconds = "секунд",
            .lost_title = "Если вы потеряли телефон",
            .lost =
                {
                    "Войдите с одним из резервных кодов. Каждый код "
                    "работает только один раз. Храните их на бумаге, в "
                    "надёжном месте, отдельно от телефона.",
                    "Сразу сообщите тренеру. Он отключит код потерянного "
                    "телефона и поможет настроить новый.",
                    "Не делайте копий этого листа. Для нового телефона "
                    "тренер распечатает новый лист.",
                },
            .local = "Этот QR-код создан на этом компьютере и никуда не "
                     "отправлялся: ни в интернет, ни в какую-либо компанию. "
                     "Ключ есть только на этом листе и в вашем телефоне.",
        },
    [OTP_LANG_KY] =
        {
            .code = "ky",
            .title = "Телефондогу код менен кирүү: жөндөө",
            .warning =
                "Бул баракта сиздин жашыруун ачкычыңыз бар. Сканерлегенден "
                "кийин бул баракты жок кылыңыз: шредерден өткөрүңүз же "
                "майда бөлүктөргө айрып салыңыз. Сүрөткө тартпаңыз жана "
                "столго калтырбаңыз.",
            .issuer = "Уюм",
            .account = "Аккаунт",
            .steps_title = "Телефонду жөндөңүз",
            .steps =
                {
                    "Колдонмолор дүкөнүнөн аутентификатор колдонмосун "
                    "орнотуңуз. Android үчүн: Aegis же FreeOTP. iPhone "
                    "үчүн: Raivo, 2FAS же Google Authenticator. Колдонмо "
                    "акысыз, катталуунун кереги жок.",
                    "Колдонмону ачып, «+» баскычын басыңыз. QR-кодду "
                    "сканерлөөнү («Scan QR code») тандап, камераны төмөнкү "
                    "кодго багыттаңыз.",
                    "Колдонмодо бул аккаунт жана сандардан турган код пайда "
                    "болот.",
                    "Тренер сураганда, ошол кодду жумуш компьютериңизге "
                    "териңиз. Код туура келбесе, кийинки кодду күтүп, кайра "
                    "аракет кылыңыз.",
                    "Мындан ары компьютер код сураганда, колдонмону ачып, ал "
                    "көрсөткөн кодду териңиз.",
                    "Бул баракты жок кылыңыз.",
                },
            .manual_title = "Сканерлей албай жатасызбы? Ачкычты колго териңиз",
            .manual_hint =
                "Колдонмодон ачкычты колго терүүнү тандаңыз («Enter a setup "
                "key» же ушуга окшош). Аккаунттун атын жана бул ачкычты "
                "териңиз. Боштуктардын мааниси жок. Колдонмо түрүн сураса, "
                "бул жерде көрсөтүлгөнүн тандаңыз.",
            .key = "Ачкыч",
            .type = "Түрү",
            .type_totp = "Убакыт боюнча (TOTP)",
            .type_hotp = "Эсептегич боюнча (HOTP)",
            .digits = "Коддогу сандар",
            .algorithm = "Алгоритм",
            .period = "Жаңы код ар бир",
            .seconds = "секунд сайын",
            .lost_title = "Телефонуңуз жоголсо",
            .lost =
                {
                    "Запастагы коддордун бири менен кириңиз. Ар бир код бир "
                    "гана жолу иштейт. Аларды кагазда, коопсуз жерде, "
                    "телефондон бөлөк сактаңыз.",
                    "Дароо тренерге кабарлаңыз. Ал жоголгон телефондун "
                    "кодун өчүрүп, жаңы телефонду жөндөөгө жардам берет.",
                    "Бул барактын көчүрмөсүн жасабаңыз. Жаңы телефон үчүн "
                    "тренер жаңы барак басып берет.",
                },
            .local = "Бул QR-код ушул компьютерде түзүлгөн жана эч жакка "
                     "жөнөтүлгөн эмес: интернетке да, эч бир компанияга да. "
                     "Ачкыч ушул баракта жана сиздин телефонуңузда гана бар.",
        },
};

/* Inline CSS: readable on a phone (the QR fills the screen width), one
 * A4 page on paper (smaller type, a QR of 60 mm, no page breaks). */
static const char sheet_css[] =
    "body{font-family:sans-serif;line-height:1.4;margin:0 auto;"
    "max-width:40em;padding:1em;color:#000;background:#fff}"
    "h1{font-size:1.4em;margin:0 0 .5em}"
    "h2{font-size:1.1em;margin:1em 0 .3em}"
    ".warn{border:3px solid #000;padding:.5em;font-weight:bold}"
    ".qr svg{display:block;width:100%;max-width:70mm;height:auto;"
    "margin:.5em auto}"
    "table{border-collapse:collapse}"
    "th,td{text-align:left;padding:.1em .6em .1em 0;vertical-align:top}"
    ".key{font-family:monospace;font-size:1.3em;word-spacing:.3em;"
    "letter-spacing:.05em;overflow-wrap:anywhere}"
    "ol,ul{padding-left:1.4em;margin:.3em 0}"
    "@page{size:A4;margin:12mm}"
    "@media print{body{max-width:none;padding:0;font-size:9.5pt}"
    ".qr svg{width:60mm;max-width:60mm}"
    "h1,h2,.qr,.warn,table{break-inside:avoid}}";

int otp_html_escape(struct kk_buf *out, const char *s)
{
    size_t start;
    int r = KK_OK;

    if (out == NULL || s == NULL)
        return KK_ERR_INVAL;
    start = kk_buf_len(out);
    for (const char *p = s; *p != '\0' && r == KK_OK; p++) {
        switch (*p) {
        case '&':
            r = kk_buf_puts(out, "&amp;");
            break;
        case '<':
            r = kk_buf_puts(out, "&lt;");
            break;
        case '>':
            r = kk_buf_puts(out, "&gt;");
            break;
        case '"':
            r = kk_buf_puts(out, "&quot;");
            break;
        case '\'':
            r = kk_buf_puts(out, "&#39;");
            break;
        default:
            r = kk_buf_putc(out, (unsigned char)*p);
            break;
        }
    }
    if (r != KK_OK)
        kk_buf_truncate(out, start);
    return r;
}

int otp_lang_parse(const char *s, enum otp_lang *out)
{
    int r = KK_ERR_INVAL;

    for (size_t i = 0;
         s != NULL && i < sizeof sheet_texts / sizeof *sheet_texts; i++) {
        if (strcasecmp(s, sheet_texts[i].code) == 0) {
            *out = (enum otp_lang)i;
            r = KK_OK;
            break;
        }
    }
    return r;
}

/* Appends <tag>escaped text</tag>. */
static int put_elem(struct kk_buf *out, const char *tag, const char *text)
{
    int r = kk_buf_putf(out, "<%s>", tag);

    if (r == KK_OK)
        r = otp_html_escape(out, text);
    if (r == KK_OK)
        r = kk_buf_putf(out, "</%s>\n", tag);
    return r;
}

/* Appends one table row: the label, then value and unit (may be NULL),
 * all escaped; cls (may be NULL) is the class of the value cell. */
static int put_row(struct kk_buf *out, const char *label, const char *cls,
                   const char *value, const char *unit)
{
    int r = kk_buf_puts(out, "<tr><th>");

    if (r == KK_OK)
        r = otp_html_escape(out, label);
    if (r == KK_OK)
        r = kk_buf_putf(out, "</th><td%s%s%s>", cls != NULL ? " class=\"" : "",
                        cls != NULL ? cls : "", cls != NULL ? "\"" : "");
    if (r == KK_OK)
        r = otp_html_escape(out, value);
    if (r == KK_OK && unit != NULL)
        r = otp_html_escape(out, unit);
    if (r == KK_OK)
        r = kk_buf_puts(out, "</td></tr>\n");
    return r;
}

/* Appends the items of a list, skipping unused (NULL) slots. */
static int put_items(struct kk_buf *out, const char *const *items, size_t n)
{
    int r = KK_OK;

    for (size_t i = 0; i < n && r == KK_OK; i++)
        if (items[i] != NULL)
            r = put_elem(out, "li", items[i]);
    return r;
}

/*
 * The secret in base32, unpadded, in groups of 4 separated by spaces, into
 * key (cap bytes).  Grouping costs one character in four, so cap must hold
 * 5/4 of the base32 length.  The caller wipes key.
 */
static int key_groups(const struct otp_uri *u, char *key, size_t cap)
{
    char b32[KK_OTP_BASE32_MAX + 1];
    size_t n = 0;
    size_t j = 0;
    int r;

    r = otp_base32_encode(u->secret, u->secret_len, false, b32, sizeof b32, &n);
    for (size_t i = 0; r == KK_OK && i < n; i++) {
        if (j + 2 >= cap) {
            r = KK_ERR_TRUNC;
            break;
        }
        if (i > 0 && i % 4 == 0)
            key[j++] = ' ';
        key[j++] = b32[i];
    }
    if (r == KK_OK)
        key[j] = '\0';
    kk_wipe(b32, sizeof b32);
    return r;
}

/* Appends the SVG element of the QR code of the URI in uri, without the
 * XML declaration that only a standalone file needs. */
static int put_qr(struct kk_buf *out, const struct kk_buf *uri)
{
    struct kk_buf *svg = kk_buf_new(KK_OTP_QR_MAX);
    const char *p;
    int r;

    if (svg == NULL)
        return KK_ERR_NOMEM;
    r = otp_qr_render(kk_buf_str(uri), OTP_QR_SVG, svg);
    if (r == KK_OK) {
        p = strstr(kk_buf_str(svg), "<svg");
        r = p != NULL ? kk_buf_puts(out, p) : KK_ERR_INVAL;
    }
    kk_buf_free(svg);
    return r;
}

/* The body of otp_sheet_render; out may be left half-written. */
static int sheet_write(const struct otp_uri *u, const struct sheet_text *t,
                       const struct kk_buf *uri, const char *key,
                       struct kk_buf *out)
{
    char num[32];
    int r;

    r = kk_buf_putf(out,
                    "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n"
                    "<meta charset=\"utf-8\">\n"
                    "<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n"
                    "<meta name=\"robots\" content=\"noindex\">\n<title>",
                    t->code);
    if (r == KK_OK)
        r = otp_html_escape(out, t->title);
    if (r == KK_OK)
        r = kk_buf_putf(out, "</title>\n<style>%s</style>\n</head>\n<body>\n",
                        sheet_css);
    if (r == KK_OK)
        r = put_elem(out, "h1", t->title);
    if (r == KK_OK)
        r = kk_buf_puts(out, "<p class=\"warn\">");
    if (r == KK_OK)
        r = otp_html_escape(out, t->warning);
    if (r == KK_OK)
        r = kk_buf_puts(out, "</p>\n<table>\n");
    if (r == KK_OK && u->issuer[0] != '\0')
        r = put_row(out, t->issuer, NULL, u->issuer, NULL);
    if (r == KK_OK)
        r = put_row(out, t->account, NULL, u->account, NULL);
    if (r == KK_OK)
        r = kk_buf_puts(out, "</table>\n");
    if (r == KK_OK)
        r = put_elem(out, "h2", t->steps_title);
    if (r == KK_OK)
        r = kk_buf_puts(out, "<ol>\n");
    if (r == KK_OK)
        r = put_items(out, t->steps, sizeof t->steps / sizeof *t->steps);
    if (r == KK_OK)
        r = kk_buf_puts(out, "</ol>\n<div class=\"qr\">\n");
    if (r == KK_OK)
        r = put_qr(out, uri);
    if (r == KK_OK)
        r = kk_buf_puts(out, "</div>\n");
    if (r == KK_OK)
        r = put_elem(out, "h2", t->manual_title);
    if (r == KK_OK)
        r = put_elem(out, "p", t->manual_hint);
    if (r == KK_OK)
        r = kk_buf_puts(out, "<table>\n");
    if (r == KK_OK)
        r = put_row(out, t->account, NULL, u->account, NULL);
    if (r == KK_OK)
        r = put_row(out, t->key, "key", key, NULL);
    if (r == KK_OK)
        r = put_row(out, t->type, NULL,
                    u->params.kind == OTP_KIND_HOTP ? t->type_hotp
                                                    : t->type_totp,
                    NULL);
    if (r == KK_OK) {
        snprintf(num, sizeof num, "%u", u->params.digits);
        r = put_row(out, t->digits, NULL, num, NULL);
    }
    if (r == KK_OK)
        r = put_row(out, t->algorithm, NULL, otp_alg_name(u->params.alg), NULL);
    if (r == KK_OK && u->params.kind == OTP_KIND_TOTP) {
        snprintf(num, sizeof num, "%u ", u->params.period);
        r = put_row(out, t->period, NULL, num, t->seconds);
    }
    if (r == KK_OK)
        r = kk_buf_puts(out, "</table>\n");
    if (r == KK_OK)
        r = put_elem(out, "h2", t->lost_title);
    if (r == KK_OK)
        r = kk_buf_puts(out, "<ul>\n");
    if (r == KK_OK)
        r = put_items(out, t->lost, sizeof t->lost / sizeof *t->lost);
    if (r == KK_OK)
        r = kk_buf_puts(out, "</ul>\n");
    if (r == KK_OK)
        r = put_elem(out, "p", t->local);
    if (r == KK_OK)
        r = kk_buf_puts(out, "</body>\n</html>\n");
    return r;
}

int otp_sheet_render(const struct otp_uri *u, enum otp_lang lang,
                     struct kk_buf *out)
{
    /* 5 characters per 4 of base32, rounded up, and the NUL. */
    char key[KK_OTP_BASE32_MAX + KK_OTP_BASE32_MAX / 4 + 2];
    struct kk_buf *uri = NULL;
    size_t start = 0;
    int r;

    if (u == NULL || out == NULL ||
        (unsigned)lang >= sizeof sheet_texts / sizeof *sheet_texts) {
        r = KK_ERR_INVAL;
        goto out;
    }
    start = kk_buf_len(out);
    uri = kk_buf_new(KK_OTP_URI_MAX);
    if (uri == NULL) {
        r = KK_ERR_NOMEM;
        goto out;
    }
    r = otp_uri_build(u, uri);
    if (r == KK_OK)
        r = key_groups(u, key, sizeof key);
    if (r == KK_OK)
        r = sheet_write(u, &sheet_texts[lang], uri, key, out);
    if (r != KK_OK)
        kk_buf_truncate(out, start);
out:
    kk_wipe(key, sizeof key);
    kk_buf_free(uri);
    return r;
}
