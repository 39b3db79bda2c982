// TLS over a connected TCP or Pipe, done natively with Node's own OpenSSL
// (native/tls*.cc), so it works inside a blocking run() as well as
// attached. Option names, error codes and facts are Node's tls ones.
import { binding } from './binding';
import { codedError, HandleClosedError, UVError } from './errors';
import type { Loop } from './loop';
import { loopArg } from './loop';
import { Pipe } from './pipe';
import { NativeStream, Stream, StreamError } from './stream';
import { TCP } from './tcp';
import { withNative } from './handle';
import {
  checkBoolean, checkFunction, checkObject, checkString, invalidArgType, invalidArgValue, outOfRange,
} from './validate';

/**
 * A TLS failure: `code` is Node's (e.g. 'DEPTH_ZERO_SELF_SIGNED_CERT',
 * 'ERR_TLS_CERT_ALTNAME_INVALID', 'ERR_SSL_WRONG_VERSION_NUMBER',
 * 'ECONNRESET'); `reason` and `library` are OpenSSL's when it said them.
 * `errno` is libuv's: UV_EPROTO for a TLS failure, the transport's error
 * (ECONNRESET, EPIPE…) otherwise.
 */
export class TLSError extends StreamError {
  declare readonly reason?: string;
  declare readonly library?: string;
}

/** The native side builds TLS failures through this, with the TLS (or nothing) as `this`. */
function makeTLSError(code: string, message: string, errno: number, reason: string, library: string): TLSError {
  const err = new TLSError(errno);
  const self = err as { -readonly [K in keyof TLSError]: TLSError[K] };
  self.code = code;
  self.message = message;
  if (reason !== '') self.reason = reason;
  if (library !== '') self.library = library;
  return err;
}

/** A PEM text: a string, or its bytes. */
export type PEM = string | Buffer | Uint8Array;

export interface TLSContextOptions {
  /** PEM, leaf first (its chain after it, in the same item or the next ones). */
  cert?: PEM | PEM[];
  key?: PEM;
  passphrase?: string;
  /** Trusted roots; default Node's tls.rootCertificates. */
  ca?: PEM | PEM[];
  /** OpenSSL cipher list; TLS 1.3 suites (TLS_…) and TLS 1.2 ciphers alike, as Node splits them. */
  ciphers?: string;
  minVersion?: 'TLSv1.2' | 'TLSv1.3';
  maxVersion?: 'TLSv1.2' | 'TLSv1.3';
  ALPNProtocols?: string[];
  /** Server: ask the client for a certificate. */
  requestCert?: boolean;
  /** Server with requestCert: refuse a client without a valid certificate (default true). */
  rejectUnauthorized?: boolean;
}

export interface TLSOptions extends TLSContextOptions {
  /** Default false: a client. */
  isServer?: boolean;
  /** Default: a context made from the TLSContext options given here. */
  context?: TLSContext;
  /** Client: SNI, and the name the certificate must match. */
  servername?: string;
  /** Client: fail the handshake on an untrusted server (default true). */
  rejectUnauthorized?: boolean;
  /** Server: the context for the name the client asked for; null keeps the default. */
  SNICallback?: (servername: string) => TLSContext | null;
  /** Client: resume this session (from getSession()). */
  session?: Buffer | Uint8Array;
}

const VERSIONS: Record<string, number> = { 'TLSv1.2': 0x0303, 'TLSv1.3': 0x0304 };

function checkVersion(value: unknown, name: string, fallback: string): number {
  if (value === undefined) return VERSIONS[fallback];
  if (typeof value !== 'string') throw invalidArgType(name, 'string', value);
  const v = VERSIONS[value];
  if (v === undefined) {
    throw codedError(TypeError, 'ERR_TLS_INVALID_PROTOCOL_VERSION', `'${value}' is not a valid TLS protocol version`);
  }
  return v;
}

function pem(value: unknown, name: string): Buffer {
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw invalidArgType(name, ['string', 'Buffer', 'Uint8Array'], value);
}

function pemList(value: unknown, name: string): Buffer[] {
  if (Array.isArray(value)) return value.map((v, i) => pem(v, `${name}[${i}]`));
  return [pem(value, name)];
}

function optionalBoolean(value: unknown, name: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  checkBoolean(value, name);
  return value;
}

