#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# tests/data/site/fixture.sh - the website checker's offline test world.
#
#   fixture.sh up DIR BASE    build and start everything under the empty DIR
#   fixture.sh down DIR       stop it (safe to call twice, or after a failed up)
#
# Starts, all on loopback and all from DIR (nothing in /etc is touched):
#   nginx   web sites on 127.0.0.2-10 (HTTP on BASE, HTTPS on BASE+1, and
#           [::1] for the good site when the machine has IPv6) and mail
#           servers (SMTP on BASE+2, with and without STARTTLS)
#   unbound an authoritative and validating DNS server on 127.0.0.1:BASE+3
#           serving kalkan.test (unsigned), signed.test (DNSSEC) and
#           bogus.test (signed, then tampered with)
#   gnutls-serv  on BASE+4 (every address: it cannot bind one), offering the
#           RC4 and 3DES suites and TLS 1.0 that OpenSSL 3 no longer serves
# and writes DIR/site.opts, the `kalkan site` options that reach them, and
# DIR/fixture.env (shell variables for tests).  Several fixtures with
# different BASE values can run side by side.
#
# The sites and what is wrong with each (the tests' expectations):
#   good.kalkan.test     .2  nothing above info: redirect to HTTPS, TLS 1.2/1.3
#                            with AEAD suites, every header, flagged cookie,
#                            security.txt, SPF -all, DMARC reject, DKIM, CAA,
#                            STARTTLS on its MX, AAAA that answers
#   bad.kalkan.test      .3  a neglected WordPress: no redirect, no headers,
#                            version leaks, flagless session cookie, script
#                            over http, .git, .env, wp-config backup, SQL
#                            dump, debug.log, phpinfo, directory listing,
#                            WordPress 5.8.1, user enumeration, xmlrpc with
#                            system.multicall; MX without STARTTLS; SPF +all,
#                            DMARC p=none, no DKIM
#   expired .4, selfsigned .6, wronghost .7, soon .8 (expires in 5 days, short
#                            HSTS, CSP with unsafe-inline): certificate faults
#   legacy.kalkan.test   .5  TLS 1.0/1.1/1.2 only, RSA-1024 key signed with
#                            SHA-1, RSA key exchange only; MX with TLS 1.0/1.1
#   soft404.kalkan.test  .9  answers 200 text/html for every path
#   plain.kalkan.test    .10 HTTP only
#   weakciph.kalkan.test 127.0.0.1 on BASE+4 (gnutls-serv): RC4, 3DES
#   broken.kalkan.test   (web .3) two SPF records, malformed DMARC
#   spf11.kalkan.test    (web .2) SPF needing 11 DNS lookups
#   nomail.kalkan.test   (web .9) no SPF, no DMARC
#   v6broken.kalkan.test (web .3) AAAA published, nothing answers on it
#   apex.kalkan.test     .2  redirects to www.apex.kalkan.test, a good site
#   signed.test          (web .2) DNSSEC-signed
#   bogus.test           (web .2) signed, A record altered after signing
set -euo pipefail

cmd=${1:-}
FX=${2:-}
if [ -z "$cmd" ] || [ -z "$FX" ]; then
    echo "usage: fixture.sh up DIR BASE | down DIR" >&2
    exit 2
fi

stop_pid() {
    local f=$1 p
    [ -f "$f" ] || return 0
    p=$(cat "$f" 2>/dev/null || true)
    if [ -n "$p" ] && kill -0 "$p" 2>/dev/null; then
        kill "$p" 2>/dev/null || true
        for _ in $(seq 1 50); do
            kill -0 "$p" 2>/dev/null || break
            sleep 0.1
        done
        kill -9 "$p" 2>/dev/null || true
    fi
    rm -f "$f"
}

if [ "$cmd" = down ]; then
    stop_pid "$FX/run/nginx.pid"
    stop_pid "$FX/run/unbound.pid"
    stop_pid "$FX/run/gnutls.pid"
    exit 0
fi
if [ "$cmd" != up ]; then
    echo "fixture.sh: unknown command '$cmd'" >&2
    exit 2
