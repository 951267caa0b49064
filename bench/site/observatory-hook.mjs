// SPDX-License-Identifier: GPL-3.0-or-later
// Loaded with `node --import` before the MDN HTTP Observatory's scanner in
// bench/site/run.sh: the scanner only knows ports 80 and 443 and the
// system's resolver, so this sends its connections for the fixture's host
// names to the fixture's loopback addresses and ports instead.  Nothing
// else changes: the TLS server name and the certificate checks stay the
// scanner's own (the fixture's CA comes from NODE_EXTRA_CA_CERTS).
import net from "node:net";

const hosts = JSON.parse(process.env.KK_FIXTURE_HOSTS || "{}");
const httpPort = Number(process.env.KK_FIXTURE_HTTP);
const httpsPort = Number(process.env.KK_FIXTURE_HTTPS);
const connect = net.Socket.prototype.connect;

net.Socket.prototype.connect = function (...args) {
  const o = args[0];
  if (o && typeof o === "object" && !Array.isArray(o) && hosts[o.host]) {
    const port = Number(o.port);
    args[0] = {
      ...o,
      host: hosts[o.host],
      port: port === 443 ? httpsPort : port === 80 ? httpPort : port,
    };
  }
  return connect.apply(this, args);
};
