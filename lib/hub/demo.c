/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * demo.c - the demo programme: five fictional outlets in Kyrgyzstan with
 * their people, devices, licences, websites and online accounts, six
 * months of observations that show the programme's progress, and demo
 * logins for every role.
 *
 * Everything is drawn from one seed with a small PRNG (splitmix64), never
 * from rand() or the system's random source, so the same seed and "now"
 * give the same rows, ids included: screenshots, browser tests and
 * benchmarks see the same data every time.  The trade-off: the demo
 * logins' TOTP secrets are as public as the seed, so a demo database is
 * for trying the hub out and never for real data.
 *
 * Three phases: a plan in memory (pure), then the password hashes and the
 * sealed TOTP secrets (Argon2id, about 50 ms each, done before the write
 * lock is taken), then one transaction that writes the plan and streams
 * the observations through the prepared statements of sql_demo.h.  The
 * 3,000-odd rows cost some tens of milliseconds inside one transaction;
 * row by row with a commit each they would cost seconds of fsync.
 */
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth.h"
#include "hub_int.h"
#include "i18n.h"
#include "kalkan/otp.h"
#include "model.h"
#include "programme.h"

#define DAY INT64_C(86400)
#define N_OUTLETS 5
#define PEOPLE_MAX 80
#define DEVICES_MAX 128
#define ACCOUNTS_MAX 320
#define ADMINS_MAX 3
#define USERS_MAX 12
#define SECRET_LEN 20
#define EV_MAX 12
#define NONE SIZE_MAX

/* ------------------------------------------------------------ the world */

struct role_spec {
    int dept; /* enum hub_department */
    const char *title;
    char computer;      /* 'D' desktop, 'L' laptop, 0 none (field work) */
    bool public_facing; /* on air, bylined */
    bool social;        /* runs the outlet's social media */
};

#define ED HUB_DEPT_EDITORIAL
#define AD HUB_DEPT_ADMIN
#define FI HUB_DEPT_FINANCE
#define TE HUB_DEPT_TECH
#define MG HUB_DEPT_MANAGEMENT

static const struct role_spec web_roles[] = {
    {MG, "Editor-in-chief", 'L', true, false},
    {FI, "Chief accountant", 'D', false, false},
    {AD, "Office manager", 'D', false, false},
    {TE, "Web developer", 'L', false, false},
    {ED, "Deputy editor", 'L', true, false},
    {ED, "News editor", 'L', true, false},
    {ED, "Reporter", 'L', true, false},
    {ED, "Reporter", 'L', true, false},
    {ED, "Reporter", 'L', true, false},
    {ED, "Social media editor", 'L', true, true},
    {ED, "Reporter", 'L', true, false},
    {ED, "Photographer", 0, true, false},
    {ED, "Translator", 'D', false, false},
    {FI, "Accountant", 'D', false, false},
};

static const struct role_spec tv_roles[] = {
    {MG, "General director", 'L', false, false},
    {FI, "Chief accountant", 'D', false, false},
    {AD, "HR and office manager", 'D', false, false},
    {TE, "Broadcast engineer", 'D', false, false},
    {ED, "Chief editor", 'L', true, false},
    {ED, "News presenter", 'L', true, false},
    {ED, "News presenter", 'L', true, false},
    {ED, "Reporter", 'L', true, false},
    {ED, "Reporter", 'L', true, false},
    {ED, "Reporter", 'L', true, true},
    {ED, "Camera operator", 0, false, false},
    {ED, "Camera operator", 0, false, false},
    {ED, "Video editor", 'D', false, false},
    {ED, "Video editor", 'D', false, false},
    {FI, "Accountant", 'D', false, false},
};

static const struct role_spec radio_roles[] = {
    {MG, "Director", 'L', true, false},
    {FI, "Accountant", 'D', false, false},
    {AD, "Administrator", 'D', false, false},
    {TE, "Sound engineer", 'D', false, false},
    {ED, "Editor", 'L', true, false},
    {ED, "Presenter", 'D', true, false},
    {ED, "Presenter", 'D', true, false},
    {ED, "Reporter", 'L', true, false},
    {ED, "Reporter", 'L', true, false},
    {ED, "Social media editor", 'L', true, true},
};

static const struct role_spec inv_roles[] = {
    {MG, "Director", 'L', true, false},
    {FI, "Finance manager", 'L', false, false},
    {AD, "Grants administrator", 'L', false, false},
    {TE, "IT and security officer", 'L', false, false},
    {ED, "Editor", 'L', true, true},
    {ED, "Investigative reporter", 'L', true, false},
    {ED, "Investigative reporter", 'L', true, false},
    {ED, "Data journalist", 'L', true, false},
    {ED, "Fact-checker", 'L', false, false},
};

static const struct role_spec paper_roles[] = {
    {MG, "Editor-in-chief", 'D', true, false},
    {FI, "Chief accountant", 'D', false, false},
    {AD, "Office manager", 'D', false, false},
    {ED, "Layout designer", 'D', false, false},
    {ED, "Deputy editor", 'D', true, true},
    {ED, "Correspondent", 'L', true, false},
    {ED, "Correspondent", 'L', true, false},
    {ED, "Correspondent", 0, true, false},
    {ED, "Photographer", 0, true, false},
    {ED, "Proofreader", 'D', false, false},
    {AD, "Distribution manager", 'D', false, false},
    {FI, "Accountant", 'D', false, false},
};

#undef ED
#undef AD
#undef FI
#undef TE
#undef MG

#define ROLES(a) a, sizeof a / sizeof a[0]

struct outlet_spec {
    const char *slug;
    const char *name;
    int media; /* enum hub_media */
    const char *region;
    const struct role_spec *roles;
    size_t n_roles;
    int freelancers; /* staff_count beyond the register */
    /* How fast the outlet moves: the share of accounts already strong at
     * the baseline, the share of the others made strong by now, and when
     * changes happen (per mille of the programme so far). */
    int base_strong;
    int adopt;
    int f_lo, f_hi;
    int pirated;   /* % of Windows computers unlicensed at the baseline */
    int linux_pct; /* % of computers running Ubuntu */
    int mac_pct;   /* % of laptops that are Macs */
    bool server;
    const char *cms;
    const char *host;
    const char *registrar;
    const char *dns;
    const char *second_site; /* sub-domain of a second website, or NULL */
};

/* The regional paper is the one that lags. */
static const struct outlet_spec outlets[N_OUTLETS] = {
    {"chynar-news", "Chynar News", HUB_MEDIA_WEB, "Bishkek", ROLES(web_roles),
     3, 10, 85, 100, 650, 25, 10, 15, true, "WordPress 6.6",
     "Hetzner Cloud (Falkenstein)", "Namecheap", "Cloudflare", "en"},
    {"koltolkun-tv", "Köl Tolkun TV", HUB_MEDIA_TV, "Issyk-Kul (Karakol)",
     ROLES(tv_roles), 4, 5, 70, 250, 900, 40, 5, 10, true, "Drupal 10.2",
     "Data centre in Bishkek (colocation)", "Tenir Domains", "Tenir Domains",
     NULL},
    {"jangyryk-fm", "Jangyryk FM", HUB_MEDIA_RADIO, "Osh", ROLES(radio_roles),
     2, 5, 65, 250, 900, 50, 0, 5, false, "WordPress 6.4",
     "Shared hosting (Osh)", "Tenir Domains", "Tenir Domains", NULL},
    {"kuzot", "Kuzöt Investigations", HUB_MEDIA_INVESTIGATIVE, "Bishkek",
     ROLES(inv_roles), 1, 25, 92, 50, 500, 5, 35, 40, true, "WordPress 6.6",
     "Hetzner Cloud (Helsinki)", "Gandi", "Cloudflare", "data"},
    {"naryn-kabarlary", "Naryn Kabarlary", HUB_MEDIA_PRINT, "Naryn",
     ROLES(paper_roles), 2, 3, 30, 450, 980, 60, 0, 0, false, "Joomla 3.10",
     "Shared hosting (Bishkek)", "Tenir Domains", "Tenir Domains", NULL},
};

/* The assistant trainer works with the two outlets outside Bishkek's
 * newsrooms that need the most visits. */
#define ASSISTED_A 1
#define ASSISTED_B 2

struct name {
    const char *cyr;
    const char *lat;
};

