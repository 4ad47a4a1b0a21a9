// JD Cloud's own Node SDK (jdcloud-sdk-js, pinned in package-lock.json), unmodified,
// against `vmimage fake`: all five calls of the image read API, each with a success,
// a not-found (where the call names one image) and a bad secret. It proves that the
// fake is the service's twin for a client we did not write: the SDK signs `accept`
// too, sends query parameters in insertion order and signs them sorted, and sends
// arrays indexed (ids.1=...). The SDK's image write calls (copyImages, shareImage, ...)
// join in a later step of issue 18, when the fake serves them; the spec describes them
// already.
//
// Run by `make spec-jdsdk` (part of make test): VMIMAGE_BIN names the vmimage binary.
'use strict'
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const { spawn } = require('node:child_process')
const readline = require('node:readline')

const JDCloud = require('jdcloud-sdk-js')
JDCloud.config.logger = () => {} // the SDK logs every request, with its signature, by default

const AK = 'FAKEACCESSKEY0001'
const SK = 'fake-secret-key-not-a-secret'
const REGION = 'cn-north-1'
let fake
let host

before(async () => {
  const bin = process.env.VMIMAGE_BIN
  assert.ok(bin, 'VMIMAGE_BIN must name the vmimage binary')
  fake = spawn(bin, ['fake', '--addr', '127.0.0.1:0'], { stdio: ['ignore', 'pipe', 'inherit'] })
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
