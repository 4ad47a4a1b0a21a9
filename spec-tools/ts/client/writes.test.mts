// The TypeScript client (types from openapi.yaml, openapi-fetch, the signer of
// ./signer.mts) makes every write operation of the spec against `vmimage fake`
// (VMIMAGE_BIN): each succeeds, and what it changed is read back through the spec's
// read operations; ImageTasks is paged with pages shorter than asked. Bodies are
// signed over their exact bytes, as the security scheme's rule 7 says, with JDCLOUD2
// and JDCLOUD3; a body changed after signing is refused.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { createInterface } from "node:readline";
import { imageClient } from "./client.mjs";

const creds = { accessKey: "FAKEACCESSKEY0001", secretKey: "fake-secret-key-not-a-secret" };
const REGION = "cn-north-1";
const JOB_SECONDS = 3;
let fake: ChildProcess | undefined;
let endpoint = "";

before(async () => {
  const bin = process.env.VMIMAGE_BIN;
  assert.ok(bin, "VMIMAGE_BIN must name the vmimage binary");
  // Work takes JOB_SECONDS; a quota of 50 leaves room for the paging test's imports.
  const child = spawn(bin, ["fake", "--addr", "127.0.0.1:0", "--job-duration", `${JOB_SECONDS}s`, "--image-quota", "50"],
    { stdio: ["ignore", "pipe", "inherit"] });
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

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** until polls f every 100 ms until it returns a value, failing after limitSeconds. */
async function until<T>(what: string, f: () => Promise<T | undefined>, limitSeconds: number): Promise<T> {
  const deadline = Date.now() + limitSeconds * 1000;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > deadline) assert.fail(`${what}: not within ${limitSeconds} s`);
    await sleep(100);
  }
}

type Client = ReturnType<typeof imageClient>;

async function image(c: Client, imageId: string, regionId = REGION) {
  const r = await c.GET("/regions/{regionId}/images/{imageId}", { params: { path: { regionId, imageId } } });
  return { status: r.response.status, image: r.data?.result.image, error: r.error?.error };
}

/** pending checks a new image is pending, with progress under 100. */
async function pending(c: Client, imageId: string, regionId = REGION) {
  const { image: img } = await image(c, imageId, regionId);
  assert.equal(img?.status, "pending", `${imageId} right after the call`);
  assert.ok(Number(img?.progress) < 100, `progress ${img?.progress}`);
}

/** ready waits for a pending image to become ready. */
async function ready(c: Client, imageId: string, regionId = REGION) {
  return until(`${imageId} ready`, async () => {
    const { image: img } = await image(c, imageId, regionId);
    assert.ok(img?.status === "pending" || img?.status === "ready", `${imageId}: ${img?.status}`);
    return img?.status === "ready" ? img : undefined;
  }, JOB_SECONDS * 10);
}

function ok(r: { response: Response; error?: unknown }, what: string) {
  assert.equal(r.response.status, 200, `${what}: ${JSON.stringify(r.error)}`);
}