static const struct name female[] = {
    {"Айгуль", "aigul"},    {"Жылдыз", "jyldyz"},   {"Нургуль", "nurgul"},
    {"Айжан", "aizhan"},    {"Бермет", "bermet"},   {"Гульнара", "gulnara"},
    {"Динара", "dinara"},   {"Асель", "asel"},      {"Чолпон", "cholpon"},
    {"Мээрим", "meerim"},   {"Элнура", "elnura"},   {"Айпери", "aiperi"},
    {"Наталья", "natalya"}, {"Елена", "elena"},     {"Ольга", "olga"},
    {"Татьяна", "tatyana"}, {"Анна", "anna"},       {"Ирина", "irina"},
    {"Камила", "kamila"},   {"Айсулуу", "aisuluu"},
};

static const struct name male[] = {
    {"Азамат", "azamat"},   {"Бакыт", "bakyt"},   {"Эрлан", "erlan"},
    {"Нурлан", "nurlan"},   {"Тимур", "timur"},   {"Улан", "ulan"},
    {"Максат", "maksat"},   {"Эрмек", "ermek"},   {"Канат", "kanat"},
    {"Данияр", "daniyar"},  {"Бектур", "bektur"}, {"Адилет", "adilet"},
    {"Алексей", "aleksei"}, {"Сергей", "sergei"}, {"Дмитрий", "dmitrii"},
    {"Андрей", "andrei"},   {"Руслан", "ruslan"}, {"Чингиз", "chingiz"},
    {"Самат", "samat"},     {"Талант", "talant"},
};

/* Family names in the masculine form; the feminine adds "а" / "a". */
static const struct name family[] = {
    {"Асанов", "asanov"},         {"Токтогулов", "toktogulov"},
    {"Сыдыков", "sydykov"},       {"Жумабаев", "zhumabaev"},
    {"Осмонов", "osmonov"},       {"Абдыкеримов", "abdykerimov"},
    {"Маматов", "mamatov"},       {"Касымов", "kasymov"},
    {"Бекмуратов", "bekmuratov"}, {"Турдубаев", "turdubaev"},
    {"Эшимов", "eshimov"},        {"Иманалиев", "imanaliev"},
    {"Садыров", "sadyrov"},       {"Алымбеков", "alymbekov"},
    {"Керимбаев", "kerimbaev"},   {"Орозбеков", "orozbekov"},
    {"Исаков", "isakov"},         {"Мусаев", "musaev"},
    {"Иванов", "ivanov"},         {"Петров", "petrov"},
    {"Смирнов", "smirnov"},       {"Кузнецов", "kuznetsov"},
    {"Соколов", "sokolov"},       {"Попов", "popov"},
};

#define LEN(a) (sizeof a / sizeof a[0])

enum expiry { EXP_NONE, EXP_PAST, EXP_SOON, EXP_LATER };
#define SEATS_WINDOWS (-1) /* the outlet's Windows computers */
#define SEATS_ALL (-2)     /* everybody in the register */
#define SEATS_COMPUTERS (-3)

struct licence_spec {
    size_t outlet;
    const char *product;
    const char *type;
    int seats;
    int expiry; /* enum expiry */
    const char *funded_by;
    bool keyed; /* has a product key (stored masked) */
};

/* Three licences run out within 30 days of now and two have lapsed. */
static const struct licence_spec licences[] = {
    {0, "Windows 11 Pro", "volume", SEATS_WINDOWS, EXP_NONE, "donor", true},
    {0, "Microsoft 365 Business Standard", "subscription", SEATS_ALL, EXP_LATER,
     "outlet", false},
    {0, "ESET Endpoint Security", "subscription", SEATS_WINDOWS, EXP_SOON,
     "donor", true},
    {1, "Windows 10 Pro", "OEM", SEATS_WINDOWS, EXP_NONE, "outlet", true},
    {1, "Microsoft 365 Business Basic", "subscription", SEATS_ALL, EXP_SOON,
     "donor", false},
    {1, "ESET Endpoint Security", "subscription", SEATS_WINDOWS, EXP_LATER,
     "donor", true},
    {1, "Adobe Creative Cloud", "subscription", 3, EXP_SOON, "outlet", false},
    {2, "Windows 11 Pro", "retail", SEATS_WINDOWS, EXP_NONE, "donor", true},
    {2, "Microsoft 365 Business Basic", "subscription", SEATS_ALL, EXP_PAST,
     "outlet", false},
    {2, "ESET Endpoint Security", "subscription", SEATS_WINDOWS, EXP_LATER,
     "donor", true},
    {3, "Bitdefender GravityZone Business Security", "subscription",
     SEATS_COMPUTERS, EXP_LATER, "donor", true},
    {3, "Microsoft 365 Business Standard", "subscription", SEATS_ALL, EXP_LATER,
     "outlet", false},
    {3, "Windows 11 Pro", "OEM", SEATS_WINDOWS, EXP_NONE, "outlet", true},
    {4, "Windows 10 Pro", "OEM", SEATS_WINDOWS, EXP_NONE, "outlet", true},
    {4, "Microsoft Office 2019 Home and Business", "retail", 4, EXP_NONE,
     "outlet", true},
    {4, "ESET NOD32 Antivirus", "subscription", SEATS_WINDOWS, EXP_PAST,
     "donor", true},
};

/* Personal platforms beyond the work e-mail and the share of people (%)
 * who have an account there. */
static const struct {
    int pf;
    int pct;
} personal[] = {
    {HUB_PF_FB_PROFILE, 70}, {HUB_PF_TELEGRAM_USER, 80},
    {HUB_PF_WHATSAPP, 55},   {HUB_PF_INSTAGRAM, 35},
    {HUB_PF_OK, 15},
};

/* Every outlet's organisational accounts. */
static const int org_platforms[] = {
    HUB_PF_FB_PAGE,          HUB_PF_META_BUSINESS, HUB_PF_INSTAGRAM,
    HUB_PF_TELEGRAM_CHANNEL, HUB_PF_CMS_ADMIN,     HUB_PF_REGISTRAR,
    HUB_PF_HOSTING,          HUB_PF_DNS,
};

/* ------------------------------------------------------------- the plan */

struct d_person {
    int64_t id;
    size_t outlet;
    const struct role_spec *role;
    char name[96];
    char email[128];
    char given[24]; /* Latin, for handles */
    char surname[32];
    bool has[HUB_PF_COUNT + 1]; /* personal accounts held */
};

struct d_device {
    int64_t id;
    size_t outlet;
    int kind; /* enum hub_device_kind */
    const char *os;
    const char *version;
    size_t custodian; /* index into people */
    char tag[16];
};

struct d_account {
    int64_t id;
    size_t outlet;
    int pf;
    bool org;
    size_t person; /* owner, NONE for organisational accounts */
    int crit;
    char handle[160];
    size_t admin[ADMINS_MAX];
    size_t n_admins;
};

struct d_user {
    int64_t id;
    const char *role;
    char email[128];
    char password[48];
    uint8_t secret[SECRET_LEN];
    char hash[crypto_pwhash_STRBYTES];
    uint8_t sealed[160];
    size_t sealed_len;
    size_t person; /* NONE: not linked */
    size_t outlet[2];
    size_t n_outlets;
};

struct demo {
    struct hub_db *db;
    struct hub_conn *c;
    const struct hub_catalogue *cat;
    uint64_t rng; /* content */
    uint64_t ids; /* row ids */
    int64_t now;
    int64_t start; /* programme start, 00:00 UTC */
    int64_t span;  /* seconds from start to shortly before now */
    char start_date[24];
    int64_t outlet_id[N_OUTLETS];
    size_t first_person[N_OUTLETS];
    size_t n_person[N_OUTLETS];
    size_t windows[N_OUTLETS];   /* Windows computers */
    size_t computers[N_OUTLETS]; /* desktops and laptops */
    struct d_person people[PEOPLE_MAX];
    size_t n_people;
    struct d_device devices[DEVICES_MAX];
    size_t n_devices;
    struct d_account accounts[ACCOUNTS_MAX];
    size_t n_accounts;
    struct d_user users[USERS_MAX];
    size_t n_users;
    int64_t trainer; /* user ids, as observers */
    int64_t assistant;
    int64_t focal[N_OUTLETS];
};

/* splitmix64 (Steele, Lea, Flood 2014): one 64-bit state, full period,
 * good enough statistics for made-up data, identical on every platform. */
static uint64_t mix(uint64_t *s)
{
    uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));
    z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
    return z ^ (z >> 31);
}