fi
BASE=${3:-}
case "$BASE" in
'' | *[!0-9]*)
    echo "fixture.sh: BASE must be a port number" >&2
    exit 2
    ;;
esac
if [ "$BASE" -lt 1024 ] || [ "$BASE" -gt 65530 ]; then
    echo "fixture.sh: BASE must be from 1024 to 65530" >&2
    exit 2
fi
HP=$BASE
SP=$((BASE + 1))
MP=$((BASE + 2))
DP=$((BASE + 3))
GP=$((BASE + 4))

for tool in nginx unbound unbound-checkconf ldns-keygen ldns-signzone \
    gnutls-serv openssl; do
    command -v "$tool" >/dev/null 2>&1 || {
        echo "fixture.sh: $tool is not installed (scripts/install-deps)" >&2
        exit 3
    }
done
MAILMOD=/usr/lib/nginx/modules/ngx_mail_module.so
[ -f "$MAILMOD" ] || {
    echo "fixture.sh: nginx's mail module is missing (libnginx-mod-mail)" >&2
    exit 3
}

mkdir -p "$FX"
FX=$(cd "$FX" && pwd)
mkdir -p "$FX/pki/db" "$FX/run" "$FX/tmp" "$FX/dns" "$FX/www"
K=$FX/pki
W=$FX/www
# nginx's workers run as the user who started the fixture (as root they
# would otherwise be nobody, who cannot enter a private temporary
# directory such as the one mktemp -d makes).
chmod 755 "$FX"
RUN_USER=$(id -un)
RUN_GROUP=$(id -gn)

# IPv6 on loopback: only then does the good site publish an AAAA record.
HAVE_V6=0
if grep -qi '^00000000000000000000000000000001 ' /proc/net/if_inet6 2>/dev/null; then
    HAVE_V6=1
fi

# ------------------------------------------------------------------ PKI
(
    cd "$K"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
        -keyout ca.key -out ca.crt -days 3650 -subj "/CN=Kalkan Fixture CA" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
    : >db/index.txt
    echo 1000 >db/serial
    cat >ca.cnf <<'EOF'
[ ca ]
default_ca = fixture
[ fixture ]
database = ./db/index.txt
serial = ./db/serial
new_certs_dir = ./db
certificate = ./ca.crt
private_key = ./ca.key
default_md = sha256
policy = anything
unique_subject = no
copy_extensions = copy
[ anything ]
commonName = supplied
[ server ]
basicConstraints = CA:FALSE
keyUsage = digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
EOF
    # cert NAME KEY "dns1,dns2" [openssl ca options...]
    cert() {
        local n=$1 key=$2 names=$3 san
        shift 3
        san=$(echo "$names" | sed 's/[^,]*/DNS:&/g')
        openssl req -newkey "$key" -nodes -keyout "$n.key" -out "$n.csr" \
            -subj "/CN=${names%%,*}" -addext "subjectAltName=$san" 2>/dev/null
        openssl ca -batch -config ca.cnf -extensions server -in "$n.csr" \
            -out "$n.crt" -notext "$@" 2>/dev/null
    }
    cert good ec:<(openssl ecparam -name prime256v1) \
        good.kalkan.test,mx.good.kalkan.test,signed.test,bogus.test,spf11.kalkan.test,apex.kalkan.test,www.apex.kalkan.test -days 365
    cert bad rsa:2048 bad.kalkan.test,broken.kalkan.test,v6broken.kalkan.test -days 365
    cert expired rsa:2048 expired.kalkan.test \
        -startdate 20200101000000Z -enddate 20210101000000Z
    cert soon rsa:2048 soon.kalkan.test -days 5
    cert wronghost rsa:2048 other.example -days 365
    cert legacy rsa:1024 legacy.kalkan.test -days 365 -md sha1
    cert soft404 rsa:2048 soft404.kalkan.test,nomail.kalkan.test -days 365
    cert weakciph rsa:2048 weakciph.kalkan.test -days 365
    openssl req -x509 -newkey rsa:2048 -nodes -keyout selfsigned.key \
        -out selfsigned.crt -days 365 -subj "/CN=selfsigned.kalkan.test" \
        -addext "subjectAltName=DNS:selfsigned.kalkan.test" 2>/dev/null
)

