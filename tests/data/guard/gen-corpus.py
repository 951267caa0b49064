#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""gen-corpus.py - a synthetic day at a newsroom's web server, with known
attackers and known innocents, for the log guard's acceptance test and its
benchmark.

usage: gen-corpus.py OUTDIR [--access N] [--auth N] [--seed S] [--end UNIX]
                     [--addresses K]

Writes into OUTDIR:
  access.log  nginx "combined" lines (N of them)
  auth.log    BSD syslog lines: sshd as OpenSSH 9 on Debian 12 writes them
              (with the pam_unix lines), plus cron, sudo, logind and kernel
              noise (N of them)
  truth.tsv   one row per actor: category, address (an IPv6 actor as its
              /64), "ban" or "keep", and the rule expected to ban it
              ("a|b" when either rule may come first; "-" for innocents)

The window is the six hours that end at --end (default: now).  Both files
get --end as their modification time, so a reader that places year-less
syslog stamps near the file's time reads the same year whatever today is.
Syslog stamps are written in UTC: read the files with TZ=UTC.

Every actor is built by its own routine that says what it does and why it
is there.  Attackers are sized to be caught by any sensible threshold with a
wide margin, and innocents are kept well below one: the test is about the
guard telling the two apart, not about one particular threshold.  The
deliberately hard innocents are the newsroom's office (thirty staff behind
one NAT address, busy all day, some mistyping their password), the site's
own WordPress cron and uptime monitor, polite crawlers that meet old links
(404), and iPhone readers whose browsers ask for missing touch icons.