/* Uniform enough in [0, n); the modulo bias is below 2^-50 here. */
static uint64_t below(struct demo *g, uint64_t n)
{
    return n == 0 ? 0 : mix(&g->rng) % n;
}

/* In [lo, hi]. */
static int64_t between(struct demo *g, int64_t lo, int64_t hi)
{
    return hi <= lo ? lo : lo + (int64_t)below(g, (uint64_t)(hi - lo) + 1);
}

static bool chance(struct demo *g, int pct)
{
    return (int)below(g, 100) < pct;
}

/* A row id in [2^40, 2^53), like hub_new_id but from the seed. */
static int64_t new_id(struct demo *g)
{
    uint64_t lo = UINT64_C(1) << 40, hi = UINT64_C(1) << 53;
    return (int64_t)(mix(&g->ids) % (hi - lo) + lo);
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil), and back; no time zone, no locale. */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    int64_t era, yoe, doy, doe;
    y -= m <= 2;
    era = (y >= 0 ? y : y - 399) / 400;
    yoe = y - era * 400;
    doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    int64_t era, doe, yoe, doy, mp;
    z += 719468;
    era = (z >= 0 ? z : z - 146096) / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* 'YYYY-MM-DD' of Unix time t (t >= 0). */
static void date_text(int64_t t, char *out, size_t cap)
{
    int64_t y;
    int m, d;
    civil_from_days(t / DAY, &y, &m, &d);
    snprintf(out, cap, "%04lld-%02d-%02d", (long long)y, m, d);
}

/* A moment at per mille f of the programme so far, plus up to an hour. */
static int64_t when(struct demo *g, int f_lo, int f_hi)
{
    int64_t f = between(g, f_lo, f_hi);
    return g->start + g->span * f / 1000 + between(g, 0, 3599);
}

/* The baseline assessment: in the week before the programme starts. */
static int64_t baseline_time(struct demo *g)
{
    return g->start - between(g, 3600, 6 * DAY);
}

/* Copies s replacing '-' by c (slugs as Instagram or Telegram names). */
static void slug_as(const char *s, char c, char *out, size_t cap)
{
    size_t i = 0;
    for (; s[i] != '\0' && i + 1 < cap; i++)
        out[i] = s[i] == '-' ? c : s[i];
    out[i] = '\0';
}

static void shuffle(struct demo *g, size_t *v, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)below(g, i), t = v[i - 1];
        v[i - 1] = v[j];
        v[j] = t;
    }
}

static bool email_taken(const struct demo *g, const char *email)
{
    for (size_t i = 0; i < g->n_people; i++) {
        if (strcmp(g->people[i].email, email) == 0)
            return true;
    }
    return false;
}

static void plan_person(struct demo *g, size_t o, const struct role_spec *r)
{
    struct d_person *p = &g->people[g->n_people];
    /* Redraws on a taken address; after 50 tries a number makes it unique
     * (never reached with these pools, but the loop must end). */
    for (unsigned tries = 0;; tries++) {
        bool fem = chance(g, 50);
        const struct name *gn =
            fem ? &female[below(g, LEN(female))] : &male[below(g, LEN(male))];
        const struct name *fn = &family[below(g, LEN(family))];
        const char *fa = fem ? "a" : "";
        char num[16] = "";
        if (tries >= 50)
            snprintf(num, sizeof num, "%u", tries);
        snprintf(p->name, sizeof p->name, "%s %s%s", gn->cyr, fn->cyr,
                 fem ? "а" : "");
        snprintf(p->given, sizeof p->given, "%s", gn->lat);
        snprintf(p->surname, sizeof p->surname, "%s%s", fn->lat, fa);
        snprintf(p->email, sizeof p->email, "%s.%s%s%s@%s.example", gn->lat,
                 fn->lat, fa, num, outlets[o].slug);
        if (!email_taken(g, p->email))
            break;
    }
    p->id = new_id(g);
    p->outlet = o;
    p->role = r;
    g->n_people++;
}

static void plan_people(struct demo *g)
{
    for (size_t o = 0; o < N_OUTLETS; o++) {
        g->first_person[o] = g->n_people;
        for (size_t i = 0; i < outlets[o].n_roles; i++)
            plan_person(g, o, &outlets[o].roles[i]);
        g->n_person[o] = outlets[o].n_roles;
    }
}

static struct d_device *device_add(struct demo *g, size_t o, int kind,
                                   size_t custodian, bool office)
{
    struct d_device *d = &g->devices[g->n_devices++];
    static const char *const tag_prefix[N_OUTLETS] = {"CHN", "KTV", "JFM",
                                                      "KUZ", "NRK"};
    d->id = new_id(g);
    d->outlet = o;
    d->kind = kind;
    d->custodian = custodian;
    if (office)
        snprintf(d->tag, sizeof d->tag, "%s-%03u", tag_prefix[o],
                 (unsigned)(g->n_devices % 1000));
    return d;
}

static void computer_os(struct demo *g, const struct outlet_spec *s,
                        struct d_device *d)
{
    int r = (int)below(g, 100);
    if (r < s->linux_pct) {
        d->os = "Ubuntu";
        d->version = chance(g, 60) ? "24.04" : "22.04";
    } else if (d->kind == HUB_DEV_LAPTOP && r < s->linux_pct + s->mac_pct) {
        d->os = "macOS";
        d->version = chance(g, 50) ? "15.1" : "14.6";
    } else if (d->kind == HUB_DEV_DESKTOP) {
        d->os = chance(g, 55) ? "Windows 10" : "Windows 11";
        d->version = d->os[9] == '0' ? "22H2" : "23H2";
    } else {
        r = (int)below(g, 100);
        d->os = r < 25 ? "Windows 10" : "Windows 11";
        d->version = r < 25 ? "22H2" : r < 70 ? "23H2" : "24H2";
    }
}

static size_t first_of(const struct demo *g, size_t o, int dept)
{
    for (size_t i = 0; i < g->n_person[o]; i++) {
        const struct d_person *p = &g->people[g->first_person[o] + i];
        if (p->role->dept == dept)
            return g->first_person[o] + i;
    }
    return NONE;
}

/* The one who looks after the outlet's machines: tech, else the head. */
static size_t keeper(const struct demo *g, size_t o)
{
    size_t i = first_of(g, o, HUB_DEPT_TECH);
    return i != NONE ? i : first_of(g, o, HUB_DEPT_MANAGEMENT);
}

static void plan_devices(struct demo *g)
{
    static const char *const android[] = {"12", "13", "14", "14", "15"};
    size_t idx[PEOPLE_MAX];
    for (size_t o = 0; o < N_OUTLETS; o++) {
        const struct outlet_spec *s = &outlets[o];
        size_t p0 = g->first_person[o], n = g->n_person[o];
        size_t phones = (n * 2 + 1) / 3;
        for (size_t i = 0; i < n; i++) {
            const struct role_spec *r = g->people[p0 + i].role;
            struct d_device *d;
            if (r->computer == 0)
                continue;
            d = device_add(
                g, o, r->computer == 'D' ? HUB_DEV_DESKTOP : HUB_DEV_LAPTOP,
                p0 + i, true);
            computer_os(g, s, d);
            g->computers[o]++;
            if (strncmp(d->os, "Windows", 7) == 0)
                g->windows[o]++;
        }
        /* Two in three bring a phone they also use for work. */
        for (size_t i = 0; i < n; i++)
            idx[i] = p0 + i;
        shuffle(g, idx, n);
        for (size_t i = 0; i < phones; i++) {
            struct d_device *d = device_add(g, o, HUB_DEV_PHONE, idx[i], false);
            if (chance(g, 70)) {
                d->os = "Android";
                d->version = android[below(g, LEN(android))];
            } else {
                d->os = "iOS";
                d->version = chance(g, 60) ? "18.1" : "17.6";
            }
        }
        if (s->server) {
            struct d_device *d =
                device_add(g, o, HUB_DEV_SERVER, keeper(g, o), true);
            d->os = chance(g, 50) ? "Ubuntu" : "Debian";
            d->version = d->os[0] == 'U' ? "22.04" : "12";
        }
        {
            struct d_device *d =
                device_add(g, o, HUB_DEV_ROUTER, keeper(g, o), true);
            d->os = "RouterOS";
            d->version = chance(g, 50) ? "7.14" : "6.49";
        }
    }
}

static bool is_linux(const struct d_device *d)
{
    return strcmp(d->os, "Ubuntu") == 0 || strcmp(d->os, "Debian") == 0;
}