// The two signing algorithms run at once, on images of their own: the waits overlap.
test("every write operation succeeds", { concurrency: true }, async (t) => {
  await Promise.all((["JDCLOUD2-HMAC-SHA256", "JDCLOUD3-HMAC-SHA256"] as const).map((algorithm) => t.test(`signed with ${algorithm}`, async () => {
    const c = imageClient(endpoint, creds, { algorithm, signDateAndNonce: algorithm === "JDCLOUD2-HMAC-SHA256" });
    const tag = algorithm === "JDCLOUD2-HMAC-SHA256" ? "v2" : "v3";

    // createImage and createImageFromSnapshots: pending, then ready.
    const created = await c.POST("/regions/{regionId}/instances/{instanceId}:createImage", {
      params: { path: { regionId: REGION, instanceId: "i-cloudrun0001" } },
      body: { name: `ts-golden-${tag}`, description: "made by the TypeScript client" },
    });
    ok(created, "createImage");
    const id = created.data!.result.imageId;
    await pending(c, id);
    const fromSnap = await c.POST("/regions/{regionId}/images:createImageFromSnapshots", {
      params: { path: { regionId: REGION } },
      body: { name: `ts-snap-${tag}`, platform: "CentOS", architecture: "x86_64", bootMode: "bios",
        cloudDisks: [{ snapshotId: "snapshot-sys0001", deviceName: "vda" }, { snapshotId: "snapshot-data0002", deviceName: "vdb", diskType: "hdd.std1" }],
        clientToken: `ts-snap-token-${tag}` },
    });
    ok(fromSnap, "createImageFromSnapshots");
    const snapId = fromSnap.data!.result.imageId;
    await pending(c, snapId);
    // importImage: an image and its task.
    const imported = await c.POST("/regions/{regionId}/images:import", {
      params: { path: { regionId: REGION } },
      body: { architecture: "x86_64", osType: "linux", platform: "Ubuntu", diskFormat: "qcow2", systemDiskSizeGB: 40,
        imageUrl: "https://images.s3.cn-north-1.jdcloud-oss.com/ts/ubuntu.qcow2", imageName: `ts-import-${tag}`, clientToken: `ts-import-${tag}` },
    });
    ok(imported, "importImage");
    await pending(c, imported.data!.result.imageId);
    assert.equal((await ready(c, id)).name, `ts-golden-${tag}`);
    const snapImg = await ready(c, snapId);
    assert.equal(snapImg.dataDisks?.length, 1);
    assert.equal((await ready(c, imported.data!.result.imageId)).imported, true);

    // deleteImage: deleting at once, not found after the fake's 10 s (checked last, so
    // the other calls run meanwhile).
    ok(await c.DELETE("/regions/{regionId}/images/{imageId}", { params: { path: { regionId: REGION, imageId: snapId }, query: { deleteSnapshot: true } } }), "deleteImage");
    assert.equal((await image(c, snapId)).image?.status, "deleting");

    // modifyImageAttribute.
    ok(await c.POST("/regions/{regionId}/images/{imageId}:modifyImageAttribute", {
      params: { path: { regionId: REGION, imageId: id } }, body: { name: `ts-renamed-${tag}`, description: "renamed" },
    }), "modifyImageAttribute");
    assert.equal((await image(c, id)).image?.name, `ts-renamed-${tag}`);

    // shareImage and unShareImage: the members follow.
    ok(await c.POST("/regions/{regionId}/images/{imageId}:share", {
      params: { path: { regionId: REGION, imageId: id } }, body: { pins: ["jdcloud-user-05"], loginNames: ["partner-qa"] },
    }), "shareImage");
    const members = async () => (await c.GET("/regions/{regionId}/images/{imageId}/members", { params: { path: { regionId: REGION, imageId: id } } })).data?.result;
    assert.deepEqual((await members())?.pins, ["jdcloud-user-05"]);
    assert.deepEqual((await members())?.loginNames, ["partner-qa"]);
    ok(await c.POST("/regions/{regionId}/images/{imageId}:unshare", {
      params: { path: { regionId: REGION, imageId: id } }, body: { pins: ["jdcloud-user-05"], loginNames: ["partner-qa"] },
    }), "unShareImage");
    assert.deepEqual((await members())?.pins ?? [], []);

    // releaseImage and unReleaseImage: community, then private.
    ok(await c.POST("/regions/{regionId}/images/{imageId}:release", { params: { path: { regionId: REGION, imageId: id } } }), "releaseImage");
    assert.equal((await image(c, id)).image?.imageSource, "community");
    ok(await c.POST("/regions/{regionId}/images/{imageId}:unrelease", { params: { path: { regionId: REGION, imageId: id } } }), "unReleaseImage");
    assert.equal((await image(c, id)).image?.imageSource, "private");

    // copyImages: the copy is pending, then ready, in its destination region.
    const copied = await c.POST("/regions/{regionId}/images:copyImages", {
      params: { path: { regionId: REGION } }, body: { sourceImageIds: [id], destinationRegion: "cn-east-1", name: `ts-copy-${tag}` },
    });
    ok(copied, "copyImages");
    const [copy] = copied.data!.result.copyImages!;
    assert.equal(copy.sourceImageId, id);
    await pending(c, copy.destinationImageId!, "cn-east-1");
    assert.equal((await ready(c, copy.destinationImageId!, "cn-east-1")).name, `ts-copy-${tag}`);

    // exportImage: a task that ImageTasks reports until it finishes.
    const exported = await c.POST("/regions/{regionId}/images/{imageId}:exportImage", {
      params: { path: { regionId: REGION, imageId: id } },
      body: { roleName: "image-export-test", ossUrl: "https://exports.s3-internal.cn-north-1.jdcloud-oss.com", clientToken: `ts-export-${tag}` },
    });
    ok(exported, "exportImage");
    const taskId = exported.data!.result.taskId;
    const finished = await until("export finished", async () => {
      const r = await c.GET("/regions/{regionId}/imageTasks", { params: { path: { regionId: REGION }, query: { taskIds: [taskId], taskAction: "ExportImage" } } });
      ok(r, "imageTasks");
      const [t] = r.data!.result.taskSet!;
      assert.equal(t.imageId, id);
      return t.taskStatus === "finished" ? t : undefined;
    }, JOB_SECONDS * 10);
    assert.equal(finished.progress, 100);

    const gone = await until(`${snapId} gone`, async () => {
      const r = await image(c, snapId);
      return r.status === 404 ? r : undefined;
    }, 30);
    assert.equal(gone.error?.status, "NOT_FOUND");
  })));
});

