// The TypeScript client against the spec's vectors, then against `vmimage fake`
// (VMIMAGE_BIN): the five reads, with success, not found, a bad secret, a replayed
// nonce, and a region whose images span several pages. The twelve write calls are in
// writes.test.mts.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { imageClient, indexedQuery } from "./client.mjs";
import { sign } from "./signer.mjs";

const creds = { accessKey: "FAKEACCESSKEY0001", secretKey: "fake-secret-key-not-a-secret" };
const REGION = "cn-north-1";
let fake: ChildProcess | undefined;
let endpoint = "";

before(async () => {
  const bin = process.env.VMIMAGE_BIN;
  assert.ok(bin, "VMIMAGE_BIN must name the vmimage binary");
  const child = spawn(bin, ["fake", "--addr", "127.0.0.1:0"], { stdio: ["ignore", "pipe", "inherit"] });
  fake = child;
  endpoint = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("vmimage fake printed no address in 20 s")), 20000);
    child.on("exit", (code) => reject(new Error(`vmimage fake exited with ${code}`)));
    createInterface({ input: child.stdout! }).on("line", (line) => {
      const m = /listening on (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
  });
});

after(() => {
  fake?.kill("SIGTERM");
});

const vector = { date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), nonce: "41fcf7fe-54e8-4055-be62-db632cd0345c", region: REGION };

test("test vector 1 (no query)", () => {
  const h = sign({ accessKey: "ak", secretKey: "sk" }, {
    method: "GET", url: new URL("https://vm.jdcloud-api.com/v1/regions/cn-north-1/images/img-abc12345"),
    headers: { "content-type": "application/json" }, ...vector,
  });
  assert.match(h.authorization, /SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, /);
  assert.match(h.authorization, /Signature=cdd17434a4fcb736d3811a1a7de459e0d91949ca356d9c7b59900726e40e6c23$/);
});

test("test vector 2 (a query, in any order)", () => {
  for (const q of [
    "ids.1=img-b&ids.2=img-a&imageName=Ubuntu%2022.04&imageSource=public&pageNumber=2&pageSize=50",
    "pageSize=50&imageSource=public&ids.2=img-a&imageName=Ubuntu%2022.04&pageNumber=2&ids.1=img-b",
  ]) {
    const h = sign({ accessKey: "ak", secretKey: "sk" }, {
      method: "GET", url: new URL("https://vm.jdcloud-api.com/v1/regions/cn-north-1/images?" + q),
      headers: { "content-type": "application/json" }, ...vector,
    });
    assert.match(h.authorization, /Signature=21c153391167d908a79f6bd98a56b6a83e42cd956f43715f2d6dd90b1555454b$/, q);
  }
});

test("indexed, canonical query", () => {
  assert.equal(indexedQuery({ pageSize: 50, ids: ["img-b", "img-a"], imageName: "Ubuntu 22.04", imageSource: "public", pageNumber: 2 }),
    "ids.1=img-b&ids.2=img-a&imageName=Ubuntu%2022.04&imageSource=public&pageNumber=2&pageSize=50");
});

test("describeImage: success and not found", async () => {
  const c = imageClient(endpoint, creds);
  const ok = await c.GET("/regions/{regionId}/images/{imageId}", { params: { path: { regionId: REGION, imageId: "img-centos82pub" } } });
  assert.equal(ok.response.status, 200);
  assert.equal(ok.data?.result.image.imageId, "img-centos82pub");
  assert.equal(ok.data?.result.image.progress, "100");
  const missing = await c.GET("/regions/{regionId}/images/{imageId}", { params: { path: { regionId: REGION, imageId: "img-nosuch01" } } });
  assert.equal(missing.response.status, 404);
  assert.equal(missing.error?.error.status, "NOT_FOUND");
});

