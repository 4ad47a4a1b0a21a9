// JD Cloud's own Node SDK (jdcloud-sdk-js, pinned in package-lock.json), unmodified,
// against `vmimage fake`: the five reads and every image write call the SDK has, each
// with a success, a documented failure (the answer must equal the named error example
// of openapi.yaml) and, for the writes, the state seen afterwards through the SDK's own
// describeImage, describeImages, describeImageMembers and imageTasks. It proves that
// the fake is the service's twin for a client we did not write: the SDK signs `accept`
// too, sends query parameters in insertion order and signs them sorted, sends arrays
// indexed (ids.1=..., taskIds.1=...), the colon of a custom method escaped (%3Ashare), a body
// on every POST ({} for release), and passes the caller's nested objects through
// verbatim (createImage's dataDisks with nulls, as JD's Go SDK writes them).
//
// jdcloud-sdk-js 1.2.202 has 11 of the 12 write calls: it has no
// createImageFromSnapshots (JD added the call in vm API 1.5.11; the Node SDK's vm
// client is 1.5.2). Its bodies carry no copies of the path parameters and leave unset
// top-level fields out (JD's Go and Python SDKs send both; fake/ tests those forms).
//
// Run by `make spec-jdsdk` (part of make test): VMIMAGE_BIN names the vmimage binary,
// VMIMAGE_SPEC the spec.
'use strict'
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const readline = require('node:readline')

const yaml = require('js-yaml')
const JDCloud = require('jdcloud-sdk-js')
JDCloud.config.logger = () => {} // the SDK logs every request, with its signature, by default

// sent records what the SDK puts on the wire (method, path, body), to show which forms
// reached the fake; the SDK itself is not changed.
const sent = []
const sdkFetch = JDCloud.fetch
JDCloud.fetch = Object.assign(async (request) => {
  const u = new URL(request.url)
  sent.push({ method: request.method, path: u.pathname, query: u.search, body: await request.clone().text() })
  return sdkFetch(request)
}, sdkFetch) // Headers and Request, which the SDK takes from it

const AK = 'FAKEACCESSKEY0001'
const SK = 'fake-secret-key-not-a-secret'
const REGION = 'cn-north-1'
const JOB_SECONDS = 3
let fake
let host

before(async () => {
  const bin = process.env.VMIMAGE_BIN
  assert.ok(bin, 'VMIMAGE_BIN must name the vmimage binary')
  // Work takes JOB_SECONDS, so a test sees an image pending, then ready; a delete
  // stays deleting for the fake's fixed 10 s.
  fake = spawn(bin, ['fake', '--addr', '127.0.0.1:0', '--job-duration', `${JOB_SECONDS}s`], { stdio: ['ignore', 'pipe', 'inherit'] })
  const lines = readline.createInterface({ input: fake.stdout })
  host = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('vmimage fake printed no address in 20 s')), 20000)
    fake.on('exit', (code) => reject(new Error(`vmimage fake exited with ${code}`)))
    lines.on('line', (line) => {
      const m = /listening on http:\/\/(\S+)/.exec(line)
      if (m) {
        clearTimeout(timer)
        resolve(m[1])
      }
    })
  })
})

after(() => {
  if (fake) fake.kill('SIGTERM')
})

function vm (secret = SK) {
  return new JDCloud.VM({
    credentials: { accessKeyId: AK, secretAccessKey: secret },
    regionId: REGION,
    endpoint: { host, protocol: 'http' }
  })
}

// rejection awaits a call that must fail and returns the service's error envelope.
async function rejection (promise) {
  try {
    await promise
  } catch (e) {
    return e
  }
  assert.fail('the call succeeded')
}

async function refusedForBadSecret (call) {
  const e = await rejection(call(vm('not-the-secret')))
  assert.equal(e.error.code, 401)
  assert.equal(e.error.status, 'ACCESS_ERROR')
}

test('DescribeImage', async () => {
  const r = await vm().describeImage({ imageId: 'img-centos82pub' }, REGION)
  assert.equal(r.result.image.imageId, 'img-centos82pub')
  assert.equal(r.result.image.progress, '100')
  const e = await rejection(vm().describeImage({ imageId: 'img-nosuch01' }, REGION))
  assert.equal(e.error.status, 'NOT_FOUND')
  assert.equal(e.error.code, 404)
  await refusedForBadSecret((c) => c.describeImage({ imageId: 'img-centos82pub' }, REGION))
})