static struct d_account *account_add(struct demo *g, size_t o, int pf,
                                     size_t person)
{
    struct d_account *a = &g->accounts[g->n_accounts++];
    a->id = new_id(g);
    a->outlet = o;
    a->pf = pf;
    a->org = person == NONE;
    a->person = person;
    a->crit = 2;
    return a;
}

static void personal_handle(struct demo *g, struct d_account *a)
{
    const struct d_person *p = &g->people[a->person];
    switch (a->pf) {
    case HUB_PF_EMAIL:
        snprintf(a->handle, sizeof a->handle, "%s", p->email);
        a->crit = 3;
        break;
    case HUB_PF_FB_PROFILE:
        snprintf(a->handle, sizeof a->handle, "facebook.com/%s.%s", p->given,
                 p->surname);
        break;
    case HUB_PF_INSTAGRAM:
        snprintf(a->handle, sizeof a->handle, "@%s_%s", p->given, p->surname);
        break;
    case HUB_PF_TELEGRAM_USER:
        snprintf(a->handle, sizeof a->handle, "@%s%s%u", p->given, p->surname,
                 (unsigned)below(g, 100));
        break;
    case HUB_PF_WHATSAPP:
        /* The register keeps the number masked: it identifies the
         * account for the person, and is nobody else's business. */
        snprintf(a->handle, sizeof a->handle, "+996 ••• ••• %03u",
                 (unsigned)below(g, 1000));
        break;
    default: /* HUB_PF_OK */
        snprintf(a->handle, sizeof a->handle, "ok.ru/profile/5%011llu",
                 (unsigned long long)below(g, UINT64_C(100000000000)));
        a->crit = 1;
        break;
    }
}

static void org_handle(struct d_account *a)
{
    const struct outlet_spec *s = &outlets[a->outlet];
    char alt[64];
    a->crit = 3;
    switch (a->pf) {
    case HUB_PF_FB_PAGE:
        snprintf(a->handle, sizeof a->handle, "facebook.com/%s", s->slug);
        break;
    case HUB_PF_META_BUSINESS:
        snprintf(a->handle, sizeof a->handle, "%s (business portfolio)",
                 s->name);
        break;
    case HUB_PF_INSTAGRAM:
        slug_as(s->slug, '.', alt, sizeof alt);
        snprintf(a->handle, sizeof a->handle, "@%s", alt);
        a->crit = 2;
        break;
    case HUB_PF_TELEGRAM_CHANNEL:
        slug_as(s->slug, '_', alt, sizeof alt);
        snprintf(a->handle, sizeof a->handle, "t.me/%s", alt);
        break;
    case HUB_PF_CMS_ADMIN:
        snprintf(a->handle, sizeof a->handle, "https://%s.example/%s", s->slug,
                 strncmp(s->cms, "WordPress", 9) == 0 ? "wp-admin"
                 : strncmp(s->cms, "Drupal", 6) == 0  ? "user/login"
                                                      : "administrator");
        break;
    case HUB_PF_REGISTRAR:
        snprintf(a->handle, sizeof a->handle, "%s: %s.example", s->registrar,
                 s->slug);
        break;
    case HUB_PF_HOSTING:
        snprintf(a->handle, sizeof a->handle, "%s: control panel", s->host);
        break;
    default: /* HUB_PF_DNS */
        snprintf(a->handle, sizeof a->handle, "%s: zone %s.example", s->dns,
                 s->slug);
        break;
    }
}

/* How suited person p is to administer an organisational account on pf:
 * 0 best, larger worse, -1 not at all. */
static int admin_rank(const struct d_person *p, int pf)
{
    int via = hub_platform_admin_via(pf), dept = p->role->dept;
    if (via != 0 && !p->has[via])
        return -1;
    switch (pf) {
    case HUB_PF_FB_PAGE:
    case HUB_PF_META_BUSINESS:
    case HUB_PF_INSTAGRAM:
    case HUB_PF_TELEGRAM_CHANNEL:
        if (dept == HUB_DEPT_MANAGEMENT || p->role->social)
            return 0;
        if (dept == HUB_DEPT_EDITORIAL && p->role->public_facing)
            return 1;
        if (dept == HUB_DEPT_TECH ||
            (dept == HUB_DEPT_FINANCE && pf == HUB_PF_META_BUSINESS))
            return 2;
        return -1;
    case HUB_PF_CMS_ADMIN:
        return dept == HUB_DEPT_TECH         ? 0
               : dept == HUB_DEPT_MANAGEMENT ? 1
               : p->role->social             ? 2
                                             : -1;
    default: /* registrar, hosting, DNS */
        return dept == HUB_DEPT_TECH         ? 0
               : dept == HUB_DEPT_MANAGEMENT ? 1
               : dept == HUB_DEPT_ADMIN      ? 2
                                             : -1;
    }
}

static void pick_admins(struct demo *g, struct d_account *a)
{
    size_t p0 = g->first_person[a->outlet], n = g->n_person[a->outlet];
    size_t cand[PEOPLE_MAX], nc = 0, want;
    int64_t key[PEOPLE_MAX];
    int r = (int)below(g, 100);
    /* Most assets have two admins, some one (a single point of failure
     * the coverage pages flag), a few three. */
    want = r < (a->pf == HUB_PF_REGISTRAR ? 50 : 20) ? 1 : r < 80 ? 2 : 3;
    for (size_t i = 0; i < n; i++) {
        int rank = admin_rank(&g->people[p0 + i], a->pf);
        int64_t k = rank * 1000 + (int64_t)below(g, 1000);
        size_t j = nc;
        if (rank < 0)
            continue;
        while (j > 0 && key[j - 1] > k) {
            key[j] = key[j - 1];
            cand[j] = cand[j - 1];
            j--;
        }
        key[j] = k;
        cand[j] = p0 + i;
        nc++;
    }
    /* The head always holds the profiles an admin needs (plan_accounts),
     * so nc >= 1; the fallback only keeps the invariant explicit. */
    if (nc == 0)
        cand[nc++] = first_of(g, a->outlet, HUB_DEPT_MANAGEMENT);
    for (size_t i = 0; i < want && i < nc; i++)
        a->admin[a->n_admins++] = cand[i];
}

static void plan_accounts(struct demo *g)
{
    size_t idx[PEOPLE_MAX];
    for (size_t o = 0; o < N_OUTLETS; o++) {
        size_t p0 = g->first_person[o], n = g->n_person[o];
        for (size_t i = 0; i < n; i++) {
            struct d_account *a = account_add(g, o, HUB_PF_EMAIL, p0 + i);
            g->people[p0 + i].has[HUB_PF_EMAIL] = true;
            personal_handle(g, a);
        }
        for (size_t k = 0; k < LEN(personal); k++) {
            int pf = personal[k].pf;
            size_t want = (n * (size_t)personal[k].pct + 50) / 100, got = 0;
            bool admin_profile =
                pf == HUB_PF_FB_PROFILE || pf == HUB_PF_TELEGRAM_USER;
            for (size_t i = 0; i < n; i++)
                idx[i] = p0 + i;
            shuffle(g, idx, n);
            /* Those who run the page and the channel need the profiles. */
            for (size_t i = 0; admin_profile && i < n; i++) {
                struct d_person *p = &g->people[idx[i]];
                if (p->role->dept == HUB_DEPT_MANAGEMENT || p->role->social) {
                    p->has[pf] = true;
                    got++;
                }
            }
            for (size_t i = 0; i < n && got < want; i++) {
                if (!g->people[idx[i]].has[pf]) {
                    g->people[idx[i]].has[pf] = true;
                    got++;
                }
            }
            for (size_t i = 0; i < n; i++) {
                if (g->people[p0 + i].has[pf])
                    personal_handle(g, account_add(g, o, pf, p0 + i));
            }
        }
        for (size_t k = 0; k < LEN(org_platforms); k++) {
            struct d_account *a = account_add(g, o, org_platforms[k], NONE);
            org_handle(a);
            pick_admins(g, a);
        }
    }
}

static void user_add(struct demo *g, const char *role, const char *email,
                     const char *password, size_t person)
{
    struct d_user *u = &g->users[g->n_users++];
    u->id = new_id(g);
    u->role = role;
    u->person = person;
    snprintf(u->email, sizeof u->email, "%s", email);
    snprintf(u->password, sizeof u->password, "%s", password);
    for (size_t i = 0; i < SECRET_LEN; i++)
        u->secret[i] = (uint8_t)(mix(&g->rng) >> 56);
}

