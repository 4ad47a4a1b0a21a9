// A JDCLOUD2-HMAC-SHA256 and JDCLOUD3-HMAC-SHA256 signer written from the words of the
// `jdcloud2` security scheme in openapi.yaml alone: each step cites the numbered rule it
// follows. It is an openapi-fetch middleware, so it sees the final URL (base, /v1,
// escaped path, port) but not the headers fetch adds at send time, which the scheme
// lets travel unsigned.
import { createHash, createHmac, randomUUID } from "node:crypto";
import type { Middleware } from "openapi-fetch";

export interface Credentials {
  accessKey: string;
  secretKey: string;
  securityToken?: string;
}

/** The scheme's ALG; SEED and TERM follow from it (preamble). */
export type Algorithm = "JDCLOUD2-HMAC-SHA256" | "JDCLOUD3-HMAC-SHA256";
const WORDS: Record<Algorithm, { seed: string; term: string }> = {
  "JDCLOUD2-HMAC-SHA256": { seed: "JDCLOUD2", term: "jdcloud2_request" },
  "JDCLOUD3-HMAC-SHA256": { seed: "JDCLOUD3", term: "jdcloud3_request" },
};
const SERVICE = "vm";

/** Rule 5 and 6: RFC 3986 escaping, everything but A-Z a-z 0-9 - . _ ~ as %XX (uppercase). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

const byBytes = (a: string, b: string): number => (Buffer.compare(Buffer.from(a), Buffer.from(b)));

/**
 * Rule 6: "Every query parameter, sorted by name (byte order), the values of one name
 * sorted; names and values percent-encoded per RFC 3986 ...; name=value pairs joined
 * with &; the empty string when there is no query." A + received is a space.
 */
export function canonicalQuery(search: string): string {
  const raw = search.startsWith("?") ? search.slice(1) : search;
  if (raw === "") return "";
  const pairs = raw
    .split("&")
    .filter((p) => p !== "")
    .map((p) => {
      const i = p.indexOf("=");
      const [name, value] = i < 0 ? [p, ""] : [p.slice(0, i), p.slice(i + 1)];
      const dec = (s: string) => decodeURIComponent(s.replace(/\+/g, " "));
      return [rfc3986(dec(name)), rfc3986(dec(value))] as [string, string];
    });
  // Rule 6: parameters with an empty name dropped.
  const named = pairs.filter(([n]) => n !== "");
  named.sort((a, b) => byBytes(a[0], b[0]) || byBytes(a[1], b[1])); // SORT-QUERY
  return named.map(([n, v]) => `${n}=${v}`).join("&");
}

/**
 * Rule 5: "percent-escapes decoded, every run of / collapsed to one, then every byte but
 * A-Z a-z 0-9 - _ . ~ and / escaped as %XX with uppercase hex (UTF-8 bytes one by one)",
 * whatever form travelled on the wire.
 */