Lines are sorted by time with up to 1.5 s of local disorder, as nginx
workers and syslog writers produce; the lines of one process stay in
the order it wrote them.  The output depends only on the
options: the same options give the same bytes.  Standard library only.
"""

import argparse
import ipaddress
import os
import random
import sys
import time

SPAN = 6 * 3600
MONTHS = "Jan Feb Mar Apr May Jun Jul Aug Sep Oct Nov Dec".split()
SITE = "https://newsroom.example"
HOST = "newsroom"

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 "
    "Firefox/133.0",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Linux; Android 14; SM-A546B) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 "
    "Firefox/128.0",
]
IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) "
          "AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 "
          "Mobile/15E148 Safari/604.1")
GOOGLEBOT = ("Mozilla/5.0 (compatible; Googlebot/2.1; "
             "+http://www.google.com/bot.html)")
BINGBOT = ("Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; "
           "bingbot/2.0; +http://www.bing.com/bingbot.htm) Chrome/131.0.0.0 "
           "Safari/537.36")
UPTIME = ("Mozilla/5.0+(compatible; UptimeRobot/2.0; "
          "http://www.uptimerobot.com/)")
WPCRON = "WordPress/6.7.1; " + SITE
JETPACK = "Jetpack by WordPress.com"

SECTIONS = ["politics", "economy", "society", "culture", "world",
            "investigations", "opinion", "sport"]
SLUG_WORDS = ["election", "budget", "court", "water", "border", "school",
              "protest", "hospital", "mayor", "energy", "gold", "mine",
              "road", "tax", "media", "law", "festival", "river", "bank"]
ASSETS = [
    "/wp-content/themes/newsroom/style.css?ver=2.4.1",
    "/wp-content/themes/newsroom/js/main.js?ver=2.4.1",
    "/wp-includes/js/jquery/jquery.min.js?ver=3.7.1",
    "/wp-includes/css/dist/block-library/style.min.css?ver=6.7.1",
    "/wp-content/themes/newsroom/fonts/pt-serif.woff2",
    "/wp-content/themes/newsroom/img/logo.svg",
]

# What scanners ask for: secrets, repositories, backups, admin tools and
# the usual webshell and exploit paths.
SCAN_PATHS = [
    "/.env", "/.env.bak", "/.env.production", "/api/.env", "/app/.env",
    "/laravel/.env", "/.git/config", "/.git/HEAD", "/.git/index",
    "/.svn/entries", "/.hg/hgrc", "/.DS_Store", "/.aws/credentials",
    "/.ssh/id_rsa", "/.htpasswd", "/.vscode/sftp.json",
    "/backup.zip", "/backup.tar.gz", "/site.tar.gz", "/www.zip",
    "/newsroom.zip", "/db.sql", "/dump.sql", "/database.sql.gz",
    "/wp-config.php.bak", "/wp-config.php.old", "/wp-config.php~",
    "/wp-config.php.save", "/wp-content/debug.log", "/config.php.bak",
    "/phpmyadmin/", "/phpMyAdmin/index.php", "/pma/index.php",
    "/myadmin/", "/mysqladmin/", "/adminer.php", "/adminer/",
    "/dbadmin/", "/sqlmanager/", "/webmail/", "/roundcube/",
    "/cgi-bin/test-cgi", "/cgi-bin/luci/;stok=/locale", "/server-status",
    "/actuator/env", "/actuator/health", "/solr/admin/info/system",
    "/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php",
    "/wp-content/plugins/wp-file-manager/lib/php/connector.minimal.php",
    "/wp-content/plugins/revslider/temp/update_extract/revslider/a.php",
    "/wp-admin/setup-config.php", "/wp-admin/install.php",
    "/shell.php", "/cmd.php", "/wso.php", "/alfa.php", "/c99.php",
    "/xleet.php", "/about.php", "/wp-content/uploads/x.php",
    "/admin/config.php", "/config.json", "/config.yml", "/info.php",
    "/phpinfo.php", "/test.php", "/owa/auth/logon.aspx", "/HNAP1/",
    "/boaform/admin/formLogin", "/geoserver/web/", "/telescope/requests",
    "/_profiler/phpinfo", "/console/", "/manager/html", "/jenkins/login",
]

FAKE_USERS = ["admin", "test", "oracle", "ubuntu", "user", "postgres",
              "git", "ftpuser", "pi", "support", "guest", "deploy",
              "www-data", "mysql", "user1", "hadoop", "steam", "minecraft",
              "ansible", "nagios", "jenkins", "ec2-user", "centos", "debian"]
STAFF_SSH = ["aida", "bakyt", "cholpon", "daniyar", "elnura", "farid",
             "gulnara", "ilyas", "jyldyz", "kanat", "meerim", "nurlan"]


class Corpus:
    """Events of both logs, the truth table, and the address book."""

    def __init__(self, seed, end):
        self.rng = random.Random(seed)
        self.end = end
        self.start = end - SPAN
        self.web = []   # (sort key, seq, line)
        self._pid_jitter = {}
        self.auth = []
        self.seq = 0
        self.truth = []  # (category, address, expected, rule)
        self.used4 = set()
        self.used64 = set()
        self._ngx = {}
        self._sys = {}

    # ---- addresses: unique across every actor ----

    def v4(self, net=None):
        rng = self.rng
        while True:
            if net is None:
                a = ipaddress.IPv4Address(rng.randrange(1 << 24, 224 << 24))
            else:
                n = ipaddress.IPv4Network(net)
                a = n[rng.randrange(1, n.num_addresses - 1)]
            if a.is_global and a not in self.used4:
                self.used4.add(a)
                return str(a)

    def v6net(self, first=None):
        """A fresh global /64, as an IPv6Network."""
        rng = self.rng
        while True:
            if first is None:
                top = rng.choice([0x2a00, 0x2a01, 0x2a02, 0x2a03, 0x2a05,
                                  0x2a0e, 0x2400, 0x2401, 0x2403, 0x2600,
                                  0x2601, 0x2603, 0x2800, 0x2c0f])
                hi = (top << 48) | rng.getrandbits(48)
            else:
                hi = (first << 48) | rng.getrandbits(48)
            n = ipaddress.IPv6Network((hi << 64, 64))
            if n.is_global and n not in self.used64:
                self.used64.add(n)
                return n

    def v6in(self, net):
        iid = self.rng.getrandbits(64) | 1
        return str(net[iid])

    def v6(self, first=None):
        n = self.v6net(first)
        return self.v6in(n), str(n)

    def record(self, category, addr, expected, rule="-"):
        self.truth.append((category, addr, expected, rule))

    # ---- time stamps (cached per second) ----

    def ngx_time(self, t):
        s = self._ngx.get(t)
        if s is None:
            g = time.gmtime(t)
            s = "%02d/%s/%d:%02d:%02d:%02d +0000" % (
                g.tm_mday, MONTHS[g.tm_mon - 1], g.tm_year, g.tm_hour,
                g.tm_min, g.tm_sec)
            self._ngx[t] = s
        return s

    def sys_time(self, t):
        s = self._sys.get(t)
        if s is None:
            g = time.gmtime(t)
            s = "%s %2d %02d:%02d:%02d" % (MONTHS[g.tm_mon - 1], g.tm_mday,
                                           g.tm_hour, g.tm_min, g.tm_sec)
            self._sys[t] = s
        return s

    # ---- lines ----

    def _key(self, t):
        self.seq += 1
        return (t + self.rng.random() * 1.5, self.seq)

    def hit(self, t, addr, method, path, status, size, agent, ref="-"):
        t = int(t)
        if t < self.start or t > self.end:
            return
        line = '%s - - [%s] "%s %s HTTP/1.1" %d %d "%s" "%s"\n' % (
            addr, self.ngx_time(t), method, path, status, size, ref, agent)
        self.web.append(self._key(t) + (line,))

    def raw_hit(self, t, addr, request, status, size):
        t = int(t)
        if t < self.start or t > self.end:
            return
        line = '%s - - [%s] "%s" %d %d "-" "-"\n' % (
            addr, self.ngx_time(t), request, status, size)
        self.web.append(self._key(t) + (line,))

    def log(self, t, prog, pid, msg):
        t = int(t)
        if t < self.start or t > self.end:
            return
        if pid is None:
            line = "%s %s %s: %s\n" % (self.sys_time(t), HOST, prog, msg)
        else:
            line = "%s %s %s[%d]: %s\n" % (self.sys_time(t), HOST, prog, pid,
                                           msg)
        if pid is None:
            self.auth.append(self._key(t) + (line,))
        else:
            # One process writes its lines in order: its disorder against
            # the others is one offset for all its lines.
            j = self._pid_jitter.get(pid)
            if j is None:
                j = self._pid_jitter[pid] = self.rng.random() * 1.5
            self.seq += 1
            self.auth.append((t + j, self.seq, line))

    def pid(self):
        return self.rng.randrange(2000, 4000000)

    def port(self):
        return self.rng.randrange(32768, 61000)

    def when(self, margin):
        """A start time that leaves margin seconds before the end."""
        return self.rng.randrange(self.start, self.end - margin)

    # ---- pages ----

    def article(self):
        rng = self.rng
        d = time.gmtime(rng.randrange(self.start - 90 * 86400, self.end))
        slug = "-".join(rng.sample(SLUG_WORDS, rng.randrange(2, 5)))
        return "/%d/%02d/%02d/%s/" % (d.tm_year, d.tm_mon, d.tm_mday, slug)

    def page(self):
        rng = self.rng
        r = rng.random()
        if r < 0.55:
            return self.article()
        if r < 0.70:
            return "/"
        if r < 0.82:
            return "/category/%s/" % rng.choice(SECTIONS)
        if r < 0.86:
            return "/?s=%s" % rng.choice(SLUG_WORDS)
        if r < 0.90:
            return "/category/%s/page/%d/" % (rng.choice(SECTIONS),
                                              rng.randrange(2, 9))
        if r < 0.93:
            return "/feed/"
        if r < 0.96:
            return "/ky/" + self.article()[1:]
        return "/ru/" + self.article()[1:]

    def images(self, n):
        rng = self.rng
        return ["/wp-content/uploads/2026/%02d/%s-%d-768x512.jpg" % (
            rng.randrange(1, 12), rng.choice(SLUG_WORDS),
            rng.randrange(1, 400)) for _ in range(n)]


# ---- web attackers ----

def wp_bruteforce(c, addr, count, rate, rotate=None):
    """Password guessing on wp-login.php: WordPress answers a wrong
    password with the form again (200)."""
    t = c.when(int(count / rate) + 60)
    agent = c.rng.choice(BROWSERS)
    for _ in range(count):
        a = c.v6in(rotate) if rotate is not None else addr
        c.hit(t, a, "POST", "/wp-login.php", 200, c.rng.randrange(4300, 4700),
              agent, SITE + "/wp-login.php")
        t += c.rng.expovariate(rate)


def web_attackers(c):
    rng = c.rng
    for _ in range(4):
        a = c.v4()
        wp_bruteforce(c, a, 1500, 0.6)
        c.record("wp-bruteforce", a, "ban", "wp-login")
    a, net = c.v6()
    wp_bruteforce(c, a, 1500, 0.6)
    c.record("wp-bruteforce-v6", net, "ban", "wp-login")

    # One IPv6 attacker whose every request comes from another address of
    # its /64: only counting per prefix catches it.
    net = c.v6net()
    wp_bruteforce(c, None, 1500, 0.6, rotate=net)
    c.record("wp-bruteforce-v6-rotating", str(net), "ban", "wp-login")

    # XML-RPC: system.multicall packs hundreds of guesses in one POST.
    for a, cat in [(c.v4(), "xmlrpc"), (c.v4(), "xmlrpc"),
                   (c.v6(), "xmlrpc-v6")]:
        key = a[1] if isinstance(a, tuple) else a
        addr = a[0] if isinstance(a, tuple) else a
        t = c.when(2400)
        for _ in range(1200):
            c.hit(t, addr, "POST", "/xmlrpc.php", 200, rng.randrange(380, 900),
                  "Mozilla/5.0 (Windows NT 6.1; rv:60.0) Gecko/20100101 "
                  "Firefox/60.0")
            t += rng.expovariate(0.6)
        c.record(cat, key, "ban", "xmlrpc")

    # Low and slow: one guess every two minutes for the whole six hours.
    for a, cat in [(c.v4(), "wp-slow"), (c.v6(), "wp-slow-v6")]:
        key = a[1] if isinstance(a, tuple) else a
        addr = a[0] if isinstance(a, tuple) else a
        t = c.start + rng.randrange(0, 120)
        while t <= c.end:
            c.hit(t, addr, "POST", "/wp-login.php", 200, 4512, BROWSERS[2],
                  SITE + "/wp-login.php")
            t += 120 + rng.randrange(-10, 11)
        c.record(cat, key, "ban", "wp-slow|wp-login")

    # Scanners: secrets, repositories, backups and admin tools, answered
    # 404 (or 403 for the dot-files nginx refuses).
    agents = ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, "
              "like Gecko) Chrome/120.0.0.0 Safari/537.36",
              "python-requests/2.31.0", "Go-http-client/1.1",
              BROWSERS[1]]
    scanners = [(c.v4(), None), (c.v4(), None), (c.v4(), None), c.v6()]
    for i, (addr, net) in enumerate(scanners):
        t = c.when(1800)
        agent = agents[i]
        paths = SCAN_PATHS[:]
        for _ in range(600):
            p = rng.choice(paths)
            st = 403 if p.startswith("/.") and rng.random() < 0.5 else 404
            c.hit(t, addr, rng.choice(["GET", "GET", "GET", "HEAD", "POST"]),
                  p, st, rng.randrange(150, 600), agent)
            t += rng.expovariate(0.8)
        c.record("scanner-v6" if net else "scanner", net or addr, "ban",
                 "scanner|web-probe")

    # Floods: 25 requests a second for four minutes, pages and searches
    # (which miss every cache).
    for addr, net in [(c.v4(), None), (c.v4(), None), c.v6()]:
        t = c.when(600)
        agent = rng.choice(BROWSERS)
        for i in range(6000):
            p = rng.choice(["/", "/?s=%d" % rng.randrange(1 << 30),
                            c.article()])
            c.hit(t + i // 25, addr, "GET", p, 200,
                  rng.randrange(30000, 90000), agent)
        c.record("flood-v6" if net else "flood", net or addr, "ban", "flood")

    # TLS handshakes sent to the plain-HTTP port: nginx logs the bytes it
    # could not read as a request line, answered 400.
    for addr, net in [(c.v4(), None), (c.v4(), None), c.v6()]:
        t = c.when(900)
        for _ in range(150):
            req = "\\x16\\x03\\x01\\x02\\x00\\x01\\x00\\x01\\xFC\\x03\\x03" + \
                "".join("\\x%02X" % rng.randrange(256) for _ in range(6))
            c.raw_hit(t, addr, req, 400, 150)
            t += rng.randrange(2, 8)
        c.record("tls-on-http-v6" if net else "tls-on-http", net or addr,
                 "ban", "bad-request")

    # Address harvesters, by user agent, at a reader's pace.
    for (addr, net), agent in [((c.v4(), None), "EmailCollector"),
                               (c.v6(), "EmailSiphon")]:
        for _ in range(100):
            c.hit(c.when(0), addr, "GET", c.page(), 200,
                  rng.randrange(20000, 90000), agent)
        c.record("bad-bot-v6" if net else "bad-bot", net or addr, "ban",
                 "bad-bot")


# ---- web innocents ----

def visit(c, t, addr, agent, views, ios=False, fresh=True):
    """A reader: a few pages, each with its images, assets the first time;
    iPhones ask for touch icons the site does not have."""
    rng = c.rng
    ref = rng.choice(["-", "https://www.google.com/", "https://t.me/",
                      "https://www.facebook.com/", SITE + "/"])
    for v in range(views):
        p = c.page()
        r = rng.random()
        if r < 0.01:
            st, size = 404, 16000  # an old link
        elif r < 0.05:
            st, size = 304, 0
        elif r < 0.07:
            st, size = 301, 169
        else:
            st, size = 200, rng.randrange(30000, 120000)
        c.hit(t, addr, "GET", p, st, size, agent, ref)
        if st == 200:
            if fresh and v == 0:
                for a in ASSETS:
                    c.hit(t + rng.random(), addr, "GET", a, 200,
                          rng.randrange(2000, 90000), agent, SITE + p)
                if ios:
                    for icon in ("/apple-touch-icon-precomposed.png",
                                 "/apple-touch-icon.png"):
                        c.hit(t + 1, addr, "GET", icon, 404, 16000, agent)
                c.hit(t + 1, addr, "GET", "/favicon.ico", 200, 4286, agent)
            for img in c.images(rng.randrange(1, 5)):
                c.hit(t + rng.random() * 2, addr, "GET", img, 200,
                      rng.randrange(20000, 200000), agent, SITE + p)
        ref = SITE + p
        t += rng.randrange(8, 240)
        if t > c.end:
            break


def office(c):
    """The newsroom: thirty staff behind one NAT address, reading and
    editing all day.  The block editor's heartbeat and REST calls make
    many requests a minute, far below a flood; a quarter of the staff
    mistype their password once or twice before logging in."""
    rng = c.rng
    nat = c.v4()
    agents = [rng.choice(BROWSERS[:3]) for _ in range(30)]
    # Logins: one per person in the first two hours, a third again after
    # lunch; at least two minutes apart, so that a success comes between
    # any two people's typos.
    slots = sorted(rng.sample(range(c.start + 60, c.start + 7200, 150), 30))
    later = sorted(rng.sample(range(c.start + 10800, c.end - 600, 150), 10))
    logins = [(t, i) for i, t in enumerate(slots)] + \
        [(t, rng.randrange(30)) for t in later]
    for t, i in logins:
        ag = agents[i]
        c.hit(t, nat, "GET", "/wp-login.php", 200, 4400, ag)
        t += 8
        if rng.random() < 0.25:
            for _ in range(rng.choice([1, 1, 2])):
                c.hit(t, nat, "POST", "/wp-login.php", 200, 4520, ag,
                      SITE + "/wp-login.php")
                t += rng.randrange(6, 20)
        c.hit(t, nat, "POST", "/wp-login.php", 302, 0, ag,
              SITE + "/wp-login.php")
        c.hit(t + 1, nat, "GET", "/wp-admin/", 200, 61000, ag,
              SITE + "/wp-login.php")
    # Work: per person, from the login to the end of the window.
    for i in range(30):
        ag = agents[i]
        t = slots[i] + 30
        while t < c.end:
            r = rng.random()
            if r < 0.35:
                # An editing session: the editor's heartbeat every 15 s,
                # autosaves and REST calls.
                post = rng.randrange(20000, 30000)
                c.hit(t, nat, "GET", "/wp-admin/post.php?post=%d&action=edit"
                      % post, 200, 150000, ag, SITE + "/wp-admin/edit.php")
                for a in ASSETS[2:4]:
                    c.hit(t + 1, nat, "GET", a, 200, 30000, ag)
                end = t + rng.randrange(600, 2400)
                t += 15
                while t < end:
                    c.hit(t, nat, "POST", "/wp-admin/admin-ajax.php", 200,
                          rng.randrange(60, 400), ag,
                          SITE + "/wp-admin/post.php?post=%d&action=edit"
                          % post)
                    if rng.random() < 0.08:
                        c.hit(t + 2, nat, "POST",
                              "/wp-json/wp/v2/posts/%d?_locale=user" % post,
                              200, 9000, ag)
                    if rng.random() < 0.02:
                        c.hit(t + 3, nat, "POST", "/wp-admin/async-upload.php",
                              200, 1200, ag)
                    t += 15
            elif r < 0.55:
                # Admin screens.
                c.hit(t, nat, "GET", rng.choice([
                    "/wp-admin/edit.php", "/wp-admin/edit.php?post_status=draft",
                    "/wp-admin/upload.php", "/wp-admin/edit-comments.php",
                    "/wp-admin/index.php"]), 200, 70000, ag)
                c.hit(t + 1, nat, "POST", "/wp-admin/admin-ajax.php", 200, 120,
                      ag)
                t += rng.randrange(30, 300)
            else:
                # Reading the site, as everyone in a newsroom does.
                visit(c, t, nat, ag, rng.randrange(1, 4), fresh=False)
                if rng.random() < 0.03:
                    c.hit(t + 5, nat, "GET", c.images(1)[0], 404, 16000, ag)
                t += rng.randrange(60, 600)
    c.record("office-nat", nat, "keep")
    return nat


def web_innocents(c):
    rng = c.rng
    nat = office(c)

    # Staff at home: a typo or two at the login, then success.
    for i in range(14):
        if i < 10:
            addr, key = c.v4(), None
        else:
            addr, key = c.v6()
        ag = rng.choice(BROWSERS)
        for _ in range(rng.randrange(1, 3)):
            t = c.when(900)
            c.hit(t, addr, "GET", "/wp-login.php", 200, 4400, ag)
            t += 10
            for _ in range(rng.choice([0, 1, 2])):
                c.hit(t, addr, "POST", "/wp-login.php", 200, 4520, ag,
                      SITE + "/wp-login.php")
                t += rng.randrange(8, 30)
            c.hit(t, addr, "POST", "/wp-login.php", 302, 0, ag,
                  SITE + "/wp-login.php")
            c.hit(t + 1, addr, "GET", "/wp-admin/", 200, 61000, ag)
            for _ in range(rng.randrange(3, 15)):
                t += rng.randrange(20, 200)
                c.hit(t, addr, "GET", "/wp-admin/edit.php", 200, 70000, ag)
        c.record("staff-home-v6" if key else "staff-home", key or addr, "keep")

    # The uptime monitor, every minute from two places.
    for addr, key in [(c.v4("216.144.248.0/21"), None),
                      c.v6(0x2607)]:
        t = c.start + rng.randrange(60)
        while t <= c.end:
            c.hit(t, addr, "HEAD", "/", 200, 0, UPTIME)
            t += 60
        c.record("uptime-monitor", key or addr, "keep")

    # WordPress runs its own cron by requesting itself from the server's
    # own address about once a minute.
    self_addr = c.v4()
    t = c.start + rng.randrange(60)
    while t <= c.end:
        c.hit(t, self_addr, "POST",
              "/wp-cron.php?doing_wp_cron=%d.%06d" % (t, rng.randrange(10**6)),
              200, 0, WPCRON)
        t += rng.randrange(50, 75)
    c.record("wp-cron-self", self_addr, "keep")

    # Jetpack talks to the site through xmlrpc.php, about once an hour.
    jp = c.v4("192.0.64.0/18")
    t = c.start + rng.randrange(3600)
    while t <= c.end:
        c.hit(t, jp, "POST", "/xmlrpc.php?for=jetpack", 200, 900, JETPACK)
        t += rng.randrange(3000, 4200)
    c.record("jetpack", jp, "keep")

    # Crawlers at a polite pace, meeting old links now and then.
    crawlers = [(c.v4("66.249.64.0/19"), GOOGLEBOT, None),
                (c.v4("66.249.64.0/19"), GOOGLEBOT, None),
                (c.v4("157.55.39.0/24"), BINGBOT, None)]
    a6, k6 = c.v6(0x2001)
    crawlers.append((a6, GOOGLEBOT, k6))
    for addr, agent, key in crawlers:
        t = c.start + rng.randrange(30)
        n = 0
        while t <= c.end:
            if n % 200 == 0:
                c.hit(t, addr, "GET", "/robots.txt", 200, 310, agent)
            elif n % 200 == 1:
                c.hit(t, addr, "GET", "/sitemap_index.xml", 200, 2100, agent)
            elif rng.random() < 0.03:
                c.hit(t, addr, "GET", c.article(), 404, 16000, agent)
            else:
                c.hit(t, addr, "GET", c.page(), 200,
                      rng.randrange(30000, 120000), agent)
            n += 1
            t += rng.randrange(6, 20)
        c.record("crawler", key or addr, "keep")
    return nat


def readers(c, target, extra):
    """Readers fill the access log up to target lines: many people, a few
    pages each, IPv4 and IPv6.  extra more readers each make a page view
    and one failed login in the last ten minutes, so that they are all
    tracked by the guard at once (the memory test)."""
    rng = c.rng
    pool = max(200, target // 40)
    people = []
    for i in range(pool):
        if rng.random() < 0.15:
            addr, key = c.v6()
        else:
            addr = c.v4()
            key = addr
        ios = rng.random() < 0.3
        people.append((addr, key, IPHONE if ios else rng.choice(BROWSERS),
                       ios))
    seen = set()
    for n in range(extra):
        if n % 5 == 4:
            addr, key = c.v6()
        else:
            addr = c.v4()
            key = addr
        t = c.end - rng.randrange(0, 600)
        ag = rng.choice(BROWSERS)
        c.hit(t, addr, "GET", c.page(), 200, 50000, ag)
        c.hit(t + 5, addr, "POST", "/wp-login.php", 200, 4520, ag,
              SITE + "/wp-login.php")
        c.record("reader-extra", key, "keep")
    while len(c.web) < target:
        addr, key, agent, ios = rng.choice(people)
        before = len(c.web)
        visit(c, rng.randrange(c.start, c.end), addr, agent,
              rng.choice([1, 1, 2, 2, 3, 4, 6]), ios=ios,
              fresh=key not in seen)
        if len(c.web) > before:
            seen.add(key)
        if len(c.web) > target:
            del c.web[target:]
    for addr, key, agent, ios in people:
        if key in seen:
            c.record("reader-v6" if ":" in key else "reader", key, "keep")


# ---- SSH ----

def ssh_attempt(c, t, addr, style, user=None):
    """One connection of a password guesser, in one of the shapes OpenSSH
    9.2 and pam_unix write on Debian 12.  Returns the time after it."""
    rng = c.rng
    pid, port = c.pid(), c.port()
    pam_fail = ("pam_unix(sshd:auth): authentication failure; logname= uid=0 "
                "euid=0 tty=ssh ruser= rhost=%s" % addr)
    if style == "root-many":
        user = user or "root"
        c.log(t, "sshd", pid, pam_fail + "  user=%s" % user)
        for k in range(6):
            c.log(t + 2 * k, "sshd", pid, "Failed password for %s from %s "
                  "port %d ssh2" % (user, addr, port))
        c.log(t + 12, "sshd", pid, "error: maximum authentication attempts "
              "exceeded for %s from %s port %d ssh2 [preauth]"
              % (user, addr, port))
        c.log(t + 12, "sshd", pid, "Disconnecting authenticating user %s %s "
              "port %d: Too many authentication failures [preauth]"
              % (user, addr, port))
        c.log(t + 12, "sshd", pid, "PAM 5 more authentication failures; "
              "logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s"
              % (addr, user))
        c.log(t + 12, "sshd", pid, "PAM service(sshd) ignoring max retries; "
              "6 > 3")
        return t + 13
    if style == "root-one":
        user = user or "root"
        c.log(t, "sshd", pid, pam_fail + "  user=%s" % user)
        c.log(t + 2, "sshd", pid, "Failed password for %s from %s port %d "
              "ssh2" % (user, addr, port))
        c.log(t + 3, "sshd", pid, "Received disconnect from %s port %d:11: "
              "Bye Bye [preauth]" % (addr, port))
        c.log(t + 3, "sshd", pid, "Disconnected from authenticating user %s "
              "%s port %d [preauth]" % (user, addr, port))
        return t + 4
    if style == "invalid":
        user = user or rng.choice(FAKE_USERS)
        c.log(t, "sshd", pid, "Invalid user %s from %s port %d"
              % (user, addr, port))
        c.log(t + 1, "sshd", pid, "pam_unix(sshd:auth): check pass; user "
              "unknown")
        c.log(t + 1, "sshd", pid, pam_fail)
        c.log(t + 3, "sshd", pid, "Failed password for invalid user %s from "
              "%s port %d ssh2" % (user, addr, port))
        c.log(t + 4, "sshd", pid, "Received disconnect from %s port %d:11: "
              "Bye Bye [preauth]" % (addr, port))
        c.log(t + 4, "sshd", pid, "Disconnected from invalid user %s %s port "
              "%d [preauth]" % (user, addr, port))
        return t + 5
    # "invalid-closed": a user name probed, then the connection dropped.
    user = user or rng.choice(FAKE_USERS)
    c.log(t, "sshd", pid, "Invalid user %s from %s port %d"
          % (user, addr, port))
    c.log(t + 1, "sshd", pid, "Connection closed by invalid user %s %s port "
          "%d [preauth]" % (user, addr, port))
    return t + 2


def ssh_probe(c, t, addr):
    """A scanner that opens the port and leaves before logging in."""
    rng = c.rng
    pid, port = c.pid(), c.port()
    r = rng.randrange(5)
    if r == 0:
        c.log(t, "sshd", pid, "error: kex_exchange_identification: Connection "
              "closed by remote host")
        c.log(t, "sshd", pid, "Connection closed by %s port %d"
              % (addr, port))
    elif r == 1:
        c.log(t, "sshd", pid, "error: kex_exchange_identification: client "
              "sent invalid protocol identifier \"GET / HTTP/1.1\"")
        c.log(t, "sshd", pid, "banner exchange: Connection from %s port %d: "
              "invalid format" % (addr, port))
    elif r == 2:
        c.log(t, "sshd", pid, "Unable to negotiate with %s port %d: no "
              "matching key exchange method found. Their offer: "
              "diffie-hellman-group14-sha1,diffie-hellman-group-exchange-sha1,"
              "diffie-hellman-group1-sha1 [preauth]" % (addr, port))
    elif r == 3:
        c.log(t, "sshd", pid, "Unable to negotiate with %s port %d: no "
              "matching host key type found. Their offer: ssh-rsa,ssh-dss "
              "[preauth]" % (addr, port))
    else:
        c.log(t, "sshd", pid, "Connection reset by %s port %d [preauth]"
              % (addr, port))


def ssh_attackers(c):
    rng = c.rng
    styles = ["root-many", "root-one", "invalid", "invalid", "invalid-closed"]
    actors = [(c.v4(), None) for _ in range(8)] + [c.v6(), c.v6()]
    for addr, key in actors:
        t = c.when(4000)
        for _ in range(250):
            t = ssh_attempt(c, t, addr, rng.choice(styles))
            t += rng.randrange(1, 12)
        c.record("ssh-bruteforce-v6" if key else "ssh-bruteforce",
                 key or addr, "ban", "ssh-auth")
    # A guesser whose every connection comes from another address of its
    # /64.
    net = c.v6net()
    t = c.when(4000)
    for _ in range(250):
        t = ssh_attempt(c, t, c.v6in(net), rng.choice(styles))
        t += rng.randrange(1, 12)
    c.record("ssh-bruteforce-v6-rotating", str(net), "ban", "ssh-auth")

    for addr, key in [(c.v4(), None), (c.v4(), None), (c.v4(), None),
                      c.v6()]:
        t = c.when(3600)
        for _ in range(120):
            ssh_probe(c, t, addr)
            t += rng.randrange(10, 30)
        # "Connection reset ... [preauth]" is a guessing line too.
        c.record("ssh-probe-v6" if key else "ssh-probe", key or addr, "ban",
                 "ssh-probe|ssh-auth")

    # Slow guessing: one failed password every five minutes, six hours.
    for addr, key in [(c.v4(), None), c.v6()]:
        t = c.start + rng.randrange(300)
        while t <= c.end:
            ssh_attempt(c, t, addr, rng.choice(["root-one", "invalid"]))
            t += 300 + rng.randrange(-15, 16)
        c.record("ssh-slow-v6" if key else "ssh-slow", key or addr, "ban",
                 "ssh-slow|ssh-auth")


def ssh_login(c, t, addr, user, uid, method, typos):
    """A member of staff logs in (typos wrong passwords first), works,
    and logs out."""
    rng = c.rng
    pid, port = c.pid(), c.port()
    if typos:
        c.log(t, "sshd", pid, "pam_unix(sshd:auth): authentication failure; "
              "logname= uid=0 euid=0 tty=ssh ruser= rhost=%s  user=%s"
              % (addr, user))
        for _ in range(typos):
            c.log(t + 2, "sshd", pid, "Failed password for %s from %s port %d "
                  "ssh2" % (user, addr, port))
            t += rng.randrange(4, 12)
    if method == "publickey":
        c.log(t, "sshd", pid, "Accepted publickey for %s from %s port %d "
              "ssh2: ED25519 SHA256:%s" % (user, addr, port, "".join(
                  rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstu"
                             "vwxyz0123456789+/") for _ in range(43))))
    else:
        c.log(t, "sshd", pid, "Accepted password for %s from %s port %d ssh2"
              % (user, addr, port))
    c.log(t, "sshd", pid, "pam_unix(sshd:session): session opened for user "
          "%s(uid=%d) by (uid=0)" % (user, uid))
    session = rng.randrange(1, 9999)
    c.log(t, "systemd-logind", 612, "New session %d of user %s."
          % (session, user))
    t += rng.randrange(60, 3600)
    c.log(t, "sshd", pid, "Received disconnect from %s port %d:11: "
          "disconnected by user" % (addr, port))
    c.log(t, "sshd", pid, "Disconnected from user %s %s port %d"
          % (user, addr, port))
    c.log(t, "sshd", pid, "pam_unix(sshd:session): session closed for user "
          "%s" % user)
    c.log(t, "systemd-logind", 612, "Session %d logged out. Waiting for "
          "processes to exit." % session)


def ssh_innocents(c, nat):
    rng = c.rng
    # Keys from home and from the office.
    for i, user in enumerate(STAFF_SSH[:8]):
        if i < 6:
            addr, key = c.v4(), None
        else:
            addr, key = c.v6()
        for _ in range(rng.randrange(2, 8)):
            ssh_login(c, c.when(3600), addr, user, 1001 + i, "publickey", 0)
        c.record("ssh-staff-key-v6" if key else "ssh-staff-key", key or addr,
                 "keep")
    for _ in range(12):
        ssh_login(c, c.when(3600), nat, rng.choice(STAFF_SSH[:4]), 1001,
                  "publickey", 0)
    # Passwords, mistyped once or twice before the right one.
    for i, user in enumerate(STAFF_SSH[8:]):
        if i < 3:
            addr, key = c.v4(), None
        else:
            addr, key = c.v6()
        for _ in range(rng.randrange(1, 4)):
            ssh_login(c, c.when(3600), addr, user, 1009 + i, "password",
                      rng.choice([0, 1, 1, 2]))
        c.record("ssh-staff-typo-v6" if key else "ssh-staff-typo",
                 key or addr, "keep")
    ssh_login(c, c.when(3600), nat, "aida", 1001, "password", 1)


def ssh_noise(c, target):
    """The rest of a server's auth.log: cron, sudo, logind, and the
    firewall's kernel lines, which carry addresses too."""
    rng = c.rng
    while len(c.auth) < target:
        t = rng.randrange(c.start, c.end)
        pid = c.pid()
        r = rng.random()
        if r < 0.45:
            c.log(t, "CRON", pid, "pam_unix(cron:session): session opened "
                  "for user root(uid=0) by (uid=0)")
            c.log(t + 1, "CRON", pid, "pam_unix(cron:session): session closed "
                  "for user root")
        elif r < 0.6:
            user = rng.choice(["www-data", "root"])
            c.log(t, "CRON", pid, "pam_unix(cron:session): session opened "
                  "for user %s(uid=%d) by (uid=0)"
                  % (user, 33 if user == "www-data" else 0))
        elif r < 0.7:
            c.log(t, "sudo", None, "    aida : TTY=pts/0 ; PWD=/home/aida ; "
                  "USER=root ; COMMAND=/usr/bin/systemctl reload nginx")
            c.log(t, "sudo", pid, "pam_unix(sudo:session): session opened "
                  "for user root(uid=0) by aida(uid=1001)")
            c.log(t, "sudo", pid, "pam_unix(sudo:session): session closed "
                  "for user root")
        elif r < 0.8:
            c.log(t, "systemd", 1, "Started session-%d.scope - Session %d of "
                  "User www-data." % (rng.randrange(9999),
                                      rng.randrange(9999)))
        else:
            src = c.v4()
            c.used4.discard(ipaddress.IPv4Address(src))
            c.log(t, "kernel", None, "[%d.%06d] [UFW BLOCK] IN=eth0 OUT= "
                  "MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=%s "
                  "DST=203.0.113.10 LEN=44 TOS=0x00 PREC=0x00 TTL=241 "
                  "ID=54321 PROTO=TCP SPT=%d DPT=%d WINDOW=1024 RES=0x00 "
                  "SYN URGP=0" % (t - c.start + 1000, rng.randrange(10**6),
                                  src, c.port(),
                                  rng.choice([23, 3389, 5900, 8080, 445])))
    del c.auth[target:]