static size_t first_social(const struct demo *g, size_t o)
{
    for (size_t i = 0; i < g->n_person[o]; i++) {
        if (g->people[g->first_person[o] + i].role->social)
            return g->first_person[o] + i;
    }
    return g->first_person[o];
}

static void plan_users(struct demo *g)
{
    char email[128], pw[48];
    struct d_user *u;
    user_add(g, "trainer", "trainer@kalkan.example", "kalkan-demo-trainer",
             NONE);
    g->trainer = g->users[0].id;
    user_add(g, "assistant", "assistant@kalkan.example",
             "kalkan-demo-assistant", NONE);
    u = &g->users[1];
    u->outlet[0] = ASSISTED_A;
    u->outlet[1] = ASSISTED_B;
    u->n_outlets = 2;
    g->assistant = u->id;
    for (size_t o = 0; o < N_OUTLETS; o++) {
        snprintf(email, sizeof email, "focal@%s.example", outlets[o].slug);
        snprintf(pw, sizeof pw, "kalkan-demo-%s", outlets[o].slug);
        user_add(g, "focal", email, pw, NONE);
        u = &g->users[g->n_users - 1];
        u->outlet[0] = o;
        u->n_outlets = 1;
        g->focal[o] = u->id;
    }
    /* Two staff members log in with their work e-mail: one from the web
     * newsroom's social desk, one from the regional paper's accounts. */
    {
        size_t a = first_social(g, 0), b = first_of(g, 4, HUB_DEPT_FINANCE);
        user_add(g, "staff", g->people[a].email, "kalkan-demo-staff-one", a);
        u = &g->users[g->n_users - 1];
        u->outlet[0] = 0;
        u->n_outlets = 1;
        user_add(g, "staff", g->people[b].email, "kalkan-demo-staff-two", b);
        u = &g->users[g->n_users - 1];
        u->outlet[0] = 4;
        u->n_outlets = 1;
    }
    user_add(g, "donor", "donor@kalkan.example", "kalkan-demo-donor", NONE);
    /* The selection panel's login draws from streams of its own, so every
     * row drawn after it is the same as in a demo without it. */
    {
        uint64_t rng = g->rng, ids = g->ids;
        g->rng ^= UINT64_C(0x70616e656c000001);
        g->ids ^= UINT64_C(0x70616e656c000002);
        user_add(g, "panel", "panel@kalkan.example", "kalkan-demo-panel", NONE);
        g->rng = rng;
        g->ids = ids;
    }
}

/* ------------------------------------------------------- writing it out */

static int step(struct demo *g, sqlite3_stmt *st, const char *what,
                struct kk_diag *d)
{
    int err = hub_exec(st);
    if (err != KK_OK)
        kk_diag_set(d, "demo: cannot store %s: %s", what,
                    sqlite3_errmsg(g->c->db));
    return err;
}

static int write_register(struct demo *g, struct kk_diag *d)
{
    sqlite3_stmt *st;
    int err = KK_OK;
    for (size_t o = 0; o < N_OUTLETS && err == KK_OK; o++) {
        const struct outlet_spec *s = &outlets[o];
        st = hub_q(g->c, HUB_Q_DEMO_OUTLET);
        g->outlet_id[o] = new_id(g);
        hub_bind_i64(st, ":id", g->outlet_id[o]);
        hub_bind_text(st, ":slug", s->slug);
        hub_bind_text(st, ":name", s->name);
        hub_bind_text(st, ":media", hub_media_name(s->media));
        hub_bind_text(st, ":region", s->region);
        hub_bind_i64(st, ":staff", (int64_t)s->n_roles + s->freelancers);
        hub_bind_i64(st, ":at", g->start - 30 * DAY);
        err = step(g, st, "an outlet", d);
    }
    for (size_t i = 0; i < g->n_people && err == KK_OK; i++) {
        const struct d_person *p = &g->people[i];
        st = hub_q(g->c, HUB_Q_DEMO_PERSON);
        hub_bind_i64(st, ":id", p->id);
        hub_bind_i64(st, ":outlet", g->outlet_id[p->outlet]);
        hub_bind_text(st, ":name", p->name);
        hub_bind_text(st, ":dept", hub_department_name(p->role->dept));
        hub_bind_text(st, ":title", p->role->title);
        hub_bind_text(st, ":email", p->email);
        hub_bind_i64(st, ":public", p->role->public_facing);
        hub_bind_i64(st, ":at", g->start - between(g, 10, 20) * DAY);
        err = step(g, st, "a person", d);
    }
    for (size_t i = 0; i < g->n_devices && err == KK_OK; i++) {
        const struct d_device *v = &g->devices[i];
        st = hub_q(g->c, HUB_Q_DEMO_DEVICE);
        hub_bind_i64(st, ":id", v->id);
        hub_bind_i64(st, ":outlet", g->outlet_id[v->outlet]);
        hub_bind_text(st, ":kind", hub_device_kind_name(v->kind));
        hub_bind_text(st, ":ownership",
                      v->kind == HUB_DEV_PHONE ? "personal" : "office");
        hub_bind_text(st, ":os", v->os);
        hub_bind_text(st, ":version", v->version);
        hub_bind_text(st, ":tag", v->tag);
        hub_bind_i64(st, ":custodian", g->people[v->custodian].id);
        hub_bind_i64(st, ":at", g->start - between(g, 8, 10) * DAY);
        err = step(g, st, "a device", d);
    }
    return err;
}

static int write_licences(struct demo *g, struct kk_diag *d)
{
    static const char keychars[] = "BCDFGHJKMPQRTVWXY2346789";
    int err = KK_OK;
    for (size_t i = 0; i < LEN(licences) && err == KK_OK; i++) {
        const struct licence_spec *l = &licences[i];
        sqlite3_stmt *st = hub_q(g->c, HUB_Q_DEMO_LICENCE);
        char expires[24] = "", key[32] = "";
        int64_t seats = l->seats;
        if (seats == SEATS_WINDOWS)
            seats = (int64_t)g->windows[l->outlet];
        else if (seats == SEATS_ALL)
            seats = (int64_t)g->n_person[l->outlet];
        else if (seats == SEATS_COMPUTERS)
            seats = (int64_t)g->computers[l->outlet];
        if (seats < 1)
            seats = 1;
        if (l->expiry == EXP_PAST)
            date_text(g->now - between(g, 5, 40) * DAY, expires,
                      sizeof expires);
        else if (l->expiry == EXP_SOON)
            date_text(g->now + between(g, 3, 28) * DAY, expires,
                      sizeof expires);
        else if (l->expiry == EXP_LATER)
            date_text(g->now + between(g, 60, 330) * DAY, expires,
                      sizeof expires);
        /* Only the last five characters of a key are ever known here:
         * the register must not be a store of product keys. */
        if (l->keyed) {
            memcpy(key, "•••••-", strlen("•••••-"));
            for (size_t k = 0; k < 5; k++)
                key[strlen("•••••-") + k] =
                    keychars[below(g, sizeof keychars - 1)];
        }
        hub_bind_i64(st, ":id", new_id(g));
        hub_bind_i64(st, ":outlet", g->outlet_id[l->outlet]);
        hub_bind_text(st, ":product", l->product);
        hub_bind_text(st, ":type", l->type);
        hub_bind_i64(st, ":seats", seats);
        hub_bind_text(st, ":expires", expires);
        hub_bind_text(st, ":funded", l->funded_by);
        hub_bind_text(st, ":key", key);
        hub_bind_i64(st, ":at", g->start - between(g, 10, 20) * DAY);
        err = step(g, st, "a licence", d);
    }
    return err;
}

static int website_put(struct demo *g, size_t o, const char *url,
                       const char *cms, int64_t expiry, int64_t *id,
                       struct kk_diag *d)
{
    const struct outlet_spec *s = &outlets[o];
    sqlite3_stmt *st = hub_q(g->c, HUB_Q_DEMO_WEBSITE);
    char date[24];
    *id = new_id(g);
    date_text(expiry, date, sizeof date);
    hub_bind_i64(st, ":id", *id);
    hub_bind_i64(st, ":outlet", g->outlet_id[o]);
    hub_bind_text(st, ":url", url);
    hub_bind_text(st, ":cms", cms);
    hub_bind_text(st, ":host", s->host);
    hub_bind_text(st, ":registrar", s->registrar);
    hub_bind_text(st, ":expiry", date);
    hub_bind_i64(st, ":at", g->start - between(g, 8, 10) * DAY);
    return step(g, st, "a website", d);
}