# ------------------------------------------------------------------ sites
mkdir -p "$W/good/.well-known" "$W/bad/.git" "$W/bad/wp-content/uploads/2024/05" \
    "$W/soft404" "$W/plain"
cat >"$W/good/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Good News</title>
<link rel="stylesheet" href="/style.css"></head>
<body><h1>Good News</h1><p>An independent newsroom.</p>
<script src="/app.js"></script></body></html>
EOF
printf 'body { font-family: sans-serif; }\n' >"$W/good/style.css"
printf 'document.title = document.title;\n' >"$W/good/app.js"
printf 'Contact: mailto:security@good.kalkan.test\nExpires: 2031-01-01T00:00:00.000Z\nPreferred-Languages: en, ru, ky\n' \
    >"$W/good/.well-known/security.txt"
printf 'version: STSv1\nmode: enforce\nmx: mx.good.kalkan.test\nmax_age: 604800\n' \
    >"$W/good/.well-known/mta-sts.txt"

cat >"$W/bad/index.html" <<'EOF'
<!DOCTYPE html>
<html lang="ru"><head><meta charset="UTF-8">
<meta name="generator" content="WordPress 5.8.1" />
<title>Новости</title>
<link rel='stylesheet' id='wp-block-library-css' href='/wp-includes/css/dist/block-library/style.min.css?ver=5.8.1' media='all' />
<script src="http://cdn.example.net/jquery.min.js"></script>
</head><body class="home blog"><h1>Новости</h1>
<a href="/wp-content/uploads/2024/05/contract-scan.pdf">contract</a></body></html>
EOF
printf '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>News</title><generator>https://wordpress.org/?v=5.8.1</generator></channel></rss>\n' \
    >"$W/bad/feed.xml"
printf '<!DOCTYPE html>\n<html><head><title>WordPress &#8250; ReadMe</title></head><body><h1 id="logo">WordPress</h1></body></html>\n' \
    >"$W/bad/readme.html"
printf 'ref: refs/heads/main\n' >"$W/bad/.git/HEAD"
printf '[core]\n\trepositoryformatversion = 0\n\tfilemode = true\n\tbare = false\n[remote "origin"]\n\turl = https://git.example.org/news/site.git\n' \
    >"$W/bad/.git/config"
printf 'APP_ENV=production\nDB_HOST=localhost\nDB_USER=news\nDB_PASSWORD=fixture-not-a-secret\n' \
    >"$W/bad/.env"
cat >"$W/bad/wp-config.php.bak" <<'EOF'
<?php
define( 'DB_NAME', 'news' );
define( 'DB_USER', 'news' );
define( 'DB_PASSWORD', 'fixture-not-a-secret' );
define( 'DB_HOST', 'localhost' );
$table_prefix = 'wp_';
EOF
cat >"$W/bad/backup.sql" <<'EOF'
-- MySQL dump 10.13  Distrib 8.0.36, for Linux (x86_64)
--
-- Host: localhost    Database: news
CREATE TABLE `wp_users` (
  `ID` bigint(20) unsigned NOT NULL AUTO_INCREMENT,
  `user_login` varchar(60) NOT NULL DEFAULT '',
  PRIMARY KEY (`ID`)
);
INSERT INTO `wp_users` VALUES (1,'admin');
EOF
mkdir -p "$W/bad/wp-content"
cat >"$W/bad/wp-content/debug.log" <<'EOF'
[12-May-2024 08:14:03 UTC] PHP Warning:  Undefined variable $post in /var/www/news/wp-content/themes/news/single.php on line 12
[12-May-2024 08:14:05 UTC] PHP Fatal error:  Uncaught Error: Call to undefined function get_field() in /var/www/news/wp-content/themes/news/header.php:31
EOF
cat >"$W/bad/phpinfo.php" <<'EOF'
<!DOCTYPE html><html><head><title>PHP 7.4.3 - phpinfo()</title></head><body>
<table><tr class="h"><td><h1 class="p">PHP Version 7.4.3</h1></td></tr></table>
<table><tr><td class="e">System </td><td class="v">Linux news 5.4.0 x86_64 </td></tr></table>
</body></html>
EOF
printf '[{"id":1,"name":"admin","url":"","description":"","link":"https:\\/\\/bad.kalkan.test\\/author\\/admin\\/","slug":"admin"},{"id":2,"name":"Editor","link":"https:\\/\\/bad.kalkan.test\\/author\\/editor\\/","slug":"editor"}]' \
    >"$W/bad/users.json"