/** ALPN's wire format: each protocol as a length byte and its name. */
function alpnWire(value: unknown, name: string): Buffer {
  if (!Array.isArray(value)) throw invalidArgType(name, 'Array', value);
  const parts: Buffer[] = [];
  value.forEach((p, i) => {
    const b = Buffer.from(checkString(p, `${name}[${i}]`), 'utf8');
    if (b.length < 1 || b.length > 255) throw outOfRange(`${name}[${i}].length`, '>= 1 && <= 255', b.length);
    parts.push(Buffer.from([b.length]), b);
  });
  return Buffer.concat(parts);
}

// tls.rootCertificates reach the native side once (it keeps them for the
// process); loading Node's tls module waits until a context needs them.
let rootsGiven = false;
function giveRoots(): void {
  if (rootsGiven) return;
  binding.tlsSetRoots((require('tls') as typeof import('tls')).rootCertificates);
  rootsGiven = true;
}

const CONTEXT_KEYS = ['cert', 'key', 'passphrase', 'ca', 'ciphers', 'minVersion', 'maxVersion', 'ALPNProtocols', 'requestCert'] as const;

/** A reusable TLS configuration (an OpenSSL SSL_CTX); use it for any number of TLS streams, on any loop of its thread. */
export class TLSContext {
  /** @internal */
  readonly _native: object;

  constructor(opts: TLSContextOptions = {}) {
    const o = checkObject(opts, 'options');
    const certs = o.cert === undefined ? [] : pemList(o.cert, 'options.cert');
    const key = o.key === undefined ? undefined : pem(o.key, 'options.key');
    const passphrase = o.passphrase === undefined ? undefined : checkString(o.passphrase, 'options.passphrase');
    let ca: Buffer[] | null = null;
    if (o.ca === undefined) giveRoots();
    else ca = pemList(o.ca, 'options.ca');
    const ciphers = o.ciphers === undefined ? undefined : checkString(o.ciphers, 'options.ciphers');
    const min = checkVersion(o.minVersion, 'options.minVersion', 'TLSv1.2');
    const max = checkVersion(o.maxVersion, 'options.maxVersion', 'TLSv1.3');
    if (min > max) throw invalidArgValue('options.minVersion', o.minVersion, 'must not be above options.maxVersion');
    const alpn = o.ALPNProtocols === undefined ? undefined : alpnWire(o.ALPNProtocols, 'options.ALPNProtocols');
    const requestCert = optionalBoolean(o.requestCert, 'options.requestCert', false);
    const reject = optionalBoolean(o.rejectUnauthorized, 'options.rejectUnauthorized', true);
    this._native = new binding.TLSContext(certs, key, passphrase, ca, ciphers, min, max, alpn, requestCert, reject);
  }
}

// The context of TLS streams given no context options: one per thread.
let defaultContext: TLSContext | null = null;

/** The native side of a TLS stream (not part of the public API). */
interface NativeTLS extends NativeStream {
  _$handshake(): void;
  _$info(): [boolean, string | null, string | false, string | null, string | null, boolean];
  _$getCipher(): { name: string; standardName: string; version: string } | null;
  _$getPeerCertificate(): PeerCertificate | null;
  _$getSession(): Buffer | null;
}

export interface PeerCertificate {
  subject: Record<string, string>;
  issuer: Record<string, string>;
  subjectaltname?: string;
  valid_from: string;
  valid_to: string;
  fingerprint256: string;
  raw: Buffer;
}

type Checked = {
  loop: Loop;
  context: TLSContext;
  isServer: boolean;
  servername: string | undefined;
  reject: boolean;
  session: Uint8Array | undefined;
  sni: ((servername: string) => TLSContext | null) | null;
};

function checkTLSArgs(loop: Loop | undefined, transport: unknown, opts: unknown): Checked {
  if (!(transport instanceof TCP) && !(transport instanceof Pipe)) throw invalidArgType('transport', ['TCP', 'Pipe'], transport);
  if (transport.closed) throw new HandleClosedError('TLS', 'constructor', 'transport');
  // Without a loop: the transport's (a TLS on another loop could not work).
  const l = loop === undefined ? transport._home : loopArg(loop);
  if (l !== transport._home) throw invalidArgValue('transport', transport, "must belong to the TLS's loop");
  const o = checkObject(opts, 'options');
  const isServer = optionalBoolean(o.isServer, 'options.isServer', false);
  let context: TLSContext;
  if (o.context !== undefined) {
    if (!(o.context instanceof TLSContext)) throw invalidArgType('options.context', 'TLSContext', o.context);
    context = o.context;
  } else if (CONTEXT_KEYS.some((k) => o[k] !== undefined)) {
    context = new TLSContext(o as TLSContextOptions);
  } else {
    context = defaultContext ??= new TLSContext();
  }
  const servername = o.servername === undefined ? undefined : checkString(o.servername, 'options.servername');
  const reject = optionalBoolean(o.rejectUnauthorized, 'options.rejectUnauthorized', true);
  let session: Uint8Array | undefined;
  if (o.session !== undefined) {
    if (!(o.session instanceof Uint8Array)) throw invalidArgType('options.session', ['Buffer', 'Uint8Array'], o.session);
    session = o.session;
  }
  let sni: Checked['sni'] = null;
  if (o.SNICallback !== undefined) {
    checkFunction(o.SNICallback, 'options.SNICallback');
    sni = o.SNICallback as Checked['sni'];
  }
  return { loop: l, context, isServer, servername, reject, session, sni };
}