static int write_accounts(struct demo *g, struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t i = 0; i < g->n_accounts && err == KK_OK; i++) {
        const struct d_account *a = &g->accounts[i];
        sqlite3_stmt *st = hub_q(g->c, HUB_Q_DEMO_ACCOUNT);
        hub_bind_i64(st, ":id", a->id);
        hub_bind_i64(st, ":outlet", g->outlet_id[a->outlet]);
        hub_bind_text(st, ":platform", hub_platform_name(a->pf));
        hub_bind_text(st, ":kind", a->org ? "org" : "personal");
        hub_bind_text(st, ":handle", a->handle);
        if (a->org)
            hub_bind_null(st, ":person");
        else
            hub_bind_i64(st, ":person", g->people[a->person].id);
        hub_bind_i64(st, ":crit", a->crit);
        hub_bind_i64(st, ":at", g->start - between(g, 8, 10) * DAY);
        err = step(g, st, "an account", d);
        for (size_t k = 0; k < a->n_admins && err == KK_OK; k++) {
            st = hub_q(g->c, HUB_Q_DEMO_ADMIN);
            hub_bind_i64(st, ":account", a->id);
            hub_bind_i64(st, ":person", g->people[a->admin[k]].id);
            hub_bind_text(st, ":role", k == 0 ? "owner" : "admin");
            err = step(g, st, "an account admin", d);
        }
    }
    return err;
}

static int write_users(struct demo *g, struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t i = 0; i < g->n_users && err == KK_OK; i++) {
        const struct d_user *u = &g->users[i];
        sqlite3_stmt *st = hub_q(g->c, HUB_Q_USER_INSERT);
        hub_bind_i64(st, ":id", u->id);
        hub_bind_text(st, ":email", u->email);
        hub_bind_text(st, ":role", u->role);
        hub_bind_text(st, ":pw", u->hash);
        hub_bind_blob(st, ":totp", u->sealed, u->sealed_len);
        if (u->person != NONE)
            hub_bind_i64(st, ":person", g->people[u->person].id);
        else
            hub_bind_null(st, ":person");
        hub_bind_i64(st, ":now", g->start - 30 * DAY);
        err = step(g, st, "a login", d);
        for (size_t k = 0; k < u->n_outlets && err == KK_OK; k++) {
            st = hub_q(g->c, HUB_Q_USER_OUTLET_ADD);
            hub_bind_i64(st, ":user", u->id);
            hub_bind_i64(st, ":outlet", g->outlet_id[u->outlet[k]]);
            err = step(g, st, "a login's outlet", d);
        }
    }
    return err;
}

/* ------------------------------------------------------- observations */

/* One event of a series: a new state (state != 0) or a re-check that
 * records the state as it stands (state 0). */
struct ev {
    int64_t t;
    int state; /* enum hub_tfa (2FA series) or enum hub_obs_status */
    const char *note;
    const char *source;
    int64_t by; /* observer, 0 for a program */
};

struct series {
    struct ev ev[EV_MAX];
    size_t n;
};

static void ser_add(struct series *s, int64_t t, int state, const char *note,
                    const char *source, int64_t by)
{
    if (s->n < EV_MAX)
        s->ev[s->n++] = (struct ev){t, state, note, source, by};
}

/* A re-check within ten days of a change would repeat it: dropped. */
static bool near_change(const struct series *s, size_t i)
{
    for (size_t j = 0; j < s->n; j++) {
        int64_t dt = s->ev[j].t - s->ev[i].t;
        if (j != i && s->ev[j].state != 0 && dt < 10 * DAY && dt > -10 * DAY)
            return true;
    }
    return false;
}

static const char *tfa_status(int tfa)
{
    if (hub_tfa_strong(tfa))
        return hub_obs_status_name(HUB_OBS_PASS);
    return hub_obs_status_name(tfa == HUB_TFA_SMS ? HUB_OBS_PARTIAL
                                                  : HUB_OBS_FAIL);
}

/* Writes a series in time order.  A control the compiled-in catalogue
 * lacks is skipped: the demo follows the catalogue, not the reverse. */
static int ser_write(struct demo *g, size_t o, const char *stype, int64_t sid,
                     const char *control, struct series *s, bool tfa,
                     struct kk_diag *d)
{
    const struct hub_control *ctl = hub_catalogue_find(g->cat, control);
    int err = KK_OK, cur = 0;
    if (ctl == NULL)
        s->n = 0;
    for (size_t i = 1; i < s->n; i++) {
        struct ev e = s->ev[i];
        size_t j = i;
        while (j > 0 && s->ev[j - 1].t > e.t) {
            s->ev[j] = s->ev[j - 1];
            j--;
        }
        s->ev[j] = e;
    }
    for (size_t i = 0; i < s->n && err == KK_OK; i++) {
        const struct ev *e = &s->ev[i];
        int state = e->state;
        int64_t t = e->t < g->now ? e->t : g->now;
        sqlite3_stmt *st;
        if (state == 0) {
            if (cur == 0 || near_change(s, i))
                continue;
            state = cur;
        }
        cur = state;
        st = hub_q(g->c, HUB_Q_DEMO_OBS);
        hub_bind_i64(st, ":outlet", g->outlet_id[o]);
        hub_bind_text(st, ":stype", stype);
        hub_bind_i64(st, ":sid", sid);
        hub_bind_text(st, ":control", ctl->id);
        if (tfa) {
            hub_bind_text(st, ":status", tfa_status(state));
            hub_bind_text(st, ":value", hub_tfa_name(state));
        } else {
            hub_bind_text(st, ":status", hub_obs_status_name(state));
            hub_bind_null(st, ":value");
        }
        hub_bind_text(st, ":source", e->source);
        hub_bind_text(st, ":note", e->note);
        hub_bind_i64(st, ":at", t);
        if (e->by != 0)
            hub_bind_i64(st, ":by", e->by);
        else
            hub_bind_null(st, ":by");
        hub_bind_i64(st, ":expires", t + (int64_t)ctl->stale_days * DAY);
        err = step(g, st, "an observation", d);
    }
    return err;
}

/* The method an account ends up with once someone sets it up properly. */
static int tfa_target(struct demo *g, int pf)
{
    int r = (int)below(g, 100);
    switch (pf) {
    case HUB_PF_EMAIL:
        return r < 55   ? HUB_TFA_APP
               : r < 65 ? HUB_TFA_PUSH
               : r < 85 ? HUB_TFA_PASSKEY
                        : HUB_TFA_KEY;
    case HUB_PF_FB_PROFILE:
    case HUB_PF_META_BUSINESS:
        return r < 85 ? HUB_TFA_APP : HUB_TFA_KEY;
    case HUB_PF_WHATSAPP:
        return r < 50 ? HUB_TFA_APP : HUB_TFA_PASSKEY;
    case HUB_PF_REGISTRAR:
    case HUB_PF_HOSTING:
    case HUB_PF_DNS:
        return r < 50 ? HUB_TFA_APP : HUB_TFA_KEY;
    default:
        return HUB_TFA_APP;
    }
}

/* Share (%) of weak accounts that use SMS rather than nothing. */
static int sms_share(int pf)
{
    switch (pf) {
    case HUB_PF_EMAIL:
        return 50;
    case HUB_PF_OK:
        return 40;
    case HUB_PF_FB_PROFILE:
    case HUB_PF_FB_PAGE:
    case HUB_PF_META_BUSINESS:
        return 35;
    case HUB_PF_INSTAGRAM:
    case HUB_PF_REGISTRAR:
    case HUB_PF_HOSTING:
        return 30;
    default:
        return 15;
    }
}

static int64_t midline_by(const struct demo *g, size_t o)
{
    return o == ASSISTED_A || o == ASSISTED_B ? g->assistant : g->trainer;
}

