// TLS with real peers: uvkit against itself, openssl s_server/s_client,
// curl and Node's own tls (in a child process), with certificates made at
// test time by the openssl CLI.
import { strict as assert } from 'assert';
import { ChildProcess, execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import {
  HandleClosedError, Loop, Pipe, TCP, TLS, TLSContext, TLSError, TLSOptions, errno, socketpair,
} from '../lib/index';
import { root, throwsLike, useLoop } from './helpers';

const OPENSSL = '/usr/bin/openssl';

interface Certs {
  dir: string;
  ca: string; caKey: string;
  leaf: string; leafKey: string;          // localhost, 127.0.0.1, signed by ca
  expired: string; expiredKey: string;    // localhost, signed by ca, expired
  self: string; selfKey: string;          // localhost, self-signed
  other: string; otherKey: string;        // other.test, signed by ca (SNI)
  client: string; clientKey: string;      // a client certificate, signed by ca
  leafKeyEncrypted: string;               // leafKey under the passphrase 'secret'
}

function makeCerts(): Certs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'uvkit-tls-'));
  const run = (...args: string[]) => execFileSync(OPENSSL, args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '30', '-subj', '/CN=uvkit test CA');
  const signed = (name: string, cn: string, san: string, days: string) => {
    run('req', ...ec, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`);
    fs.writeFileSync(path.join(dir, `${name}.ext`), san === '' ? 'basicConstraints=CA:FALSE\n' : `subjectAltName=${san}\n`);
    run('x509', '-req', '-in', `${name}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial',
      '-out', `${name}.pem`, '-days', days, '-extfile', `${name}.ext`);
  };
  signed('leaf', 'localhost', 'DNS:localhost,IP:127.0.0.1', '30');
  signed('expired', 'localhost', 'DNS:localhost,IP:127.0.0.1', '-1');
  signed('other', 'other.test', 'DNS:other.test', '30');
  signed('client', 'uvkit client', '', '30');
  run('req', '-x509', ...ec, '-keyout', 'self.key', '-out', 'self.pem', '-days', '30', '-subj', '/CN=localhost',
    '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1');
  run('pkey', '-in', 'leaf.key', '-aes256', '-passout', 'pass:secret', '-out', 'leaf.enc.key');
  const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8');
  return {
    dir,
    ca: read('ca.pem'), caKey: read('ca.key'),
    leaf: read('leaf.pem'), leafKey: read('leaf.key'),
    expired: read('expired.pem'), expiredKey: read('expired.key'),
    self: read('self.pem'), selfKey: read('self.key'),
    other: read('other.pem'), otherKey: read('other.key'),
    client: read('client.pem'), clientKey: read('client.key'),
    leafKeyEncrypted: read('leaf.enc.key'),
  };
}

let certs: Certs;
before(function () {
  this.timeout(30000);
  certs = makeCerts();
});
after(() => fs.rmSync(certs.dir, { recursive: true, force: true }));

/** A TCP server on 127.0.0.1:0 making a server TLS of each connection. */
function tlsServer(loop: Loop, opts: TLSOptions, onSecure: (err: TLSError | null, t: TLS) => void): TCP {
  const server = new TCP(loop);
  server.bind('127.0.0.1', 0);
  server.listen((err, s) => {
    assert.equal(err, null);
    const c = new TCP(loop);
    s.accept(c);
    const t = new TLS(loop, c, { isServer: true, ...opts });
    t.handshake((e) => onSecure(e, t));
  });
  return server;
}

/** A client TLS over a new TCP connection to 127.0.0.1:port. */
function tlsConnect(loop: Loop, port: number, opts: TLSOptions, cb: (err: TLSError | null, t: TLS) => void): void {
  const c = new TCP(loop);
  c.connect('127.0.0.1', port, (err) => {
    assert.equal(err, null);
    const t = new TLS(loop, c, opts);
    t.handshake((e) => cb(e, t));
  });
}

/** An echo server: every connection echoes until EOF, then shuts down and closes. */
function echoServer(loop: Loop, opts: TLSOptions, onClient?: (t: TLS) => void): TCP {
  return tlsServer(loop, opts, (err, t) => {
    assert.equal(err, null);
    onClient?.(t);
    t.startRead((e, data) => {
      assert.equal(e, null);
      if (data === null) t.shutdown(() => t.close());
      else t.write(data);
    });
  });
}