type ErrCallback<H> = (err: UVError | null, handle: H) => void;

/**
 * A TLS stream over a connected TCP or Pipe (one just accepted by a server
 * too). It owns the transport from then on: the transport acts as closed
 * (its methods throw HandleClosedError), and closing the TLS closes it.
 * Reads give plaintext; writes take plaintext.
 */
export class TLS extends Stream<NativeTLS> {
  static override errorClass = TLSError;
  static {
    withNative(this, binding.TLS);
    (TLS.prototype as { _holdsWrites: boolean })._holdsWrites = false;
  }
  /** @internal plaintext comes in Buffers of its own: startRead takes no options.buffer */
  static override _readsIntoBuffer = false;
  /** @internal */
  readonly _transport: TCP | Pipe;
  private readonly _sni: Checked['sni'];
  private _handshakeCallback: ErrCallback<this> | null = null;

  constructor(loop: Loop | undefined, transport: TCP | Pipe, opts: TLSOptions = {}) {
    const a = checkTLSArgs(loop, transport, opts);
    super(a.loop, binding.TLS, transport._native, a.context._native, a.isServer, a.servername, a.reject,
      a.session, a.sni !== null);
    this._transport = transport;
    this._sni = a.sni;
    transport._closed = true;
  }

  /**
   * Starts the handshake; cb(err, handle) once it has completed or failed.
   * startRead() and write() may be called at once: writes are held until
   * the handshake completes (after a failure their callbacks get its error).
   */
  handshake(cb: (err: TLSError | null, handle: this) => void): void {
    const n = this._use('handshake');
    checkFunction(cb, 'callback');
    n._$handshake();
    this._handshakeCallback = cb as ErrCallback<this>;
  }

  /** Whether the peer's certificate was verified (a client; a server with requestCert). */
  get authorized(): boolean {
    return this._native._$info()[0];
  }

  /** Why the peer is not authorized, as Node's code ('CERT_HAS_EXPIRED'…), or null. */
  get authorizationError(): string | null {
    return this._native._$info()[1];
  }

  /** The protocol ALPN agreed on, or false. */
  get alpnProtocol(): string | false {
    return this._native._$info()[2];
  }

  /** 'TLSv1.3' or 'TLSv1.2' once the handshake is done, else null. */
  get protocol(): string | null {
    return this._native._$info()[3];
  }

  /** Client: the servername given; server: the name the client asked for (SNI); else null. */
  get servername(): string | null {
    return this._native._$info()[4];
  }

  getCipher(): { name: string; standardName: string; version: string } | null {
    return this._native._$getCipher();
  }

  getPeerCertificate(): PeerCertificate | null {
    return this._native._$getPeerCertificate();
  }

  /** Client: the session to resume later (options.session), once the server has sent one; else null. */
  getSession(): Buffer | null {
    return this._native._$getSession();
  }

  isSessionReused(): boolean {
    return this._native._$info()[5];
  }

  /** @internal Closing the TLS closes the transport: its close callbacks run with the TLS's. */
  override _closeNative(): void {
    const t = this._transport;
    const finish = (): void => t._finishClose();
    const own = this._closeCallback;
    this._closeCallback = own === null ? finish : typeof own === 'function' ? [finish, own] : [finish, ...own];
    super._closeNative();
  }

  static {
    binding.setCallbacks({
      makeTLSError,
      onHandshake(this: TLS, err: TLSError | null) {
        const cb = this._handshakeCallback;
        this._handshakeCallback = null;
        if (cb !== null) cb.call(null, err, this);
      },
      // The native handshake asks for the context of a name (SNI).
      onServername(this: TLS, name: string): object | null {
        const ctx = this._sni!.call(null, name);
        if (ctx === null || ctx === undefined) return null;
        if (!(ctx instanceof TLSContext)) throw invalidArgType('SNICallback result', ['TLSContext', 'null'], ctx);
        return ctx._native;
      },
    });
  }
}