test("an id that needs escaping is signed in canonical form (rule 5) and reaches the service", async () => {
  // encodeURIComponent leaves ( and ) alone: the wire carries img-(x), the signature
  // img-%28x%29, as the server canonicalizes it. The id is invalid, so the service
  // answers 400, after the signature passed.
  const c = imageClient(endpoint, creds);
  const r = await c.GET("/regions/{regionId}/images/{imageId}", { params: { path: { regionId: REGION, imageId: "img-(x)" } } });
  assert.equal(r.response.status, 400, JSON.stringify(r.error));
  assert.equal(r.error?.error.status, "INVALID_ARGUMENT");
});

const fakeKeys = { accessKey: "FAKEACCESSKEY0001", secretKey: "fake-secret-key-not-a-secret" };
const v3 = { date: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)), region: REGION, algorithm: "JDCLOUD3-HMAC-SHA256" as const };

test("test vector 3 (JDCLOUD3, date, nonce and content hash unsigned)", () => {
  const h = sign(fakeKeys, {
    method: "GET", url: new URL("http://127.0.0.1:8080/v1/regions/cn-north-1/images/img-centos82pub"),
    headers: { "content-type": "application/json" }, nonce: "5f0c6f38-2b53-4a7e-9d3c-1a2b3c4d5e01", signDateAndNonce: false, ...v3,
  });
  assert.match(h.authorization, /^JDCLOUD3-HMAC-SHA256 Credential=FAKEACCESSKEY0001\/20260102\/cn-north-1\/vm\/jdcloud3_request, SignedHeaders=content-type;host, /);
  assert.match(h.authorization, /Signature=ea24a092da06c0eed64711409b91ff3c95184fa24dd3457883ea748c3244127f$/);
  assert.equal(h["x-jdcloud-date"], "20260102T030405Z");
  assert.equal(h["x-jdcloud-content-sha256"], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
});

test("test vector 4 (JDCLOUD3, a body, : raw on the wire)", () => {
  const url = new URL("http://127.0.0.1:8080/v1/regions/cn-north-1/images/img-x:share");
  assert.equal(url.pathname, "/v1/regions/cn-north-1/images/img-x:share");
  const h = sign(fakeKeys, {
    method: "POST", url, headers: { "content-type": "application/json" }, body: '{"pins":["p1"]}',
    nonce: "5f0c6f38-2b53-4a7e-9d3c-1a2b3c4d5e03", signDateAndNonce: true, ...v3,
  });
  assert.match(h.authorization, /SignedHeaders=content-type;host;x-jdcloud-date;x-jdcloud-nonce, /);
  assert.match(h.authorization, /Signature=1043450e102f37e4b925d91ef1d3c5f27eb3914c2d76ac0dffb5d4e0dd1c40a0$/);
  assert.equal(h["x-jdcloud-content-sha256"], "9fb7118e7a4dc6fc8a1b8989c81b896f2ffd28bcd44e02938e56b076bc4de016");
});

test("JDCLOUD3 from the spec's words: the fake accepts it, date and nonce signed or not", async () => {
  for (const signDateAndNonce of [false, true]) {
    const c = imageClient(endpoint, creds, { algorithm: "JDCLOUD3-HMAC-SHA256", signDateAndNonce });
    const ok = await c.GET("/regions/{regionId}/images/{imageId}", { params: { path: { regionId: REGION, imageId: "img-centos82pub" } } });
    assert.equal(ok.response.status, 200, JSON.stringify(ok.error));
    assert.equal(ok.data?.result.image.imageId, "img-centos82pub");
    const list = await c.GET("/regions/{regionId}/images", { params: { path: { regionId: REGION }, query: { imageSource: "public", imageName: "CentOS 8.2" } } });
    assert.equal(list.response.status, 200, JSON.stringify(list.error));
    const bad = imageClient(endpoint, { ...creds, secretKey: "not-the-secret" }, { algorithm: "JDCLOUD3-HMAC-SHA256", signDateAndNonce });
    const refused = await bad.GET("/regions/{regionId}/images/{imageId}", { params: { path: { regionId: REGION, imageId: "img-centos82pub" } } });
    assert.equal(refused.response.status, 401);
  }
});

test("describeImages: every page of a region, and indexed ids", async () => {
  const c = imageClient(endpoint, creds);
  const seen = new Set<string>();
  let total = -1;
  for (let page = 1; page <= 10; page++) {
    const r = await c.GET("/regions/{regionId}/images", { params: { path: { regionId: REGION }, query: { imageSource: "public", pageNumber: page, pageSize: 10 } } });
    assert.equal(r.response.status, 200, JSON.stringify(r.error));
    total = r.data!.result.totalCount;
    const images = r.data!.result.images ?? [];
    for (const img of images) {
      assert.ok(!seen.has(img.imageId!), `${img.imageId} on two pages`);
      seen.add(img.imageId!);
    }
    if (images.length === 0 || seen.size >= total) break;
  }
  assert.equal(total, 30);
  assert.equal(seen.size, 30);
  const byIds = await c.GET("/regions/{regionId}/images", { params: { path: { regionId: REGION }, query: { ids: ["img-ubuntu2204x", "img-centos82pub"] } } });
  assert.equal(byIds.data?.result.totalCount, 2);
});

test("describeImageConstraints and the batch", async () => {
  const c = imageClient(endpoint, creds);
  const one = await c.GET("/regions/{regionId}/images/{imageId}/constraints", { params: { path: { regionId: REGION, imageId: "img-ubuntu2204x" } } });
  assert.equal(one.data?.result.imageConstraints.imageInstanceTypeConstraint?.constraintsType, "includes");
  const missing = await c.GET("/regions/{regionId}/images/{imageId}/constraints", { params: { path: { regionId: REGION, imageId: "img-nosuch01" } } });
  assert.equal(missing.response.status, 404);
  const batch = await c.GET("/regions/{regionId}/imageConstraints", { params: { path: { regionId: REGION }, query: { ids: ["img-centos82pub", "img-ubuntu2204x"] } } });
  assert.deepEqual(batch.data?.result.imageConstraints?.map((x) => x.imageId), ["img-centos82pub", "img-ubuntu2204x"]);
});

test("describeImageMembers", async () => {
  const c = imageClient(endpoint, creds);
  const r = await c.GET("/regions/{regionId}/images/{imageId}/members", { params: { path: { regionId: REGION, imageId: "img-privshare01" } } });
  assert.deepEqual(r.data?.result.pins, ["jdcloud-user-02", "jdcloud-user-03"]);
  const missing = await c.GET("/regions/{regionId}/images/{imageId}/members", { params: { path: { regionId: REGION, imageId: "img-nosuch01" } } });
  assert.equal(missing.response.status, 404);
});

test("a bad secret is refused for every read operation", async () => {
  const c = imageClient(endpoint, { ...creds, secretKey: "not-the-secret" });
  const path = { regionId: REGION, imageId: "img-centos82pub" };
  for (const r of [
    await c.GET("/regions/{regionId}/images/{imageId}", { params: { path } }),
    await c.GET("/regions/{regionId}/images", { params: { path: { regionId: REGION }, query: { imageSource: "public" } } }),
    await c.GET("/regions/{regionId}/images/{imageId}/constraints", { params: { path } }),
    await c.GET("/regions/{regionId}/imageConstraints", { params: { path: { regionId: REGION } } }),
    await c.GET("/regions/{regionId}/images/{imageId}/members", { params: { path } }),
  ]) {
    assert.equal(r.response.status, 401);
    assert.equal(r.error?.error.status, "ACCESS_ERROR");
  }
});

test("a replayed nonce is refused", async () => {
  const c = imageClient(endpoint, creds, { nonce: () => "0e2a1c7e-5b7d-4d8e-9f00-1234567890ab" });
  const path = { regionId: REGION, imageId: "img-centos82pub" };
  const first = await c.GET("/regions/{regionId}/images/{imageId}", { params: { path } });
  const again = await c.GET("/regions/{regionId}/images/{imageId}", { params: { path } });
  assert.equal(first.response.status, 200);
  assert.equal(again.response.status, 403);
});