static int obs_account(struct demo *g, const struct d_account *a,
                       struct kk_diag *d)
{
    const struct outlet_spec *s = &outlets[a->outlet];
    int64_t focal = g->focal[a->outlet];
    struct series ser = {.n = 0};
    int base;
    if (chance(g, s->base_strong))
        base = tfa_target(g, a->pf);
    else
        base = chance(g, sms_share(a->pf)) ? HUB_TFA_SMS : HUB_TFA_NONE;
    ser_add(&ser, baseline_time(g), base, "Baseline assessment", "manual",
            g->trainer);
    if (!hub_tfa_strong(base)) {
        if (chance(g, s->adopt)) {
            int64_t t = when(g, s->f_lo, s->f_hi);
            if (base == HUB_TFA_NONE && chance(g, 25))
                ser_add(&ser, g->start + (t - g->start) * 6 / 10, HUB_TFA_SMS,
                        "Switched on SMS codes", "manual", focal);
            ser_add(&ser, t, tfa_target(g, a->pf),
                    "Moved to a stronger method after the training", "manual",
                    focal);
        } else if (base == HUB_TFA_NONE && chance(g, 35)) {
            ser_add(&ser, when(g, s->f_lo, s->f_hi), HUB_TFA_SMS,
                    "Switched on SMS codes", "manual", focal);
        }
    }
    ser_add(&ser, when(g, 480, 540), 0, "Midline check", "manual",
            midline_by(g, a->outlet));
    if (chance(g, 70))
        ser_add(&ser, when(g, 950, 995), 0, "Endline check", "manual", focal);
    return ser_write(g, a->outlet, "account", a->id,
                     hub_platform_control(a->pf), &ser, true, d);
}

/* A pass/fail control on one subject over the programme. */
struct check {
    const char *control;
    int base;          /* % passing at the baseline */
    int fix;           /* % of failing ones fixed by now */
    bool na;           /* does not apply to this subject */
    bool partial;      /* fixes often go through "partial" first */
    int relapse;       /* % of passing ones that fail again for a while */
    const char *agent; /* "host" or "web": a program reports after the
                          baseline (and "web" for the baseline too) */
};

static int obs_check(struct demo *g, size_t o, const char *stype, int64_t sid,
                     const struct check *c, struct kk_diag *d)
{
    const struct outlet_spec *s = &outlets[o];
    struct series ser = {.n = 0};
    bool web = c->agent != NULL && strcmp(c->agent, "web") == 0;
    const char *later = c->agent != NULL ? c->agent : "manual";
    int64_t focal = c->agent != NULL ? 0 : g->focal[o];
    int64_t fixed_at = 0;
    int base = c->na                ? HUB_OBS_NA
               : chance(g, c->base) ? HUB_OBS_PASS
                                    : HUB_OBS_FAIL;
    ser_add(&ser, baseline_time(g), base, "Baseline assessment",
            web ? "web" : "manual", web ? 0 : g->trainer);
    if (base == HUB_OBS_FAIL && chance(g, c->fix)) {
        fixed_at = when(g, s->f_lo, s->f_hi);
        if (c->partial && chance(g, 50))
            ser_add(&ser, g->start + (fixed_at - g->start) / 2, HUB_OBS_PARTIAL,
                    "Partly done", later, focal);
        ser_add(&ser, fixed_at, HUB_OBS_PASS, "Fixed", later, focal);
    }
    if ((base == HUB_OBS_PASS || fixed_at != 0) && chance(g, c->relapse)) {
        int64_t lo = fixed_at != 0 ? (fixed_at - g->start) * 1000 / g->span : 0;
        int64_t f = between(g, lo + 50 > 300 ? lo + 50 : 300, 850);
        int64_t t = g->start + g->span * f / 1000;
        ser_add(&ser, t, HUB_OBS_FAIL, "Failing again", later, focal);
        ser_add(&ser, t + between(g, 3, 12) * DAY, HUB_OBS_PASS, "Fixed again",
                later, focal);
    }
    if (c->agent == NULL) {
        ser_add(&ser, when(g, 480, 540), 0, "Midline check", "manual",
                midline_by(g, o));
        if (chance(g, 70))
            ser_add(&ser, when(g, 950, 995), 0, "Endline check", "manual",
                    focal);
    } else {
        /* Programs report daily; the demo keeps the latest report and
         * one from midline. */
        ser_add(&ser, when(g, 480, 540), 0, "Scheduled report", later, 0);
        ser_add(&ser, g->now - between(g, 600, 20 * 3600), 0,
                "Scheduled report", later, 0);
    }
    return ser_write(g, o, stype, sid, c->control, &ser, false, d);
}

static int obs_device(struct demo *g, const struct d_device *v,
                      struct kk_diag *d)
{
    const struct outlet_spec *s = &outlets[v->outlet];
    bool phone = v->kind == HUB_DEV_PHONE, router = v->kind == HUB_DEV_ROUTER;
    bool server = v->kind == HUB_DEV_SERVER, lin = is_linux(v);
    bool mac = strcmp(v->os, "macOS") == 0;
    bool win = strncmp(v->os, "Windows", 7) == 0;
    const char *agent = lin ? "host" : NULL;
    int adopt = s->adopt;
    struct check c[] = {
        {"DEV-05",
         win   ? 45
         : mac ? 30
               : 10,
         adopt, phone || router, false, 0, agent},
        {"DEV-02", win ? 100 - s->pirated : 100, adopt, !win && !mac, false, 0,
         agent},
        {"DEV-03", phone ? 50 : 35, adopt, false, false, 30, agent},
        {"DEV-06",
         phone ? 75
         : mac ? 50
               : 15,
         phone ? 80 : adopt * 2 / 3, router, true, 0, agent},
        {"DEV-11", 0,
         server || v->kind == HUB_DEV_DESKTOP ? adopt * 3 / 4 : adopt / 2,
         phone || router, false, 0, agent},
    };
    int err = KK_OK;
    for (size_t i = 0; i < LEN(c) && err == KK_OK; i++)
        err = obs_check(g, v->outlet, "device", v->id, &c[i], d);
    return err;
}

static int obs_people(struct demo *g, struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t i = 0; i < g->n_people && err == KK_OK; i++) {
        const struct d_person *p = &g->people[i];
        const struct outlet_spec *s = &outlets[p->outlet];
        struct check pm = {
            "ACC-14", s->base_strong, s->adopt * 3 / 4, false, false, 0, NULL};
        struct check codes = {
            "ACC-03", s->base_strong / 2, s->adopt * 2 / 3, false, true, 0,
            NULL};
        err = obs_check(g, p->outlet, "person", p->id, &pm, d);
        if (err == KK_OK)
            err = obs_check(g, p->outlet, "person", p->id, &codes, d);
    }
    return err;
}

static int obs_outlets(struct demo *g, struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t o = 0; o < N_OUTLETS && err == KK_OK; o++) {
        int adopt = outlets[o].adopt;
        bool lag = o == N_OUTLETS - 1;
        struct check c[] = {
            {"ORG-01", lag ? 0 : 100, 100, false, false, 0, NULL},
            {"ORG-02", 0, adopt, false, true, 0, NULL},
            {"ORG-04", 0, adopt * 3 / 4, false, true, 0, NULL},
            {"PHY-01", 30, adopt, false, true, 0, NULL},
            {"PHY-02", 20, adopt, false, false, 0, NULL},
            {"PHY-03", 0, lag ? 0 : adopt, false, true, 0, NULL},
        };
        for (size_t i = 0; i < LEN(c) && err == KK_OK; i++)
            err = obs_check(g, o, "outlet", g->outlet_id[o], &c[i], d);
    }
    return err;
}

/* Checks of one website, as the website checker reports them. */
static int obs_website(struct demo *g, size_t o, int64_t id, bool expiring,
                       struct kk_diag *d)
{
    int adopt = outlets[o].adopt;
    struct check c[] = {
        {"WEB-01", 70, 90, false, false, 0, "web"},
        {"WEB-07", 10, adopt, false, true, 0, "web"},
        {"WEB-08", expiring ? 0 : 100, 0, false, false, 0, "web"},
    };
    int err = KK_OK;
    for (size_t i = 0; i < LEN(c) && err == KK_OK; i++)
        err = obs_check(g, o, "website", id, &c[i], d);
    return err;
}