printf '%%PDF-1.4\n%% fixture\n' >"$W/bad/wp-content/uploads/2024/05/contract-scan.pdf"
printf '<!DOCTYPE html><html><head><title>Home</title></head><body>Every path answers with this page.</body></html>\n' \
    >"$W/soft404/index.html"
printf '<!DOCTYPE html><html><head><title>Plain</title></head><body>No HTTPS here.</body></html>\n' \
    >"$W/plain/index.html"
chmod -R a+rX "$W" "$FX/tmp"

# ------------------------------------------------------------------ nginx
V6_GOOD=""
V6_GOOD_HTTP=""
if [ "$HAVE_V6" = 1 ]; then
    V6_GOOD="listen [::1]:$SP ssl;"
    V6_GOOD_HTTP="listen [::1]:$HP;"
fi
GOOD_HEADERS="
        add_header Strict-Transport-Security \"max-age=31536000; includeSubDomains\" always;
        add_header Content-Security-Policy \"default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'\" always;
        add_header X-Content-Type-Options nosniff always;
        add_header X-Frame-Options DENY always;
        add_header Referrer-Policy strict-origin-when-cross-origin always;
        add_header Permissions-Policy \"geolocation=(), camera=(), microphone=()\" always;"
MODERN="ssl_protocols TLSv1.2 TLSv1.3;
        ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;"