test('DescribeImages: filters, pages, indexed ids in insertion order', async () => {
  const seen = new Set()
  let total = -1
  for (let page = 1; page <= 4; page++) {
    const r = await vm().describeImages({ imageSource: 'public', pageNumber: page, pageSize: 10 }, REGION)
    total = r.result.totalCount
    for (const img of r.result.images || []) {
      assert.ok(!seen.has(img.imageId), `${img.imageId} on two pages`)
      seen.add(img.imageId)
    }
  }
  assert.equal(total, 30)
  assert.equal(seen.size, 30)
  // pageSize goes on the wire before ids.1 and ids.2: the fake canonicalizes before verifying.
  const byIds = await vm().describeImages({ pageSize: 10, ids: ['img-ubuntu2204x', 'img-centos82pub'] }, REGION)
  assert.equal(byIds.result.totalCount, 2)
  const arm = await vm().describeImages({ imageSource: 'public', platform: 'Ubuntu', architecture: 'arm64', imageName: 'Ubuntu' }, REGION)
  assert.equal(arm.result.totalCount, 3)
  const e = await rejection(vm().describeImages({ imageSource: 'public', pageSize: 5 }, REGION))
  assert.equal(e.error.status, 'INVALID_ARGUMENT')
  await refusedForBadSecret((c) => c.describeImages({ imageSource: 'public' }, REGION))
})

test('DescribeImageConstraints', async () => {
  const r = await vm().describeImageConstraints({ imageId: 'img-ubuntu2204x' }, REGION)
  assert.equal(r.result.imageConstraints.imageInstanceTypeConstraint.constraintsType, 'includes')
  assert.deepEqual(r.result.imageConstraints.imageInstanceTypeConstraint.instanceTypes, ['g.y1.large', 'g.y1.xlarge'])
  const e = await rejection(vm().describeImageConstraints({ imageId: 'img-nosuch01' }, REGION))
  assert.equal(e.error.status, 'NOT_FOUND')
  await refusedForBadSecret((c) => c.describeImageConstraints({ imageId: 'img-ubuntu2204x' }, REGION))
})

test('DescribeImageConstraintsBatch', async () => {
  const r = await vm().describeImageConstraintsBatch({ ids: ['img-centos82pub', 'img-ubuntu2204x', 'img-nosuch01'] }, REGION)
  const byId = Object.fromEntries(r.result.imageConstraints.map((c) => [c.imageId, c.imageInstanceTypeConstraint.constraintsType]))
  assert.deepEqual(byId, { 'img-centos82pub': 'excludes', 'img-ubuntu2204x': 'includes' })
  await refusedForBadSecret((c) => c.describeImageConstraintsBatch({ ids: ['img-centos82pub'] }, REGION))
})

test('DescribeImageMembers', async () => {
  const r = await vm().describeImageMembers({ imageId: 'img-privshare01' }, REGION)
  assert.deepEqual(r.result.pins, ['jdcloud-user-02', 'jdcloud-user-03'])
  assert.deepEqual(r.result.loginNames, ['partner-ops', 'partner-dev'])
  const e = await rejection(vm().describeImageMembers({ imageId: 'img-nosuch01' }, REGION))
  assert.equal(e.error.status, 'NOT_FOUND')
  await refusedForBadSecret((c) => c.describeImageMembers({ imageId: 'img-privshare01' }, REGION))
})

// --- The write calls -------------------------------------------------------------

// VMIMAGE_SPEC names the spec whose error examples the failures must equal (the
// repository's openapi.yaml by default; the gates' self-test passes a broken one).
const specPath = process.env.VMIMAGE_SPEC || require('node:path').join(__dirname, '..', '..', 'openapi.yaml')
const spec = yaml.load(require('node:fs').readFileSync(specPath, 'utf8'))

// documented returns the error of the named example of an operation's error answers in
// openapi.yaml ({code, status, message}), following $refs to shared responses.
function documented (operationId, name) {
  const deref = (o) => {
    while (o && o.$ref) o = o.$ref.split('/').slice(1).reduce((n, k) => n[k], spec)
    return o
  }
  for (const item of Object.values(spec.paths)) {
    for (const op of Object.values(item)) {
      if (!op || op.operationId !== operationId) continue
      for (const [code, r] of Object.entries(op.responses)) {
        const ex = deref(r).content?.['application/json']?.examples?.[name]
        if (Number(code) >= 400 && ex) return deref(ex).value.error
      }
      assert.fail(`openapi.yaml: ${operationId} has no error example ${name}`)
    }
  }
  assert.fail(`openapi.yaml has no operation ${operationId}`)
}