static int write_websites(struct demo *g, struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t o = 0; o < N_OUTLETS && err == KK_OK; o++) {
        const struct outlet_spec *s = &outlets[o];
        /* The paper's domain runs out soon: WEB-08 has something to say. */
        bool expiring = o == N_OUTLETS - 1;
        int64_t exp =
            g->now +
            (expiring ? between(g, 20, 45) : between(g, 90, 400)) * DAY;
        int64_t id = 0;
        char url[128];
        snprintf(url, sizeof url, "https://%s.example", s->slug);
        err = website_put(g, o, url, s->cms, exp, &id, d);
        if (err == KK_OK)
            err = obs_website(g, o, id, expiring, d);
        if (err == KK_OK && s->second_site != NULL) {
            bool data = strcmp(s->second_site, "data") == 0;
            snprintf(url, sizeof url, "https://%s.%s.example", s->second_site,
                     s->slug);
            err = website_put(g, o, url, data ? "Hugo 0.125 (static)" : s->cms,
                              exp, &id, d);
            if (err == KK_OK)
                err = obs_website(g, o, id, expiring, d);
        }
    }
    return err;
}

static int write_observations(struct demo *g, struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t i = 0; i < g->n_accounts && err == KK_OK; i++)
        err = obs_account(g, &g->accounts[i], d);
    for (size_t i = 0; i < g->n_devices && err == KK_OK; i++)
        err = obs_device(g, &g->devices[i], d);
    if (err == KK_OK)
        err = obs_people(g, d);
    if (err == KK_OK)
        err = obs_outlets(g, d);
    return err;
}

/* ------------------------------------------------------------ the entry */

static int any_outlet(struct demo *g, bool *yes)
{
    sqlite3_stmt *st = hub_q(g->c, HUB_Q_DEMO_ANY_OUTLET);
    int err = KK_ERR_IO;
    if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
        *yes = sqlite3_column_int(st, 0) != 0;
        err = KK_OK;
    }
    if (st != NULL)
        sqlite3_reset(st);
    return err;
}

/* Argon2id hashes and sealed secrets, before the write lock is taken. */
static int seal_users(struct demo *g, struct kk_diag *d)
{
    int err = KK_OK;
    for (size_t i = 0; i < g->n_users && err == KK_OK; i++) {
        struct d_user *u = &g->users[i];
        err = hub_pw_hash(u->password, u->hash, sizeof u->hash);
        if (err == KK_OK)
            err = hub_totp_seal(g->db, u->id, u->secret, SECRET_LEN, u->sealed,
                                sizeof u->sealed, &u->sealed_len);
        if (err != KK_OK)
            kk_diag_set(d, "demo: cannot protect the login of %s", u->email);
    }
    return err;
}

static int write_logins(struct demo *g, struct kk_buf *out)
{
    char b32[64];
    int err = KK_OK;
    for (size_t i = 0; i < g->n_users && err == KK_OK; i++) {
        const struct d_user *u = &g->users[i];
        err = otp_base32_encode(u->secret, SECRET_LEN, false, b32, sizeof b32,
                                NULL);
        if (err == KK_OK)
            err = kk_buf_putf(out, "%s\t%s\t%s\t%s\t", u->email, u->password,
                              b32, u->role);
        for (size_t k = 0; k < u->n_outlets && err == KK_OK; k++)
            err = kk_buf_putf(out, "%s%s", k > 0 ? "," : "",
                              outlets[u->outlet[k]].slug);
        if (err == KK_OK)
            err = kk_buf_puts(out, u->n_outlets == 0 ? "-\n" : "\n");
    }
    kk_wipe(b32, sizeof b32);
    return err;
}

/* Month 0: the first day of the month six months before now. */
static void programme_start(struct demo *g)
{
    int64_t y;
    int m, day;
    civil_from_days(g->now / DAY, &y, &m, &day);
    m -= 6;
    if (m < 1) {
        m += 12;
        y--;
    }
    g->start = days_from_civil(y, m, 1) * DAY;
    /* Changes happen up to two hours before now. */
    g->span = g->now - 2 * 3600 - g->start;
    date_text(g->start, g->start_date, sizeof g->start_date);
}

/* The workflows' rows (programme.h): each area draws from its own
 * streams, derived from the seed, so adding one leaves the others' rows
 * as they were. */
static int write_programme(struct demo *g, struct kk_diag *d)
{
    static int (*const area[])(struct hub_demo_ctx *) = {
        hub_demo_selection, hub_demo_assess, hub_demo_training,
        hub_demo_incidents, hub_demo_site,   hub_demo_guard,
    };
    int err = KK_OK;
    for (size_t i = 0; i < sizeof area / sizeof area[0] && err == KK_OK; i++) {
        struct hub_demo_ctx x = {
            .c = g->c,
            .rng = g->rng ^ (UINT64_C(0x70726f6772616d00) + i),
            .ids = g->ids ^ (UINT64_C(0x70726f6769647300) + i),
            .start = g->start,
            .now = g->now,
            .trainer = g->trainer,
            .d = d,
        };
        err = area[i](&x);
    }
    return err;
}

static int write_all(struct demo *g, struct kk_buf *logins, struct kk_diag *d)
{
    sqlite3_stmt *st = hub_q(g->c, HUB_Q_SETTING_SET);
    int err;
    hub_bind_text(st, ":key", "programme_start");
    hub_bind_text(st, ":value", g->start_date);
    err = step(g, st, "the programme start", d);
    if (err == KK_OK)
        err = write_register(g, d);
    if (err == KK_OK)
        err = write_licences(g, d);
    if (err == KK_OK)
        err = write_accounts(g, d);
    if (err == KK_OK)
        err = write_users(g, d);
    if (err == KK_OK)
        err = write_websites(g, d);
    if (err == KK_OK)
        err = write_observations(g, d);
    if (err == KK_OK)
        err = write_programme(g, d);
    if (err == KK_OK) {
        err = write_logins(g, logins);
        if (err != KK_OK)
            kk_diag_set(d, "demo: the logins do not fit the buffer");
    }
    return err;
}

/* The demo's "now" must leave six months of history after 2000. */
#define NOW_MIN INT64_C(962409600)    /* 2000-07-01 */
#define NOW_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */
#define IDS_SALT UINT64_C(0x6b616c6b616e6964)

int hub_demo_fill(struct hub_db *db, uint64_t seed, int64_t now,
                  struct kk_buf *logins, struct kk_diag *d)
{
    struct demo *g = NULL;
    size_t mark = 0;
    bool exists = false, in_tx = false;
    int err;
    if (db == NULL || logins == NULL) {
        kk_diag_set(d, "demo: no database or no buffer for the logins");
        err = KK_ERR_INVAL;
        goto out;
    }
    mark = kk_buf_len(logins);
    if (now < NOW_MIN || now > NOW_MAX) {
        kk_diag_set(d, "demo: the time %lld is out of range", (long long)now);
        err = KK_ERR_RANGE;
        goto out;
    }
    g = calloc(1, sizeof *g);
    if (g == NULL) {
        err = KK_ERR_NOMEM;
        goto out;
    }
    g->db = db;
    g->cat = hub_catalogue_builtin();
    g->rng = seed;
    g->ids = seed ^ IDS_SALT;
    g->now = now;
    programme_start(g);
    err = hub_conn_get(db, &g->c);
    if (err != KK_OK)
        goto out;
    /* A cheap look first, so a filled database costs no hashing. */
    err = any_outlet(g, &exists);
    if (err == KK_OK && exists)
        err = KK_ERR_EXISTS;
    if (err != KK_OK)
        goto out;
    plan_people(g);
    plan_devices(g);
    plan_accounts(g);
    plan_users(g);
    err = seal_users(g, d);
    if (err != KK_OK)
        goto out;
    err = hub_tx_begin(g->c);
    if (err != KK_OK)
        goto out;
    in_tx = true;
    /* The authoritative look, under the write lock. */
    err = any_outlet(g, &exists);
    if (err == KK_OK && exists)
        err = KK_ERR_EXISTS;
    if (err == KK_OK)
        err = write_all(g, logins, d);
    if (err != KK_OK)
        goto out;
    err = hub_tx_commit(g->c);
    in_tx = false;
    if (err != KK_OK)
        kk_diag_set(d, "demo: cannot commit: %s", kk_strerror(err));
out:
    if (err == KK_ERR_EXISTS)
        kk_diag_set(d, "demo: the database already holds outlets");
    if (err != KK_OK && logins != NULL)
        kk_buf_truncate(logins, mark);
    if (in_tx)
        hub_tx_rollback(g->c);
    if (g != NULL) {
        kk_wipe(g, sizeof *g);
        free(g);
    }
    return err;
}

int64_t hub_demo_now(void)
{
    const char *fake = getenv("KALKAN_HUB_NOW");
    int64_t t;
    if (fake != NULL && kk_parse_time(fake, &t) == KK_OK)
        return t;
    return (int64_t)time(NULL);
}