cat >"$FX/nginx.conf" <<EOF
load_module $MAILMOD;
$( [ "$(id -u)" = 0 ] && echo "user $RUN_USER $RUN_GROUP;" )
worker_processes 1;
pid $FX/run/nginx.pid;
error_log $FX/run/nginx-error.log warn;
events { worker_connections 256; }
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log $FX/run/access.log;
    client_body_temp_path $FX/tmp/body;
    proxy_temp_path $FX/tmp/proxy;
    fastcgi_temp_path $FX/tmp/fastcgi;
    uwsgi_temp_path $FX/tmp/uwsgi;
    scgi_temp_path $FX/tmp/scgi;
    server_tokens off;
    ssl_session_cache off;

    # good.kalkan.test (and the DNS-only names that borrow its web site)
    server {
        listen 127.0.0.2:$HP; $V6_GOOD_HTTP
        server_name good.kalkan.test signed.test bogus.test spf11.kalkan.test www.apex.kalkan.test;
        return 301 https://\$host:$SP\$request_uri;
    }
    # apex.kalkan.test sends every visitor to www.apex.kalkan.test
    server {
        listen 127.0.0.2:$HP; listen 127.0.0.2:$SP ssl;
        server_name apex.kalkan.test;
        ssl_certificate $K/good.crt; ssl_certificate_key $K/good.key;
        $MODERN
        $GOOD_HEADERS
        return 301 https://www.apex.kalkan.test:$SP\$request_uri;
    }
    server {
        listen 127.0.0.2:$SP ssl; $V6_GOOD
        server_name good.kalkan.test mx.good.kalkan.test signed.test bogus.test spf11.kalkan.test www.apex.kalkan.test;
        ssl_certificate $K/good.crt; ssl_certificate_key $K/good.key;
        $MODERN
        root $W/good;
        $GOOD_HEADERS
        add_header Set-Cookie "sid=fixture; Path=/; Secure; HttpOnly; SameSite=Lax" always;
        location /.well-known/ { default_type text/plain; $GOOD_HEADERS }
        location / { try_files \$uri \$uri/ =404; }
    }

    # bad.kalkan.test: a neglected WordPress site
    server {
        listen 127.0.0.3:$HP; listen 127.0.0.3:$SP ssl;
        server_name bad.kalkan.test broken.kalkan.test v6broken.kalkan.test;
        server_tokens on;
        ssl_certificate $K/bad.crt; ssl_certificate_key $K/bad.key;
        ssl_protocols TLSv1.2 TLSv1.3;
        root $W/bad;
        index index.html;
        add_header X-Powered-By "PHP/7.4.3" always;
        add_header Set-Cookie "wordpress_logged_in_5d41=admin%7C1700000000%7Cfixture; Path=/" always;
        location = / {
            if (\$arg_author) { return 301 \$scheme://\$host:\$server_port/author/admin/; }
            try_files /index.html =404;
        }
        location = /feed/ { default_type application/rss+xml; try_files /feed.xml =404; }
        location = /wp-json/wp/v2/users { default_type application/json; alias $W/bad/users.json; }
        location = /xmlrpc.php {
            default_type text/xml;
            if (\$request_method = POST) {
                return 200 '<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><array><data><value><string>system.multicall</string></value><value><string>system.listMethods</string></value><value><string>pingback.ping</string></value><value><string>wp.getUsersBlogs</string></value></data></array></value></param></params></methodResponse>';
            }
            return 405 'XML-RPC server accepts POST requests only.';
        }
        location = /wp-login.php {
            default_type text/html;
            return 200 '<!DOCTYPE html><html><head><title>Log In</title></head><body class="login wp-core-ui"><form name="loginform" id="loginform" action="/wp-login.php" method="post"><input name="log"><input name="pwd" type="password"></form></body></html>';
        }
        location ~ \.php\$ { default_type text/html; }
        location = /.env { default_type text/plain; }
        location ~ \.(sql|log)\$ { default_type text/plain; }
        location /wp-content/uploads/ { autoindex on; }
        location / { try_files \$uri \$uri/ =404; }
    }

    # certificate faults, each serving the good pages with the good headers
    server {
        listen 127.0.0.4:$SP ssl; listen 127.0.0.4:$HP;
        server_name expired.kalkan.test;
        ssl_certificate $K/expired.crt; ssl_certificate_key $K/expired.key;
        $MODERN
        root $W/good;
        $GOOD_HEADERS
    }
    server {
        listen 127.0.0.6:$SP ssl; listen 127.0.0.6:$HP;
        server_name selfsigned.kalkan.test;
        ssl_certificate $K/selfsigned.crt; ssl_certificate_key $K/selfsigned.key;
        $MODERN
        root $W/good;
        $GOOD_HEADERS
    }
    server {
        listen 127.0.0.7:$SP ssl; listen 127.0.0.7:$HP;
        server_name wronghost.kalkan.test;
        ssl_certificate $K/wronghost.crt; ssl_certificate_key $K/wronghost.key;
        $MODERN
        root $W/good;
        $GOOD_HEADERS
    }
    server {
        listen 127.0.0.8:$HP;
        server_name soon.kalkan.test;
        return 301 https://\$host:$SP\$request_uri;
    }
    server {
        listen 127.0.0.8:$SP ssl;
        server_name soon.kalkan.test;
        ssl_certificate $K/soon.crt; ssl_certificate_key $K/soon.key;
        $MODERN
        root $W/good;
        add_header Strict-Transport-Security "max-age=3600" always;
        add_header Content-Security-Policy "default-src 'self'; script-src 'self' 'unsafe-inline'; frame-ancestors 'none'" always;
        add_header X-Content-Type-Options nosniff always;
        add_header Referrer-Policy no-referrer always;
    }

    # legacy.kalkan.test: TLS 1.0-1.2, RSA-1024 signed with SHA-1, RSA key
    # exchange only (no forward secrecy)
    server {
        listen 127.0.0.5:$SP ssl; listen 127.0.0.5:$HP;
        server_name legacy.kalkan.test;
        ssl_certificate $K/legacy.crt; ssl_certificate_key $K/legacy.key;
        ssl_protocols TLSv1 TLSv1.1 TLSv1.2;
        ssl_ciphers "AES128-SHA:AES256-SHA:AES128-SHA256:@SECLEVEL=0";
        root $W/good;
    }

    # soft404.kalkan.test and nomail.kalkan.test: 200 text/html for every path
    server {
        listen 127.0.0.9:$HP; listen 127.0.0.9:$SP ssl;
        server_name soft404.kalkan.test nomail.kalkan.test;
        ssl_certificate $K/soft404.crt; ssl_certificate_key $K/soft404.key;
        $MODERN
        root $W/soft404;
        location / { default_type text/html; try_files /index.html =404; }
    }

    # plain.kalkan.test: HTTP only
    server {
        listen 127.0.0.10:$HP;
        server_name plain.kalkan.test;
        root $W/plain;
    }
}
mail {
    server_name mx.kalkan.test;
    auth_http 127.0.0.1:9/never-reached;
    smtp_auth none;
    server {
        listen 127.0.0.2:$MP; protocol smtp; starttls on;
        ssl_certificate $K/good.crt; ssl_certificate_key $K/good.key;
        ssl_protocols TLSv1.2 TLSv1.3;
    }
    server { listen 127.0.0.3:$MP; protocol smtp; starttls off; }
    server {
        listen 127.0.0.5:$MP; protocol smtp; starttls on;
        ssl_certificate $K/legacy.crt; ssl_certificate_key $K/legacy.key;
        ssl_protocols TLSv1 TLSv1.1;
        ssl_ciphers "ALL:@SECLEVEL=0";
    }
}
EOF
nginx -t -q -p "$FX" -e "$FX/run/nginx-error.log" -c "$FX/nginx.conf"
nginx -p "$FX" -e "$FX/run/nginx-error.log" -c "$FX/nginx.conf"

