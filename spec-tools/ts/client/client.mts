// A TypeScript client of the image API (all 17 calls) made only from openapi.yaml: types from
// openapi-typescript (../generated/openapi.d.ts), requests from openapi-fetch, and the
// JDCLOUD2/JDCLOUD3 signer of ./signer.mts.
import createClient from "openapi-fetch";
import type { paths } from "../generated/openapi.js";
import { canonicalQuery, jdcloudSigner, rfc3986, type Credentials, type SignerOptions } from "./signer.mjs";

/**
 * The spec's array query parameters carry x-jdcloud-array-encoding: indexed: each
 * element is its own parameter, ids.1=a&ids.2=b. The query goes out in canonical
 * order (rule 6), so what is signed is what is sent.
 */
export function indexedQuery(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(params ?? {})) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) {
      value.forEach((v, i) => parts.push(`${rfc3986(`${name}.${i + 1}`)}=${rfc3986(String(v))}`));
    } else {
      parts.push(`${rfc3986(name)}=${rfc3986(String(value))}`);
    }
  }
  return canonicalQuery(parts.join("&"));
}

/** A typed client for endpoint (scheme, host and port, e.g. http://127.0.0.1:8080). */
export function imageClient(endpoint: string, creds: Credentials, opts: SignerOptions = {}) {
  const client = createClient<paths>({ baseUrl: endpoint.replace(/\/+$/, "") + "/v1", querySerializer: indexedQuery });
  client.use(jdcloudSigner(creds, opts));
  return client;
}