export function canonicalPath(pathname: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < pathname.length; i++) {
    const c = pathname[i];
    if (c === "%" && /^[0-9A-Fa-f]{2}$/.test(pathname.slice(i + 1, i + 3))) {
      bytes.push(parseInt(pathname.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  let out = "";
  let last = -1;
  for (const b of bytes) {
    const ch = String.fromCharCode(b);
    if (ch === "/") {
      if (last !== 0x2f) out += "/";
    } else if (/[A-Za-z0-9\-_.~]/.test(ch)) {
      out += ch;
    } else {
      out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
    }
    last = b;
  }
  return out.startsWith("/") ? out : "/" + out;
}

/** Rule 4: trimmed of spaces and tabs, inner runs of spaces and tabs become one space. */
function canonicalValue(v: string): string {
  return v.replace(/^[ \t]+|[ \t]+$/g, "").replace(/[ \t]+/g, " ");
}

const sha256hex = (s: string) => createHash("sha256").update(s, "utf8").digest("hex");
const hmac = (key: Buffer | string, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

/** Rule 1: YYYYMMDD'T'HHMMSS'Z' in UTC. */
export function formatDate(d: Date): string {
  return d.toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

export interface SignInput {
  method: string;
  url: URL;
  /** the headers the client sends and signs, besides host (names in any case) */
  headers: Record<string, string>;
  region: string;
  date: Date;
  nonce: string;
  /** the body, "" or absent for none */
  body?: string;
  /** ALG (preamble); JDCLOUD2 when absent */
  algorithm?: Algorithm;
  /**
   * Rule 2: with JDCLOUD3, x-jdcloud-date and x-jdcloud-nonce may travel unsigned, as
   * JD Cloud's Python SDK sends them; true (the default) signs them. The content hash
   * always travels unsigned, as the Python SDK sends it.
   */
  signDateAndNonce?: boolean;
}

/** Signs a request; it returns the headers to set, Authorization included. */
export function sign(creds: Credentials, input: SignInput): Record<string, string> {
  const algorithm: Algorithm = input.algorithm ?? "JDCLOUD2-HMAC-SHA256";
  const { seed, term } = WORDS[algorithm];
  // Rule 2: JDCLOUD2 must sign date and nonce; JDCLOUD3 may leave them unsigned.
  const signDateAndNonce = algorithm === "JDCLOUD2-HMAC-SHA256" || (input.signDateAndNonce ?? true);
  // Rule 7: the lowercase hex SHA-256 of the body.
  const bodyHash = sha256hex(input.body ?? "");
  // Rule 1: the date and a fresh nonce; JDCLOUD3 also sends the body's hash.
  const date = formatDate(input.date);
  const day = date.slice(0, 8);
  const stamps: Record<string, string> = { "x-jdcloud-date": date, "x-jdcloud-nonce": input.nonce };
  // Rule 2: like JD Cloud's Python SDK, the content hash travels unsigned.
  const unsigned: Record<string, string> = signDateAndNonce ? {} : { ...stamps };
  if (algorithm === "JDCLOUD3-HMAC-SHA256") unsigned["x-jdcloud-content-sha256"] = bodyHash;
  const toSet: Record<string, string> = { ...input.headers, ...(signDateAndNonce ? stamps : {}) };
  // Rule 11: a security token travels base64-encoded, and is signed.
  if (creds.securityToken) toSet["x-jdcloud-security-token"] = Buffer.from(creds.securityToken).toString("base64");
  // Rule 3: host is the URL's host, with :port when the URL has one.
  const signed: Record<string, string> = { host: input.url.host };
  for (const [k, v] of Object.entries(toSet)) {
    const name = k.toLowerCase();
    // Rule 2: never Authorization, User-Agent or X-Jdcloud-Request-Id.
    if (name === "authorization" || name === "user-agent" || name === "x-jdcloud-request-id") continue;
    signed[name] = signed[name] === undefined ? v : `${signed[name]},${v}`;
  }
  // Rule 2: names lowercased, sorted by byte value, joined with ;.
  const names = Object.keys(signed).sort(byBytes);
  const signedHeaders = names.join(";");
  // Rule 4: one name:value line per signed header, each ended by \n.
  const canonicalHeaders = names.map((n) => `${n}:${canonicalValue(signed[n])}\n`).join("");
  // Rule 5: the path decoded, runs of / collapsed, re-escaped, whatever fetch sends.
  const path = canonicalPath(input.url.pathname); // CANONICAL-PATH
  // Rule 7: method, path, query, headers (an empty line follows), the list, the body hash.
  const canonicalRequest = [input.method.toUpperCase(), path, canonicalQuery(input.url.search), canonicalHeaders, signedHeaders, bodyHash].join("\n");
  // Rule 8: the scope and the string to sign.
  const scope = `${day}/${input.region}/${SERVICE}/${term}`;
  const stringToSign = [algorithm, date, scope, sha256hex(canonicalRequest)].join("\n");
  // Rule 9: the signing key and the signature.
  const kDate = hmac(seed + creds.secretKey, day);
  const kRegion = hmac(kDate, input.region);
  const kService = hmac(kRegion, SERVICE);
  const kSigning = hmac(kService, term);
  const signature = createHmac("sha256", kSigning).update(stringToSign, "utf8").digest("hex");
  // Rule 10: the three parts separated by a comma and one space.
  toSet["authorization"] = `${algorithm} Credential=${creds.accessKey}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  // Rule 2: what travels unsigned is added after signing.
  return { ...toSet, ...unsigned };
}

/** The region of a /v1/regions/{regionId}/... URL (rule 8: the scope's region is the path's). */
export function regionOf(url: URL): string {
  const m = /\/regions\/([^/]+)/.exec(url.pathname);
  if (!m) throw new Error(`no region in ${url.pathname}`);
  return decodeURIComponent(m[1]);
}

export interface SignerOptions {
  now?: () => Date;
  nonce?: () => string;
  /** ALG (preamble): JDCLOUD2 when absent */
  algorithm?: Algorithm;
  /** with JDCLOUD3, false sends date and nonce unsigned (rule 2) */
  signDateAndNonce?: boolean;
}

/**
 * An openapi-fetch middleware that signs every request (every retry too: rule 1),
 * the body's exact bytes included (rule 7).
 */
export function jdcloudSigner(creds: Credentials, opts: SignerOptions = {}): Middleware {
  return {
    async onRequest({ request }) {
      const url = new URL(request.url);
      // Rule 7: the hash is of the body as sent; a clone leaves the request's own body unread.
      const body = request.body === null ? "" : await request.clone().text(); // BODY-HASH
      const headers = sign(creds, {
        method: request.method,
        url,
        body,
        // Rule 2 and 7: JD Cloud's SDKs sign content-type; a GET needs none, we send and sign it.
        headers: { "content-type": "application/json" },
        region: regionOf(url),
        date: (opts.now ?? (() => new Date()))(),
        nonce: (opts.nonce ?? randomUUID)(),
        algorithm: opts.algorithm,
        signDateAndNonce: opts.signDateAndNonce,
      });
      for (const [k, v] of Object.entries(headers)) request.headers.set(k, v);
      return request;
    },
  };
}