# ------------------------------------------------------------------ gnutls-serv
gnutls-serv --http --port "$GP" --x509certfile "$K/weakciph.crt" \
    --x509keyfile "$K/weakciph.key" \
    --priority 'NORMAL:+3DES-CBC:+ARCFOUR-128:+RSA:+VERS-TLS1.0:+VERS-TLS1.1:-VERS-TLS1.3' \
    >"$FX/run/gnutls.log" 2>&1 &
echo $! >"$FX/run/gnutls.pid"

# ------------------------------------------------------------------ DNS
D=$FX/dns
GOOD_AAAA=""
if [ "$HAVE_V6" = 1 ]; then
    GOOD_AAAA="local-data: \"good.kalkan.test. 300 IN AAAA ::1\""
fi
(
    cd "$D"
    TLSA=$(openssl x509 -in "$K/good.crt" -noout -pubkey |
        openssl pkey -pubin -outform DER | openssl dgst -sha256 -r | cut -d' ' -f1)
    : >ta.ds
    for z in signed.test bogus.test; do
        # bogus.test is signed with another address, then altered below
        web=127.0.0.2
        [ "$z" = bogus.test ] && web=127.0.0.12
        cat >"$z.zone" <<EOF
\$ORIGIN $z.
\$TTL 300
@    IN SOA ns.$z. hostmaster.$z. 1 3600 600 86400 300
@    IN NS  ns.$z.
ns   IN A   127.0.0.1
@    IN A   $web
@    IN MX  10 mx.$z.
mx   IN A   127.0.0.2
@    IN TXT "v=spf1 mx -all"
@    IN CAA 0 issue "letsencrypt.org"
_dmarc IN TXT "v=DMARC1; p=reject"
mail._domainkey IN TXT "v=DKIM1; k=ec; p=MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE"
_25._tcp.mx IN TLSA 3 1 1 $TLSA
EOF
        ksk=$(ldns-keygen -a ECDSAP256SHA256 -k "$z")
        zsk=$(ldns-keygen -a ECDSAP256SHA256 "$z")
        ldns-signzone -n -e 20371231000000 -f "$z.zone.signed" "$z.zone" "$ksk" "$zsk"
        cat "$ksk.ds" >>ta.ds
    done
    # bogus.test: alter the signed A record, so its signature no longer
    # matches; the web site behind the altered address is the good one.
    sed -i 's/^\(bogus\.test\.[[:space:]]\+300[[:space:]]\+IN[[:space:]]\+A[[:space:]]\+\)127\.0\.0\.12/\1127.0.0.2/' bogus.test.zone.signed
    grep -q '^bogus\.test\.[[:space:]]\+300[[:space:]]\+IN[[:space:]]\+A[[:space:]]\+127\.0\.0\.2' bogus.test.zone.signed
    grep -q '^signed\.test\.[[:space:]]\+300[[:space:]]\+IN[[:space:]]\+A[[:space:]]\+127\.0\.0\.2' signed.test.zone.signed

    # Over 255 bytes: two character-strings, joined by the reader.
    spf11="v=spf1"
    for i in 1 2 3 4 5 6; do
        spf11="$spf11 include:i$i.spf11.kalkan.test"
    done
    spf11="$spf11 \" \""
    for i in 7 8 9 10 11; do
        spf11="${spf11}include:i$i.spf11.kalkan.test "
    done
    spf11="$spf11-all"
    {
        for i in 1 2 3 4 5 6 7 8 9 10 11; do
            echo "  local-data: 'i$i.spf11.kalkan.test. 300 IN TXT \"v=spf1 ip4:192.0.2.$i -all\"'"
        done
    } >spf11.conf

    cat >unbound.conf <<EOF
server:
  interface: 127.0.0.1@$DP
  port: $DP
  do-ip6: no
  do-udp: yes
  do-tcp: yes
  use-syslog: no
  logfile: "$D/unbound.log"
  verbosity: 0
  username: ""
  chroot: ""
  directory: "$D"
  pidfile: "$FX/run/unbound.pid"
  access-control: 127.0.0.0/8 allow
  module-config: "validator iterator"
  trust-anchor-file: "$D/ta.ds"
  val-log-level: 2
  local-zone: "test." nodefault
  local-zone: "kalkan.test." static
  local-data: "kalkan.test. 300 IN SOA ns.kalkan.test. hostmaster.kalkan.test. 1 3600 600 86400 300"
  local-data: "good.kalkan.test. 300 IN A 127.0.0.2"
  $GOOD_AAAA
  local-data: "good.kalkan.test. 300 IN MX 10 mx.good.kalkan.test."
  local-data: "mx.good.kalkan.test. 300 IN A 127.0.0.2"
  local-data: "mta-sts.good.kalkan.test. 300 IN A 127.0.0.2"
  local-data: 'good.kalkan.test. 300 IN TXT "v=spf1 mx -all"'
  local-data: 'good.kalkan.test. 300 IN CAA 0 issue "letsencrypt.org"'
  local-data: '_dmarc.good.kalkan.test. 300 IN TXT "v=DMARC1; p=reject; rua=mailto:dmarc@good.kalkan.test"'
  local-data: 'mail._domainkey.good.kalkan.test. 300 IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwfixture"'
  local-data: '_mta-sts.good.kalkan.test. 300 IN TXT "v=STSv1; id=20260101"'
  local-data: '_smtp._tls.good.kalkan.test. 300 IN TXT "v=TLSRPTv1; rua=mailto:tls@good.kalkan.test"'
  local-data: "apex.kalkan.test. 300 IN A 127.0.0.2"
  local-data: "www.apex.kalkan.test. 300 IN A 127.0.0.2"
  local-data: "apex.kalkan.test. 300 IN MX 10 mx.good.kalkan.test."
  local-data: 'apex.kalkan.test. 300 IN TXT "v=spf1 mx -all"'
  local-data: 'apex.kalkan.test. 300 IN CAA 0 issue "letsencrypt.org"'
  local-data: '_dmarc.apex.kalkan.test. 300 IN TXT "v=DMARC1; p=quarantine; rua=mailto:dmarc@apex.kalkan.test"'
  local-data: 'mail._domainkey.apex.kalkan.test. 300 IN TXT "v=DKIM1; k=rsa; p=MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAwfixture"'
  local-data: "bad.kalkan.test. 300 IN A 127.0.0.3"
  local-data: "bad.kalkan.test. 300 IN MX 10 bad.kalkan.test."
  local-data: 'bad.kalkan.test. 300 IN TXT "v=spf1 a mx +all"'
  local-data: '_dmarc.bad.kalkan.test. 300 IN TXT "v=DMARC1; p=none"'
  local-data: "broken.kalkan.test. 300 IN A 127.0.0.3"
  local-data: 'broken.kalkan.test. 300 IN TXT "v=spf1 include:_spf.good.kalkan.test ~all"'
  local-data: 'broken.kalkan.test. 300 IN TXT "v=spf1 a -all"'
  local-data: '_dmarc.broken.kalkan.test. 300 IN TXT "v=DMARC1 p=reject"'
  local-data: '_spf.good.kalkan.test. 300 IN TXT "v=spf1 ip4:127.0.0.2 -all"'
  local-data: "spf11.kalkan.test. 300 IN A 127.0.0.2"
  local-data: 'spf11.kalkan.test. 300 IN TXT "$spf11"'
  local-data: '_dmarc.spf11.kalkan.test. 300 IN TXT "v=DMARC1; p=reject"'
  include: "$D/spf11.conf"
  local-data: "v6broken.kalkan.test. 300 IN A 127.0.0.3"
  local-data: "v6broken.kalkan.test. 300 IN AAAA ::ffff:127.0.0.11"
  local-data: "nomail.kalkan.test. 300 IN A 127.0.0.9"
  local-data: "soft404.kalkan.test. 300 IN A 127.0.0.9"
  local-data: "plain.kalkan.test. 300 IN A 127.0.0.10"
  local-data: "legacy.kalkan.test. 300 IN A 127.0.0.5"
  local-data: "legacy.kalkan.test. 300 IN MX 10 legacy.kalkan.test."
  local-data: "expired.kalkan.test. 300 IN A 127.0.0.4"
  local-data: "selfsigned.kalkan.test. 300 IN A 127.0.0.6"
  local-data: "wronghost.kalkan.test. 300 IN A 127.0.0.7"
  local-data: "soon.kalkan.test. 300 IN A 127.0.0.8"
  local-data: "weakciph.kalkan.test. 300 IN A 127.0.0.1"
auth-zone:
  name: "signed.test."
  zonefile: "$D/signed.test.zone.signed"
  for-downstream: no
  for-upstream: yes
auth-zone:
  name: "bogus.test."
  zonefile: "$D/bogus.test.zone.signed"
  for-downstream: no
  for-upstream: yes
EOF
    unbound-checkconf unbound.conf >/dev/null
)
unbound -c "$D/unbound.conf"