def write(path, events, end):
    events.sort()
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.writelines(e[2] for e in events)
    os.utime(path, (end, end))


def main():
    ap = argparse.ArgumentParser(
        description="Write a synthetic access.log, auth.log and truth.tsv.")
    ap.add_argument("outdir")
    ap.add_argument("--access", type=int, default=200000,
                    help="lines of access.log (default 200000)")
    ap.add_argument("--auth", type=int, default=60000,
                    help="lines of auth.log (default 60000)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--end", type=int, default=None,
                    help="Unix time of the last second (default: now)")
    ap.add_argument("--addresses", type=int, default=0,
                    help="extra readers, each tracked (memory test)")
    o = ap.parse_args()
    end = o.end if o.end is not None else int(time.time())
    c = Corpus(o.seed, end)
    os.makedirs(o.outdir, exist_ok=True)

    web_attackers(c)
    nat = web_innocents(c)
    readers(c, max(o.access, len(c.web)), o.addresses)
    ssh_attackers(c)
    ssh_innocents(c, nat)
    ssh_noise(c, max(o.auth, len(c.auth)))
    for name, want, got in (("access", o.access, len(c.web)),
                            ("auth", o.auth, len(c.auth))):
        if got > want:
            print("gen-corpus: the actors need %d %s lines; wrote that many"
                  % (got, name), file=sys.stderr)

    write(os.path.join(o.outdir, "access.log"), c.web, end)
    write(os.path.join(o.outdir, "auth.log"), c.auth, end)
    path = os.path.join(o.outdir, "truth.tsv")
    with open(path, "w", encoding="ascii", newline="\n") as f:
        f.write("# category\taddress\texpected\trule\n")
        for row in c.truth:
            f.write("\t".join(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