// failsAsDocumented awaits a call that must fail with the named error example of
// openapi.yaml: the same code, status and message.
async function failsAsDocumented (promise, operationId, name) {
  const e = await rejection(promise)
  const want = documented(operationId, name)
  assert.deepEqual({ code: e.error.code, status: e.error.status, message: e.error.message }, want, `${operationId}/${name}`)
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

// until polls f (which returns a value or undefined) every 100 ms until it returns a
// value, failing after limitSeconds.
async function until (what, f, limitSeconds) {
  const deadline = Date.now() + limitSeconds * 1000
  for (;;) {
    const v = await f()
    if (v !== undefined) return v
    if (Date.now() > deadline) assert.fail(`${what}: not within ${limitSeconds} s`)
    await sleep(100)
  }
}

const describe = async (id, region = REGION) => (await vm().describeImage({ imageId: id }, region)).result.image

// waitReady follows an image from pending (progress "0" to "99") to ready ("100").
async function waitReady (id, region = REGION) {
  const first = await describe(id, region)
  assert.equal(first.status, 'pending', `${id} right after the call`)
  assert.ok(Number(first.progress) < 100, `progress ${first.progress}`)
  const ready = await until(`${id} ready`, async () => {
    const img = await describe(id, region)
    assert.ok(img.status === 'pending' || img.status === 'ready', `${id} is ${img.status}`)
    return img.status === 'ready' ? img : undefined
  }, JOB_SECONDS * 5)
  assert.equal(ready.progress, '100')
  return ready
}

async function listIds (query, region = REGION) {
  const r = await vm().describeImages({ pageSize: 100, ...query }, region)
  return (r.result.images || []).map((i) => i.imageId)
}

// The three groups share the fake but no image, and run at once: the waits overlap.
test('the write calls JD\'s Node SDK has', { concurrency: true }, async (t) => {
  await Promise.all([
    t.test('copyImages: a copy appears pending, then ready, in its destination region', async () => {
      const r = await vm().copyImages({ sourceImageIds: ['img-privshare01'], destinationRegion: 'cn-east-2' }, REGION)
      const [copy] = r.result.copyImages
      assert.equal(copy.sourceImageId, 'img-privshare01')
      assert.ok((await listIds({ imageSource: 'private' }, 'cn-east-2')).includes(copy.destinationImageId))
      const img = await waitReady(copy.destinationImageId, 'cn-east-2')
      assert.equal(img.imageSource, 'private')
      await rejection(vm().describeImage({ imageId: copy.destinationImageId }, REGION)) // not in the source region
      await failsAsDocumented(vm().copyImages({ sourceImageIds: ['img-privshare01'], destinationRegion: 'cn-nowhere-9' }, REGION), 'copyImages', 'invalidRegion')
    }),

    t.test('importImage and imageTasks: a task pending or running, then finished', async () => {
      const imageUrl = 'https://images.s3.cn-north-1.jdcloud-oss.com/jdsdk/debian-12.qcow2'
      const r = await vm().importImage({
        architecture: 'x86_64', osType: 'linux', platform: 'Other Linux', diskFormat: 'qcow2', systemDiskSizeGB: 40,
        imageUrl, osVersion: '12', imageName: 'jdsdk-import', description: 'imported by the Node SDK', forceImport: false,
        clientToken: 'jdsdk-import-0001'
      }, REGION)
      const { imageId, taskId } = r.result
      assert.equal(typeof taskId, 'string')
      const again = await vm().importImage({
        architecture: 'x86_64', osType: 'linux', platform: 'Other Linux', diskFormat: 'qcow2', systemDiskSizeGB: 40,
        imageUrl, osVersion: '12', imageName: 'jdsdk-import', description: 'imported by the Node SDK', forceImport: false,
        clientToken: 'jdsdk-import-0001'
      }, REGION)
      assert.deepEqual({ imageId: again.result.imageId, taskId: again.result.taskId }, { imageId, taskId }, 'the same clientToken answers the first answer')
      const task = async () => {
        const q = await vm().imageTasks({ taskAction: 'ImportImage', taskIds: [taskId, '999999'] }, REGION)
        assert.equal(q.result.totalCount, 1)
        return q.result.taskSet[0]
      }
      const started = await task()
      assert.equal(started.imageId, imageId)
      assert.equal(started.imageUrl, imageUrl)
      assert.ok(['pending', 'running'].includes(started.taskStatus), started.taskStatus)
      const img = await waitReady(imageId)
      assert.equal(img.name, 'jdsdk-import')
      assert.equal(img.imported, true)
      const done = await until('import task finished', async () => {
        const tk = await task()
        return tk.taskStatus === 'finished' ? tk : undefined
      }, JOB_SECONDS * 5)
      assert.equal(done.progress, 100)
      await failsAsDocumented(vm().importImage({
        architecture: 'x86_64', osType: 'linux', platform: 'CentOS', diskFormat: 'raw', systemDiskSizeGB: 55, imageUrl, imageName: 'jdsdk-bad'
      }, REGION), 'importImage', 'systemDiskSize')
      await failsAsDocumented(vm().imageTasks({ pageSize: 101 }, REGION), 'imageTasks', 'pageSizeOutOfRange')
    }),

    t.test('createImage, then modify, share, unshare, release, unrelease, export and delete it', async (t) => {
      let id
      await t.test('createImage: nested nulls pass; pending, then ready', async () => {
        const r = await vm().createImage({
          instanceId: 'i-cloudrun0001',
          name: 'jdsdk-golden',
          description: 'made by the Node SDK',
          dataDisks: [{ autoDelete: null, cloudDiskSpec: { az: '', charge: null, description: null, diskSizeGB: 0, diskType: '', encrypt: null, iops: null, multiAttachable: null, name: '', policyId: null, snapshotId: 'snapshot-data0002' }, deviceName: 'vdb', diskCategory: null, noDevice: null }]
        }, REGION)
        id = r.result.imageId
        assert.ok(id)
        const img = await waitReady(id)
        assert.equal(img.name, 'jdsdk-golden')
        assert.equal(img.imageSource, 'private')
        assert.ok((await listIds({ imageSource: 'private' })).includes(id))
        await failsAsDocumented(vm().createImage({ instanceId: 'i-localrun0001', name: 'jdsdk-local' }, REGION), 'createImage', 'stopFirst')
      })
      await t.test('modifyImageAttribute', async () => {
        await vm().modifyImageAttribute({ imageId: id, name: 'jdsdk-golden-v2', description: 'renamed' }, REGION)
        const img = await describe(id)
        assert.equal(img.name, 'jdsdk-golden-v2')
        assert.equal(img.desc, 'renamed')
        assert.deepEqual(await listIds({ imageSource: 'private', imageName: 'jdsdk-golden-v2' }), [id])
        await failsAsDocumented(vm().modifyImageAttribute({ imageId: id }, REGION), 'modifyImageAttribute', 'nothingToChange')
      })
      await t.test('shareImage and unShareImage: the members follow', async () => {
        await vm().shareImage({ imageId: id, pins: ['jdcloud-user-05', 'jdcloud-user-06'] }, REGION)
        let m = await vm().describeImageMembers({ imageId: id }, REGION)
        assert.deepEqual(m.result.pins, ['jdcloud-user-05', 'jdcloud-user-06'])
        assert.equal((await describe(id)).launchPermission, 'specifiedUsers')
        await failsAsDocumented(vm().shareImage({ imageId: id, pins: ['jdcloud-user-01'] }, REGION), 'shareImage', 'ownAccount')
        await failsAsDocumented(vm().deleteImage({ imageId: id }, REGION), 'deleteImage', 'shared')
        await vm().unShareImage({ imageId: id, pins: ['jdcloud-user-05'] }, REGION)
        m = await vm().describeImageMembers({ imageId: id }, REGION)
        assert.deepEqual(m.result.pins, ['jdcloud-user-06'])
        await failsAsDocumented(vm().unShareImage({ imageId: id, pins: ['jdcloud-nobody'] }, REGION), 'unShareImage', 'pinNotFound')
        await vm().unShareImage({ imageId: id, pins: ['jdcloud-user-06'] }, REGION)
        m = await vm().describeImageMembers({ imageId: id }, REGION)
        assert.deepEqual(m.result.pins ?? [], [])
        assert.equal((await describe(id)).launchPermission, 'ownerOnly')
      })
      await t.test('releaseImage and unReleaseImage: community, then private', async () => {
        await vm().shareImage({ imageId: id, pins: ['jdcloud-user-07'] }, REGION)
        await vm().releaseImage({ imageId: id }, REGION)
        assert.equal((await describe(id)).imageSource, 'community')
        assert.ok((await listIds({ imageSource: 'community' })).includes(id))
        assert.deepEqual((await vm().describeImageMembers({ imageId: id }, REGION)).result.pins ?? [], [], 'releasing revokes the shares')
        await failsAsDocumented(vm().releaseImage({ imageId: 'img-centos82pub' }, REGION), 'releaseImage', 'notPrivate')
        await failsAsDocumented(vm().deleteImage({ imageId: id }, REGION), 'deleteImage', 'community')
        await vm().unReleaseImage({ imageId: id }, REGION)
        assert.equal((await describe(id)).imageSource, 'private')
        assert.ok(!(await listIds({ imageSource: 'community' })).includes(id))
        await failsAsDocumented(vm().unReleaseImage({ imageId: 'img-community01' }, REGION), 'unReleaseImage', 'notYours')
      })
      await t.test('exportImage: a task, and the image busy until it ends', async () => {
        const r = await vm().exportImage({ imageId: id, roleName: 'image-export-test', ossUrl: 'https://exports.s3-internal.cn-north-1.jdcloud-oss.com', ossPrefix: 'jdsdk' }, REGION)
        const taskId = r.result.taskId
        assert.equal(typeof taskId, 'string')
        const q = await vm().imageTasks({ taskAction: 'ExportImage', taskIds: [taskId] }, REGION)
        assert.equal(q.result.taskSet[0].imageId, id)
        assert.ok(['pending', 'running'].includes(q.result.taskSet[0].taskStatus))
        const conflict = await rejection(vm().modifyImageAttribute({ imageId: id, name: 'jdsdk-busy' }, REGION))
        assert.equal(conflict.error.status, 'FAILED_PRECONDITION')
        assert.equal(conflict.error.message, `Conflict with underlay image task '${id}'`)
        const done = await until('export task finished', async () => {
          const tk = (await vm().imageTasks({ taskIds: [taskId] }, REGION)).result.taskSet[0]
          return tk.taskStatus === 'finished' ? tk : undefined
        }, JOB_SECONDS * 5)
        assert.deepEqual(done.ossObjects, [`jdsdk-${id}-vda.qcow2`])
        await failsAsDocumented(vm().exportImage({ imageId: 'img-privwin0001', roleName: 'image-export-test', ossUrl: 'https://exports.s3-internal.cn-north-1.jdcloud-oss.com' }, REGION), 'exportImage', 'windows')
      })
      await t.test('deleteImage: deleting, then not found', async () => {
        await vm().deleteImage({ imageId: id, deleteSnapshot: true }, REGION)
        assert.equal((await describe(id)).status, 'deleting')
        await vm().deleteImage({ imageId: id }, REGION) // a repeated DELETE changes nothing
        const gone = await until(`${id} gone`, async () => {
          try {
            const img = await describe(id)
            assert.equal(img.status, 'deleting')
            return undefined
          } catch (e) {
            if (e instanceof assert.AssertionError) throw e
            return e
          }
        }, 30)
        assert.deepEqual({ code: gone.error.code, status: gone.error.status, message: gone.error.message },
          { code: 404, status: 'NOT_FOUND', message: `Image '${id}' not found` })
        assert.ok(!(await listIds({ imageSource: 'private' })).includes(id))
        await failsAsDocumented(vm().deleteImage({ imageId: 'img-privshare01' }, REGION), 'deleteImage', 'shared')
      })
    })
  ])
})

test('what the SDK sent: %3A in custom methods, {} for a void POST, indexed taskIds, nested nulls verbatim', () => {
  const release = sent.find((r) => r.method === 'POST' && r.path.endsWith('%3Arelease'))
  assert.ok(release, 'releaseImage was sent with the colon escaped')
  assert.equal(release.body, '{}')
  const share = sent.find((r) => r.path.endsWith('%3Ashare'))
  assert.deepEqual(JSON.parse(share.body), { pins: ['jdcloud-user-05', 'jdcloud-user-06'] })
  assert.ok(sent.some((r) => r.path.endsWith('/imageTasks') && /taskIds\.1=/.test(r.query)))
  const create = sent.find((r) => r.path.endsWith('%3AcreateImage'))
  assert.equal(JSON.parse(create.body).dataDisks[0].cloudDiskSpec.charge, null)
  assert.ok(sent.some((r) => r.method === 'DELETE' && r.query === '?deleteSnapshot=true'))
})