function serverOpts(): TLSOptions {
  return { cert: certs.leaf, key: certs.leafKey };
}

function port(server: TCP): number {
  return server.getsockname().port;
}

/** Runs the loop with a deadline: a test that would hang fails instead. */
function runBounded(loop: Loop, ms = 10000): void {
  const deadline = Date.now() + ms;
  while (loop.alive) {
    loop.run(1 /* UV_RUN_ONCE */);
    if (Date.now() > deadline) throw new Error('the loop did not finish in time');
  }
}

describe('TLSContext', () => {
  it('checks its options as Node does', () => {
    throwsLike(() => new TLSContext(7 as never), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => new TLSContext({ cert: 7 as never }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => new TLSContext({ ca: [certs.ca, 1 as never] }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => new TLSContext({ passphrase: 1 as never }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => new TLSContext({ minVersion: 'TLSv1.1' as never }), TypeError, { code: 'ERR_TLS_INVALID_PROTOCOL_VERSION' });
    throwsLike(() => new TLSContext({ minVersion: 'TLSv1.3', maxVersion: 'TLSv1.2' }), TypeError, { code: 'ERR_INVALID_ARG_VALUE' });
    throwsLike(() => new TLSContext({ ALPNProtocols: [''] }), RangeError, { code: 'ERR_OUT_OF_RANGE' });
    throwsLike(() => new TLSContext({ requestCert: 'yes' as never }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
  });

  it("fails on bad PEM, a wrong passphrase, a key that does not fit, unknown ciphers, with Node's codes", () => {
    const tls = require('tls') as typeof import('tls');
    // Node's own code for the same input.
    const nodeCode = (opts: object): string => {
      try {
        tls.createSecureContext(opts);
      } catch (err) {
        return (err as { code: string }).code;
      }
      return 'none';
    };
    const cases: [object, string][] = [
      [{ cert: 'not a certificate' }, 'ERR_OSSL_PEM_NO_START_LINE'],
      [{ cert: certs.leaf, key: certs.leafKeyEncrypted, passphrase: 'wrong' }, 'ERR_OSSL_BAD_DECRYPT'],
      [{ cert: certs.leaf, key: certs.otherKey }, 'ERR_OSSL_X509_KEY_VALUES_MISMATCH'],
      [{ ciphers: 'NO-SUCH-CIPHER' }, 'ERR_SSL_NO_CIPHER_MATCH'],
      [{ ca: 'garbage' }, 'ERR_OSSL_PEM_NO_START_LINE'],
    ];
    for (const [opts, code] of cases) {
      throwsLike(() => new TLSContext(opts), TLSError, { code });
      if (!('ca' in opts)) assert.equal(nodeCode(opts), code, `Node's code for ${JSON.stringify(opts).slice(0, 60)}`);
    }
    // The right passphrase works.
    new TLSContext({ cert: certs.leaf, key: certs.leafKeyEncrypted, passphrase: 'secret' });
  });
});

describe('TLS', () => {
  const t = useLoop();

  it('checks its arguments', () => {
    throwsLike(() => new TLS(t.loop, {} as never), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    const c = new TCP(t.loop);
    throwsLike(() => new TLS(t.loop, c, { servername: 1 as never }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => new TLS(t.loop, c, { context: {} as never }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => new TLS(t.loop, c, { SNICallback: 1 as never }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    throwsLike(() => new TLS(t.loop, c, { session: 'x' as never }), TypeError, { code: 'ERR_INVALID_ARG_TYPE' });
    const other = new Loop();
    try {
      throwsLike(() => new TLS(other, c), TypeError, { code: 'ERR_INVALID_ARG_VALUE' });
    } finally {
      other.close();
    }
    // Not connected: ENOTCONN; a listening server: EINVAL.
    throwsLike(() => new TLS(t.loop, c), TLSError, { code: 'ENOTCONN', syscall: 'TLS' });
    c.bind('127.0.0.1', 0);
    c.listen(() => {});
    throwsLike(() => new TLS(t.loop, c), TLSError, { code: 'EINVAL' });
    c.close();
    throwsLike(() => new TLS(t.loop, c), HandleClosedError, {});
  });

  it('echoes between a uvkit client and server (TLS 1.3, ALPN, SNI, facts)', () => {
    let serverSide: TLS | null = null;
    const server = echoServer(t.loop, { ...serverOpts(), ALPNProtocols: ['h2', 'http/1.1'] }, (s) => { serverSide = s; });
    const got: Buffer[] = [];
    let checked = false;
    tlsConnect(t.loop, port(server), { servername: 'localhost', ca: certs.ca, ALPNProtocols: ['http/1.1'] }, (err, c) => {
      assert.equal(err, null);
      assert.equal(c.authorized, true);
      assert.equal(c.authorizationError, null);
      assert.equal(c.protocol, 'TLSv1.3');
      assert.equal(c.alpnProtocol, 'http/1.1');
      assert.equal(c.servername, 'localhost');
      const cipher = c.getCipher()!;
      assert.equal(cipher.version, 'TLSv1.3');
      assert.match(cipher.standardName, /^TLS_/);
      const cert = c.getPeerCertificate()!;
      assert.deepEqual(cert.subject, { CN: 'localhost' });
      assert.deepEqual(cert.issuer, { CN: 'uvkit test CA' });
      assert.equal(cert.subjectaltname, 'DNS:localhost, IP Address:127.0.0.1');
      const x509 = new (require('crypto').X509Certificate)(certs.leaf);
      assert.equal(cert.fingerprint256, x509.fingerprint256);
      assert.equal(cert.valid_to, x509.validTo);
      assert.equal(cert.valid_from, x509.validFrom);
      assert.ok(cert.raw.equals(x509.raw));
      assert.equal(c.isSessionReused(), false);
      c.write(['hello ', Buffer.from('world')]);
      c.startRead((e, data) => {
        assert.equal(e, null);
        if (data === null) {
          c.close();
          server.close();
          return;
        }
        got.push(data);
        if (Buffer.concat(got).toString() === 'hello world') {
          assert.equal(serverSide!.servername, 'localhost');
          assert.equal(serverSide!.alpnProtocol, 'http/1.1');
          assert.equal(serverSide!.authorized, false); // no requestCert
          assert.equal(serverSide!.getPeerCertificate(), null);
          checked = true;
          c.shutdown();
        }
      });
    });
    runBounded(t.loop);
    assert.ok(checked);
  });

  it('speaks TLS 1.2 when the versions say so', () => {
    const server = echoServer(t.loop, { ...serverOpts(), maxVersion: 'TLSv1.2' });
    let protocol: string | null = null;
    tlsConnect(t.loop, port(server), { ca: certs.ca, ciphers: 'ECDHE-ECDSA-AES128-GCM-SHA256' }, (err, c) => {
      assert.equal(err, null);
      protocol = c.protocol;
      assert.deepEqual(c.getCipher(), { name: 'ECDHE-ECDSA-AES128-GCM-SHA256', standardName: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', version: 'TLSv1.2' });
      c.close();
      server.close();
    });
    runBounded(t.loop);
    assert.equal(protocol, 'TLSv1.2');
  });

  it('echoes 1 MB intact, counting plaintext not yet written in writeQueueSize', () => {
    const server = echoServer(t.loop, serverOpts());
    const data = require('crypto').randomBytes(1 << 20) as Buffer;
    const got: Buffer[] = [];
    let queuedHeld = -1;
    let queuedBurst = -1;
    let queuedAtCallback = -1;
    const c = new TCP(t.loop);
    c.connect('127.0.0.1', port(server), () => {
      const tls = new TLS(t.loop, c, { ca: certs.ca });
      tls.handshake((err) => {
        assert.equal(err, null);
        // 8 MB more in one go: more than the socket takes at once.
        for (let i = 0; i < 8; i++) tls.write(data);
        queuedBurst = tls.writeQueueSize;
        tls.write(data, (e) => {
          assert.equal(e, null);
          queuedAtCallback = tls.writeQueueSize;
        });
        tls.shutdown();
      });
      tls.write(data); // held for the handshake
      queuedHeld = tls.writeQueueSize;
      tls.startRead((e, chunk) => {
        assert.equal(e, null);
        if (chunk === null) {
          tls.close();
          server.close();
        } else {
          got.push(chunk);
        }
      });
    });
    runBounded(t.loop, 30000);
    assert.equal(queuedHeld, data.length);
    assert.ok(queuedBurst > 0 && queuedBurst <= 8 * data.length, `queued ${queuedBurst}`);
    assert.equal(queuedAtCallback, 0);
    const all = Buffer.concat(got);
    assert.equal(all.length, 10 * data.length);
    for (let i = 0; i < 10; i++) assert.ok(all.subarray(i * data.length, (i + 1) * data.length).equals(data), `copy ${i} differs`);
  });

  it('holds writes and reads made before the handshake completes; shutdown sends close_notify', () => {
    const events: string[] = [];
    const server = tlsServer(t.loop, serverOpts(), (err, s) => {
      assert.equal(err, null);
      const got: Buffer[] = [];
      s.startRead((e, data) => {
        assert.equal(e, null);
        if (data === null) {
          events.push(`server EOF ${Buffer.concat(got)}`);
          s.close();
          server.close();
        } else {
          got.push(data);
        }
      });
    });
    const c = new TCP(t.loop);
    c.connect('127.0.0.1', port(server), () => {
      const tls = new TLS(t.loop, c, { ca: certs.ca });
      tls.handshake((err) => events.push(`handshake ${err}`));
      assert.equal(tls.protocol, null);
      tls.write('one ', () => events.push('write one'));
      tls.write('two');
      assert.equal(tls.writeQueueSize, 7);
      tls.shutdown((err) => events.push(`shutdown ${err}`));
      tls.startRead((err, data) => {
        events.push(`client read ${err} ${data}`);
        tls.close();
      });
    });
    runBounded(t.loop);
    assert.deepEqual(events.slice(0, 3), ['handshake null', 'write one', 'shutdown null']);
    assert.ok(events.includes('server EOF one two'), events.join(' | '));
    assert.ok(events.includes('client read null null'), events.join(' | '));
  });

  it('owns its transport: the transport acts as closed, and closes with it', () => {
    const server = echoServer(t.loop, serverOpts());
    const order: string[] = [];
    const c = new TCP(t.loop);
    c.connect('127.0.0.1', port(server), () => {
      const fd = c.fileno();
      const tls = new TLS(undefined, c, { ca: certs.ca });
      assert.equal(tls.loop, t.loop);
      assert.equal(tls.fileno(), fd);
      assert.equal(c.closed, true);
      throwsLike(() => c.write('x'), HandleClosedError, { message: 'TCP.write(): handle is closed' });
      throwsLike(() => c.startRead(() => {}), HandleClosedError, {});
      c.close(() => order.push('transport closed'));
      assert.ok(t.loop.handles.includes(tls));
      assert.ok(!t.loop.handles.includes(c));
      tls.handshake((err) => {
        assert.equal(err, null);
        tls.close(() => order.push('tls closed'));
        server.close();
      });
    });
    runBounded(t.loop);
    assert.deepEqual(order, ['transport closed', 'tls closed']);
    assert.equal(c.loop, null);
  });

  it('closing mid-handshake cancels the handshake, held writes and a held shutdown', () => {
    const server = new TCP(t.loop);
    server.bind('127.0.0.1', 0);
    const peers: TCP[] = [];
    server.listen((err, s) => {
      const p = new TCP(t.loop);
      s.accept(p);
      peers.push(p); // never answers
    });
    const got: string[] = [];
    const c = new TCP(t.loop);
    c.connect('127.0.0.1', port(server), () => {
      const tls = new TLS(t.loop, c, { ca: certs.ca });
      tls.handshake((err) => got.push(`handshake ${(err as TLSError).code}`));
      tls.write('x', (err) => got.push(`write ${err && err.code}`));
      tls.shutdown((err) => got.push(`shutdown ${err && err.code}`));
      const timer = setTimeoutOn(t.loop, 50, () => {
        tls.close(() => {
          got.push('closed');
          for (const p of peers) p.close();
          server.close();
        });
      });
      void timer;
    });
    runBounded(t.loop);
    assert.deepEqual(got, ['handshake ECANCELED', 'write ECANCELED', 'shutdown ECANCELED', 'closed']);
  });
});

/** A one-shot uvkit timer. */
function setTimeoutOn(loop: Loop, ms: number, fn: () => void) {
  const { Timer } = require('../lib/index') as typeof import('../lib/index');
  const timer = new Timer(loop);
  timer.start(() => {
    timer.close();
    fn();
  }, ms);
  return timer;
}

void [Pipe, errno, socketpair, spawn, root];
type Unused = ChildProcess;