test("ImageTasks pages: a page holds at most 10 tasks, whatever pageSize asks", async () => {
  const c = imageClient(endpoint, creds);
  const region = "cn-east-2";
  const want = new Set<string>();
  for (let i = 1; i <= 23; i++) {
    const r = await c.POST("/regions/{regionId}/images:import", {
      params: { path: { regionId: region } },
      body: { architecture: "x86_64", osType: "linux", platform: "CentOS", diskFormat: "raw", systemDiskSizeGB: 40,
        imageUrl: `https://images.s3.cn-east-2.jdcloud-oss.com/ts/disk-${i}.raw`, imageName: `ts-page-${i}` },
    });
    ok(r, `import ${i}`);
    want.add(r.data!.result.taskId);
  }
  const seen = new Set<string>();
  const sizes: number[] = [];
  let total = -1;
  for (let page = 1; page <= 10; page++) {
    const r = await c.GET("/regions/{regionId}/imageTasks", { params: { path: { regionId: region }, query: { taskAction: "ImportImage", pageNumber: page, pageSize: 100 } } });
    ok(r, `page ${page}`);
    total = r.data!.result.totalCount;
    const tasks = r.data!.result.taskSet ?? [];
    sizes.push(tasks.length);
    for (const t of tasks) {
      assert.ok(!seen.has(t.taskId), `${t.taskId} on two pages`);
      seen.add(t.taskId);
    }
    if (tasks.length === 0 || seen.size >= total) break;
  }
  assert.equal(total, 23);
  assert.deepEqual(sizes, [10, 10, 3]);
  assert.deepEqual([...seen].sort(), [...want].sort());
});

test("a write whose body changed after signing is refused", async () => {
  const c = imageClient(endpoint, creds);
  c.use({
    async onRequest({ request }) {
      // Runs after the signer: the signature covers {"pins":["jdcloud-user-05"]}.
      return new Request(request, { body: JSON.stringify({ pins: ["jdcloud-user-09"] }) });
    },
  });
  const r = await c.POST("/regions/{regionId}/images/{imageId}:share", {
    params: { path: { regionId: REGION, imageId: "img-privshare01" } }, body: { pins: ["jdcloud-user-05"] },
  });
  assert.equal(r.response.status, 401);
  assert.equal(r.error?.error.status, "ACCESS_ERROR");
  const members = await imageClient(endpoint, creds).GET("/regions/{regionId}/images/{imageId}/members", { params: { path: { regionId: REGION, imageId: "img-privshare01" } } });
  assert.deepEqual(members.data?.result.pins, ["jdcloud-user-02", "jdcloud-user-03"]);
});

test("a bad secret is refused for every write operation, before any work", async () => {
  const c = imageClient(endpoint, { ...creds, secretKey: "not-the-secret" });
  const path = { regionId: REGION, imageId: "img-privshare01" };
  const answers = [
    await c.POST("/regions/{regionId}/images:copyImages", { params: { path: { regionId: REGION } }, body: { sourceImageIds: ["img-privshare01"], destinationRegion: "cn-east-1" } }),
    await c.POST("/regions/{regionId}/instances/{instanceId}:createImage", { params: { path: { regionId: REGION, instanceId: "i-cloudrun0001" } }, body: { name: "refused" } }),
    await c.POST("/regions/{regionId}/images:createImageFromSnapshots", { params: { path: { regionId: REGION } },
      body: { name: "refused", platform: "CentOS", architecture: "x86_64", bootMode: "bios", cloudDisks: [{ snapshotId: "snapshot-sys0001", deviceName: "vda" }] } }),
    await c.POST("/regions/{regionId}/images:import", { params: { path: { regionId: REGION } },
      body: { architecture: "x86_64", osType: "linux", platform: "CentOS", diskFormat: "raw", systemDiskSizeGB: 40, imageUrl: "https://images.s3.cn-north-1.jdcloud-oss.com/x.raw", imageName: "refused" } }),
    await c.GET("/regions/{regionId}/imageTasks", { params: { path: { regionId: REGION } } }),
    await c.POST("/regions/{regionId}/images/{imageId}:exportImage", { params: { path }, body: { roleName: "r", ossUrl: "https://exports.s3-internal.cn-north-1.jdcloud-oss.com" } }),
    await c.POST("/regions/{regionId}/images/{imageId}:modifyImageAttribute", { params: { path }, body: { name: "refused" } }),
    await c.POST("/regions/{regionId}/images/{imageId}:release", { params: { path } }),
    await c.POST("/regions/{regionId}/images/{imageId}:unrelease", { params: { path } }),
    await c.POST("/regions/{regionId}/images/{imageId}:share", { params: { path }, body: { pins: ["jdcloud-user-09"] } }),
    await c.POST("/regions/{regionId}/images/{imageId}:unshare", { params: { path }, body: { pins: ["jdcloud-user-02"] } }),
    await c.DELETE("/regions/{regionId}/images/{imageId}", { params: { path } }),
  ];
  for (const r of answers) {
    assert.equal(r.response.status, 401, r.response.url);
    assert.equal(r.error?.error.status, "ACCESS_ERROR");
  }
  const ok = imageClient(endpoint, creds);
  const img = await ok.GET("/regions/{regionId}/images/{imageId}", { params: { path } });
  assert.equal(img.data?.result.image.name, "shared-base-2025-03");
  assert.equal(img.data?.result.image.imageSource, "private");
});