# ------------------------------------------------------------------ wait
# Every server answers before we return; at most 10 s.
ready() {
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null
}
for _ in $(seq 1 100); do
    if ready 127.0.0.2 "$SP" && ready 127.0.0.3 "$MP" && ready 127.0.0.1 "$GP" &&
        ready 127.0.0.1 "$DP" && [ -s "$FX/run/unbound.pid" ]; then
        break
    fi
    sleep 0.1
done
for check in "127.0.0.2 $SP" "127.0.0.3 $MP" "127.0.0.1 $GP" "127.0.0.1 $DP"; do
    # shellcheck disable=SC2086
    ready $check || {
        echo "fixture.sh: a server did not start ($check); see $FX/run" >&2
        exit 3
    }
done

cat >"$FX/site.opts" <<EOF
--dns 127.0.0.1@$DP --trust-anchor $D/ta.ds --ca-file $K/ca.crt --http-port $HP --https-port $SP --smtp-port $MP
EOF
cat >"$FX/fixture.env" <<EOF
FX_DIR=$FX
FX_HTTP=$HP
FX_HTTPS=$SP
FX_SMTP=$MP
FX_DNS=$DP
FX_WEAK=$GP
FX_CA=$K/ca.crt
FX_TA=$D/ta.ds
FX_V6=$HAVE_V6
EOF
echo "fixture up in $FX (HTTP $HP, HTTPS $SP, SMTP $MP, DNS $DP, weak TLS $GP)"
