// Local AT Protocol network for microscout's Bluesky end-to-end tests.
//
// Started by network.sh (never directly): it expects PostgreSQL and Redis to be
// running already and these environment variables to be set:
//   MICROSCOUT_ATPROTO_NODE_MODULES  node_modules folder holding @atproto/dev-env
//   DB_POSTGRES_URL, REDIS_HOST      read by @atproto/dev-env's TestNetwork
//   MICROSCOUT_ATPROTO_LIFETIME      seconds before the network stops by itself
//   MICROSCOUT_ATPROTO_{PLC,PDS,APPVIEW}_PORT  optional fixed ports (default: free ones)
// Usage: node network.mjs STATE_DIR
//
// It runs TestNetwork.create() (PLC directory, PDS, AppView "bsky" with its
// data plane, bsync and ozone), binds every listening socket to 127.0.0.1,
// seeds accounts and records through the PDS's real XRPC API, waits for the
// AppView to index them, cross-checks what it seeded against the AppView and
// writes STATE_DIR/network.json. Then it keeps running until SIGTERM/SIGINT or
// until its lifetime is over.

import dns from 'node:dns'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { createRequire } from 'node:module'
import { pathToFileURL } from 'node:url'

const LOOPBACK = '127.0.0.1'
const HASHTAG = 'zerowaste'

const log = (...args) =>
  console.log(new Date().toISOString(), '[network.mjs]', ...args)

// ---------------------------------------------------------------------------
// 1. Every listening socket on 127.0.0.1.
// None of plc / pds / bsky / bsync / ozone / the data plane takes a listen
// host (they all call app.listen(port)), so Node binds them to every
// interface. Rewrite the host of every TCP listen() in this process to
// 127.0.0.1 (get-port's probes included); unix sockets and handles untouched.
// ---------------------------------------------------------------------------
const isLoopbackV4 = (h) => typeof h === 'string' && /^127\.\d+\.\d+\.\d+$/.test(h)
const pinHost = (h) => (isLoopbackV4(h) ? h : LOOPBACK)
const origListen = net.Server.prototype.listen
net.Server.prototype.listen = function listenOnLoopback(...args) {
  const first = args[0]
  if (first === undefined || typeof first === 'function') {
    // listen() / listen(cb): random port, all interfaces by default
    args = [0, LOOPBACK, ...args]
  } else if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
    if (typeof args[1] === 'string') args[1] = pinHost(args[1])
    else args.splice(1, 0, LOOPBACK)
  } else if (first && typeof first === 'object' && !('path' in first) && !('fd' in first) && !('_handle' in first) && !('handle' in first)) {
    args[0] = { ...first, host: pinHost(first.host) }
  }
  return origListen.apply(this, args)
}
// URLs built by dev-env say "localhost": make sure it resolves to 127.0.0.1
// (not ::1, where nothing listens).
dns.setDefaultResultOrder('ipv4first')

// ---------------------------------------------------------------------------
// 2. Arguments, environment, dev-env.
// ---------------------------------------------------------------------------
const stateDir = path.resolve(process.argv[2] || '')
if (!process.argv[2] || !fs.existsSync(stateDir)) {
  console.error('usage: node network.mjs STATE_DIR (run by network.sh start)')
  process.exit(2)
}
const nodeModules = process.env.MICROSCOUT_ATPROTO_NODE_MODULES
if (!nodeModules || !fs.existsSync(path.join(nodeModules, '@atproto', 'dev-env'))) {
  console.error('MICROSCOUT_ATPROTO_NODE_MODULES must point at the node_modules holding @atproto/dev-env (run network.sh install)')
  process.exit(2)
}
const lifetime = Number(process.env.MICROSCOUT_ATPROTO_LIFETIME || 3600)
const portFromEnv = (name) => {
  const v = Number(process.env[name] || 0)
  return Number.isInteger(v) && v > 0 ? v : undefined
}

const requireFromCache = createRequire(path.join(nodeModules, 'noop.js'))
const { TestNetwork } = await import(pathToFileURL(requireFromCache.resolve('@atproto/dev-env')).href)

let network
let shuttingDown = false
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function shutdown(reason, code = 0) {
  if (shuttingDown) return
  shuttingDown = true
  log(`stopping (${reason})`)
  if (network) {
    const closing = network.close().catch((err) => log('close error:', err?.message ?? err))
    await Promise.race([closing, sleep(15000)])
  }
  process.exit(code)
}
process.on('SIGTERM', () => void shutdown('SIGTERM'))
process.on('SIGINT', () => void shutdown('SIGINT'))
process.on('SIGHUP', () => void shutdown('SIGHUP'))
const lifetimeTimer = setTimeout(() => void shutdown(`lifetime of ${lifetime}s is over`), lifetime * 1000)

// ---------------------------------------------------------------------------
// 3. XRPC over plain fetch (what the Python crawler does, too).
// ---------------------------------------------------------------------------
async function xrpc(base, nsid, { params, body, token, headers = {} } = {}) {
  const url = new URL(`/xrpc/${nsid}`, base)
  for (const [k, v] of Object.entries(params ?? {})) {
    if (Array.isArray(v)) v.forEach((x) => url.searchParams.append(k, String(x)))
    else if (v !== undefined && v !== null) url.searchParams.set(k, String(v))
  }
  const h = { ...headers }
  if (token) h.authorization = `Bearer ${token}`
  const init = { method: body === undefined ? 'GET' : 'POST', headers: h }
  if (body !== undefined) {
    h['content-type'] = 'application/json'
    init.body = JSON.stringify(body)
  }
  const res = await fetch(url, init)
  const text = await res.text()
  let json
  try {
    json = JSON.parse(text)
  } catch {
    json = undefined
  }
  return { status: res.status, ok: res.ok, json, text }
}

async function call(base, nsid, opts) {
  const r = await xrpc(base, nsid, opts)
  if (!r.ok) throw new Error(`${nsid} at ${base}: HTTP ${r.status} ${r.text.slice(0, 400)}`)
  return r.json
}

async function paginate(base, nsid, params, key, opts = {}) {
  const out = []
  let cursor
  for (let page = 0; page < 200; page++) {
    const res = await call(base, nsid, { ...opts, params: { ...params, cursor } })
    out.push(...(res[key] ?? []))
    if (!res.cursor || (res[key] ?? []).length === 0) return out
    cursor = res.cursor
  }
  throw new Error(`${nsid}: more than 200 pages`)
}

// ---------------------------------------------------------------------------
// 4. Seed data (deterministic: fixed texts, fixed PRNG seed).
// ---------------------------------------------------------------------------
function mulberry32(seed) {
  return () => {
    seed |= 0
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}
const rand = mulberry32(20250601)
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1)) // inclusive
function sample(arr, k) {
  const a = [...arr]
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1))
    ;[a[i], a[j]] = [a[j], a[i]]
  }
  return a.slice(0, Math.max(0, Math.min(k, a.length)))
}

// Creators: every top-level post contains "#zerowaste" (lowercase; the dev
// AppView's search is a case-sensitive substring match on the text).
// `extraTags` go to record.tags only (not in the text).
const CREATORS = [
  {
    name: 'ada-lind', displayName: 'Ada Lindqvist', followers: 20,
    description: 'Zero-waste kitchen experiments from Stockholm. Bulk bins, compost, no cling film.',
    posts: [
      { text: 'Week 12 without buying a single plastic bag. Tote bags everywhere. #zerowaste' },
      { text: 'Beeswax wraps instead of cling film: the cheese stays fresh longer #zerowaste #plasticfree' },
      { text: '#zerowaste tip: freeze vegetable scraps and make stock on Sunday.', extraTags: ['kitchen'] },
      { text: 'My compost bin finally smells like forest floor, not like despair #zerowaste #compost' },
    ],
  },
  {
    name: 'lea-dubois', displayName: 'Léa Dubois', followers: 14,
    description: 'Café sans déchets à Lyon ☕ — vrac, bocaux et réparations.',
    posts: [
      { text: 'Café zéro déchet 🌱🥕 : mes bocaux du marché #zerowaste #plasticfree', langs: ['fr'] },
      { text: 'Réparé ma bouilloire au lieu d\u2019en racheter une 🔧 #zerowaste', langs: ['fr'] },
      { text: 'Les épiceries en vrac de Lyon, ma liste complète 👇 #zerowaste #Vrac', langs: ['fr'] },
    ],
  },
  {
    name: 'kofi-mensah', displayName: 'Kofi Mensah', followers: 9,
    description: 'Repair café volunteer. If it is broken, we fix it together.',
    posts: [
      { text: 'Repair café this Saturday: 14 toasters, 3 lamps, 1 very old radio. #zerowaste #repair' },
      { text: 'Spare parts drawer sorted. Everything labelled. #zerowaste' },
      { text: 'Fixed a zipper in 5 minutes instead of throwing out the jacket #zerowaste #PlasticFree' },
      { text: 'Reminder: the greenest phone is the one you already own #zerowaste', extraTags: ['ewaste', 'repair'] },
      { text: 'Soldering workshop for kids next month, sign-ups open #zerowaste #repair' },
    ],
  },
  {
    name: 'mara-chen', displayName: 'Mara Chen', followers: 6,
    description: 'Low-waste parenting, cloth nappies and hand-me-downs.',
    posts: [
      { text: 'Hand-me-down boxes are the best social network #zerowaste' },
      { text: 'Cloth nappies, year two: still worth it #zerowaste #plasticfree' },
      { text: 'Lunchbox without a single wrapper 🍎🥪 #zerowaste' },
    ],
  },
  {
    name: 'jonas-berg', displayName: 'Jonas Berg', followers: 3,
    description: 'Cycling to the bulk store since 2019.',
    posts: [
      { text: 'Bike trailer + glass jars = weekly groceries #zerowaste' },
      { text: 'Refill shop opened next to the station! #zerowaste #refill' },
      { text: 'Counted: 2 bags of trash this whole quarter #zerowaste' },
      // A link as Bluesky's app writes it into the text (social-app's toShortUrl: no scheme,
      // the path cut after 13 characters); the facet holds it whole, affiliate tag and all.
      { text: 'The jars on my trailer #ad #zerowaste www.amazon.com/dp/B07Q4X6FZ...',
        link: { shown: 'www.amazon.com/dp/B07Q4X6FZ...', uri: 'https://www.amazon.com/dp/B07Q4X6FZP?tag=jonasberg-20' } },
      // A link card (app.bsky.embed.external) whose link the text does not hold.
      { text: 'Same jars, new lids #ad #zerowaste',
        card: { uri: 'https://amzn.to/3jonasL', title: 'Glass jars with lids', description: 'Set of 12' } },
    ],
  },
  {
    name: 'priya-rao', displayName: 'Priya Rao', followers: 1,
    description: 'Textile upcycling, mostly failed experiments.',
    posts: [
      { text: 'Old saris turned into produce bags #zerowaste #upcycling' },
      { text: 'Visible mending on my jeans, round three #zerowaste' },
      { text: 'Swap meet results: gave 12 items, took 4 #zerowaste #plasticfree' },
      { text: 'Naïve question: does anyone compost cotton scraps? #zerowaste' },
    ],
  },
  {
    name: 'optout-olga', displayName: 'Olga (no crawling please)', followers: 7, optedOut: true,
    description: 'Please do not collect my posts. I opted out of logged-out visibility.',
    posts: [
      { text: 'Market haul with my own containers #zerowaste' },
      { text: 'Shampoo bars: third brand tried, finally happy #zerowaste #plasticfree' },
      { text: 'Bulk spices are half the price here #zerowaste' },
    ],
  },
  {
    name: 'tipbot', displayName: 'Zero Waste Tip Bot', followers: 4, bot: true,
    description: 'Automated account. Posts one zero-waste tip a day.',
    posts: [
      { text: 'Daily tip #1: carry a reusable bottle #zerowaste' },
      { text: 'Daily tip #2: say no to receipts you do not need #zerowaste' },
      { text: 'Daily tip #3: plan meals before shopping #zerowaste #foodwaste' },
      { text: 'Daily tip #4: borrow tools from neighbours #zerowaste' },
    ],
  },
]

const CROWD_NAMES = [
  'amelie', 'bruno', 'carla', 'dario', 'elin', 'farid', 'greta', 'hugo', 'ines', 'jamal', 'kaia', 'lars',
  'mina', 'nora', 'oskar', 'paula', 'quinn', 'rafa', 'sofia', 'tomas', 'uma', 'victor', 'wanda', 'yusuf',
]
const CROWD_POSTS = [
  'Morning walk, saw the first swallows of the year.',
  'Anyone tried the refill shop on Main Street? #refill',
  'Reading about the circular economy tonight.',
  'Potato harvest was tiny but delicious 🥔',
  'Library book sale haul: 6 books for 5 euros #books',
  'Rain all day. Good day for mending socks.',
  'Bread from yesterday → croutons today #foodwaste',
  'Thinking about a worm bin for the balcony. Advice?',
]
const REPLY_TEXTS = [
  'Love this, trying it this week!',
  'Where do you buy these?',
  'Great idea 👏',
  'We do the same at home, works well.',
  'How long did it take you to get used to it?',
  'Saved for later.',
  'Mine never worked this well 😅',
  'Could you share the recipe?',
]
const NESTED_REPLY_TEXTS = ['Same question here!', 'Thanks for asking, I wondered too.', 'Following this thread.']
const CREATOR_ANSWER = 'Happy to! Details in my next post.'
const QUOTE_TEXTS = ['This is the kind of content I am here for.', 'Everyone should read this thread.', 'Bookmarking this one.']

// Assert the crowd never says the hashtag, so searchPosts(q="#zerowaste")
// returns exactly the creators' posts.
for (const t of [...CROWD_POSTS, ...REPLY_TEXTS, ...NESTED_REPLY_TEXTS, CREATOR_ANSWER, ...QUOTE_TEXTS]) {
  if (t.toLowerCase().includes(HASHTAG)) throw new Error(`crowd text mentions ${HASHTAG}: ${t}`)
}

// Hashtag facets with UTF-8 byte offsets (the facet covers "#tag"). Like
// Bluesky's own detection, an all-digit "#4" is not a tag.
function hashtagFacets(text) {
  const facets = []
  const re = /(^|\s)(#([A-Za-z0-9_]*[A-Za-z_][A-Za-z0-9_]*))(?![A-Za-z0-9_])/g
  let m
  while ((m = re.exec(text))) {
    const charStart = m.index + m[1].length
    const byteStart = Buffer.byteLength(text.slice(0, charStart), 'utf8')
    const byteEnd = byteStart + Buffer.byteLength(m[2], 'utf8')
    facets.push({
      index: { byteStart, byteEnd },
      features: [{ $type: 'app.bsky.richtext.facet#tag', tag: m[3] }],
    })
  }
  return facets
}

// ---------------------------------------------------------------------------
// 5. Start the network.
// ---------------------------------------------------------------------------
const started = Date.now()
log('creating TestNetwork (plc, pds, bsky appview, bsync, ozone) ...')
// (never pass `port: undefined`: dev-env spreads these objects over its own
// choice of port, and an undefined one makes a server listen on a random port
// that nobody else knows about)
const portOpt = (name) => (portFromEnv(name) ? { port: portFromEnv(name) } : {})
network = await TestNetwork.create({
  dbPostgresSchema: 'devnet',
  plc: portOpt('MICROSCOUT_ATPROTO_PLC_PORT'),
  pds: portOpt('MICROSCOUT_ATPROTO_PDS_PORT'),
  bsky: portOpt('MICROSCOUT_ATPROTO_APPVIEW_PORT'),
})
const PDS = `http://${LOOPBACK}:${network.pds.port}`
const APPVIEW = `http://${LOOPBACK}:${network.bsky.port}`
const PLC = `http://${LOOPBACK}:${network.plc.port}`
const APPVIEW_DID = network.bsky.ctx.cfg.serverDid
log(`network up in ${((Date.now() - started) / 1000).toFixed(1)}s: pds ${PDS} appview ${APPVIEW} (${APPVIEW_DID}) plc ${PLC} ozone :${network.ozone.port}`)

// ---------------------------------------------------------------------------
// 6. Seed through the PDS's XRPC API, keeping a ledger of every record.
// ---------------------------------------------------------------------------
const seedStarted = Date.now()
const accounts = new Map() // did -> account
const posts = new Map() // uri -> post ledger entry
const follows = [] // {src, subj}
const likes = [] // {src, subject}
const reposts = [] // {src, subject}

let clock = Date.now() - 3 * 24 * 3600 * 1000 // records are dated over the last few days
const nextTime = () => {
  clock += randInt(60, 600) * 1000
  return new Date(clock).toISOString()
}

async function createAccount(name, extra = {}) {
  const handle = `${name}.test`
  const password = `pw-${name}-${Math.random().toString(36).slice(2)}`
  const res = await call(PDS, 'com.atproto.server.createAccount', {
    body: { handle, email: `${name}@example.com`, password },
  })
  const acct = { did: res.did, handle: res.handle, token: res.accessJwt, password, ...extra }
  accounts.set(acct.did, acct)
  return acct
}

async function createRecord(acct, collection, record) {
  const res = await call(PDS, 'com.atproto.repo.createRecord', {
    token: acct.token,
    body: { repo: acct.did, collection, record: { $type: collection, ...record } },
  })
  return { uri: res.uri, cid: res.cid }
}

async function putProfile(acct, { displayName, description, selfLabels = [] }) {
  const record = { $type: 'app.bsky.actor.profile', displayName, description, createdAt: nextTime() }
  if (selfLabels.length) {
    record.labels = { $type: 'com.atproto.label.defs#selfLabels', values: selfLabels.map((val) => ({ val })) }
  }
  await call(PDS, 'com.atproto.repo.putRecord', {
    token: acct.token,
    body: { repo: acct.did, collection: 'app.bsky.actor.profile', rkey: 'self', record },
  })
  Object.assign(acct, { displayName, description, selfLabels })
}

async function post(acct, text, { extraTags = [], langs = ['en'], reply, quote, link, card } = {}) {
  const createdAt = nextTime()
  const record = { text, createdAt, langs }
  const tagFacets = hashtagFacets(text)
  const facets = [...tagFacets]
  if (link) {
    const at = text.indexOf(link.shown)
    if (at < 0) throw new Error(`link text not in the post: ${link.shown}`)
    const byteStart = Buffer.byteLength(text.slice(0, at), 'utf8')
    facets.push({
      index: { byteStart, byteEnd: byteStart + Buffer.byteLength(link.shown, 'utf8') },
      features: [{ $type: 'app.bsky.richtext.facet#link', uri: link.uri }],
    })
  }
  if (facets.length) record.facets = facets
  const facetTags = tagFacets.map((f) => f.features[0].tag)
  // #zerowaste posts also carry the tag in record.tags (plus any extra tags)
  const recTags = [...new Set([...(facetTags.some((t) => t.toLowerCase() === HASHTAG) ? [HASHTAG] : []), ...extraTags])]
  if (recTags.length) record.tags = recTags
  if (reply) {
    record.reply = {
      root: { uri: reply.root.uri, cid: reply.root.cid },
      parent: { uri: reply.parent.uri, cid: reply.parent.cid },
    }
  }
  if (quote) record.embed = { $type: 'app.bsky.embed.record', record: { uri: quote.uri, cid: quote.cid } }
  if (card) record.embed = { $type: 'app.bsky.embed.external', external: card }
  const ref = await createRecord(acct, 'app.bsky.feed.post', record)
  const entry = {
    ...ref,
    author: acct.did,
    text,
    // the text as a crawl stores it: its link written out whole, a card's link on a line of its own
    // after a blank line
    fullText: link ? text.replace(link.shown, link.uri) : card ? `${text}\n\n${card.uri}` : text,
    links: link ? [link.uri] : card ? [card.uri] : [],
    createdAt,
    record: { $type: 'app.bsky.feed.post', ...record },
    tags: [...new Set([...facetTags, ...recTags].map((t) => t.toLowerCase()))].sort(),
    replyParent: reply?.parent.uri ?? null,
    replyRoot: reply?.root.uri ?? null,
    quoteOf: quote?.uri ?? null,
  }
  posts.set(entry.uri, entry)
  return entry
}

async function follow(src, subj) {
  await createRecord(src, 'app.bsky.graph.follow', { subject: subj.did, createdAt: nextTime() })
  follows.push({ src: src.did, subj: subj.did })
}
async function like(src, p) {
  await createRecord(src, 'app.bsky.feed.like', { subject: { uri: p.uri, cid: p.cid }, createdAt: nextTime() })
  likes.push({ src: src.did, subject: p.uri })
}
async function repost(src, p) {
  await createRecord(src, 'app.bsky.feed.repost', { subject: { uri: p.uri, cid: p.cid }, createdAt: nextTime() })
  reposts.push({ src: src.did, subject: p.uri })
}

log('seeding accounts ...')
const creators = []
for (const c of CREATORS) {
  const acct = await createAccount(c.name, { kind: 'creator', spec: c })
  const selfLabels = [...(c.optedOut ? ['!no-unauthenticated'] : []), ...(c.bot ? ['bot'] : [])]
  await putProfile(acct, { displayName: c.displayName, description: c.description, selfLabels })
  creators.push(acct)
}
const crowd = []
for (const [i, name] of CROWD_NAMES.entries()) {
  const acct = await createAccount(`${name}-${String(i + 1).padStart(2, '0')}`, { kind: 'crowd' })
  const displayName = name[0].toUpperCase() + name.slice(1)
  await putProfile(acct, { displayName, description: `Just here for the sustainability tips. (${displayName})` })
  crowd.push(acct)
}
const crawler = await createAccount('microscout-crawler', { kind: 'crawler' })
await putProfile(crawler, { displayName: 'microscout test crawler', description: 'Research crawler used in tests.', selfLabels: ['bot'] })
const appPassword = await call(PDS, 'com.atproto.server.createAppPassword', {
  token: crawler.token,
  body: { name: 'microscout-e2e' },
})

log('seeding posts ...')
for (const [ci, acct] of creators.entries()) {
  for (const p of CREATORS[ci].posts) {
    await post(acct, p.text, { extraTags: p.extraTags, langs: p.langs ?? ['en'], link: p.link, card: p.card })
  }
}
for (const [j, acct] of crowd.entries()) {
  for (let k = 0; k < j % 4; k++) await post(acct, CROWD_POSTS[(j + k) % CROWD_POSTS.length])
}

log('seeding follows ...')
for (const [ci, acct] of creators.entries()) {
  for (const f of sample(crowd, CREATORS[ci].followers)) await follow(f, acct)
}
// creators follow creator #0 and a couple of crowd members (the bot follows nobody)
for (const [ci, acct] of creators.entries()) {
  if (CREATORS[ci].bot) continue
  if (ci !== 0) await follow(acct, creators[0])
  for (const k of [ci, ci + 7].slice(0, 1 + (ci % 2))) await follow(acct, crowd[k % crowd.length])
}
// crowd members follow each other a bit
for (const [j, acct] of crowd.entries()) {
  await follow(acct, crowd[(j + 1) % crowd.length])
  if (j % 3 === 0) await follow(acct, crowd[(j + 5) % crowd.length])
  if (j % 4 === 0) await follow(acct, crowd[(j + 11) % crowd.length])
}

log('seeding likes, reposts, replies, quotes ...')
const creatorPosts = [...posts.values()].filter((p) => accounts.get(p.author).kind === 'creator')
const byAuthor = (did) => accounts.get(did)
for (const [pi, p] of creatorPosts.entries()) {
  // the last post of the list stays without any engagement
  if (pi === creatorPosts.length - 1) continue
  for (const a of sample(crowd, randInt(0, 12))) await like(a, p)
  for (const a of sample(crowd, randInt(0, 4))) await repost(a, p)
  if (rand() < 0.6) {
    for (const a of sample(crowd, randInt(1, 3))) {
      await post(a, REPLY_TEXTS[randInt(0, REPLY_TEXTS.length - 1)], { reply: { root: p, parent: p } })
    }
  }
}
// nested threads: crowd A replies, crowd B replies to A, the creator answers B
for (const [ci, pi] of [[0, 0], [1, 0], [2, 1]]) {
  const root = creatorPosts.filter((p) => p.author === creators[ci].did)[pi]
  const [a, b] = sample(crowd, 2)
  const r1 = await post(a, REPLY_TEXTS[randInt(0, REPLY_TEXTS.length - 1)], { reply: { root, parent: root } })
  const r2 = await post(b, NESTED_REPLY_TEXTS[ci % NESTED_REPLY_TEXTS.length], { reply: { root, parent: r1 } })
  await like(creators[ci], r1)
  if (ci === 0) await post(creators[ci], CREATOR_ANSWER, { reply: { root, parent: r2 } })
}
// quote posts
for (const [qi, ci] of [0, 2, 7].entries()) {
  const target = creatorPosts.filter((p) => p.author === creators[ci].did)[1]
  await post(crowd[(qi * 5 + 3) % crowd.length], QUOTE_TEXTS[qi], { quote: target })
}
log(`seeded ${accounts.size} accounts, ${posts.size} posts, ${follows.length} follows, ${likes.length} likes, ${reposts.length} reposts in ${((Date.now() - seedStarted) / 1000).toFixed(1)}s`)

// ---------------------------------------------------------------------------
// 7. Let the AppView index everything.
// ---------------------------------------------------------------------------
await network.processAll()
log('appview caught up')

// ---------------------------------------------------------------------------
// 8. Truth computed from the ledger.
// ---------------------------------------------------------------------------
const count = (arr, pred) => arr.reduce((n, x) => n + (pred(x) ? 1 : 0), 0)
const allPosts = [...posts.values()]
const followersCount = (did) => count(follows, (f) => f.subj === did)
const followsCount = (did) => count(follows, (f) => f.src === did)
const postsCount = (did) => count(allPosts, (p) => p.author === did)
const postCounts = (uri) => ({
  likeCount: count(likes, (l) => l.subject === uri),
  repostCount: count(reposts, (r) => r.subject === uri),
  replyCount: count(allPosts, (p) => p.replyParent === uri),
  quoteCount: count(allPosts, (p) => p.quoteOf === uri),
})
const actorCounts = (did) => ({
  followersCount: followersCount(did),
  followsCount: followsCount(did),
  postsCount: postsCount(did),
})

const truthCreators = creators.map((acct) => {
  const own = allPosts.filter((p) => p.author === acct.did && !p.replyParent && !p.quoteOf)
  const rootUris = new Set(own.map((p) => p.uri))
  const followerDids = [...new Set(follows.filter((f) => f.subj === acct.did).map((f) => f.src))]
  return {
    did: acct.did,
    handle: acct.handle,
    displayName: acct.displayName,
    description: acct.description,
    ...actorCounts(acct.did),
    opted_out: !!acct.spec.optedOut,
    bot: !!acct.spec.bot,
    labels: acct.selfLabels,
    posts: own.map((p) => ({
      uri: p.uri,
      cid: p.cid,
      text: p.text,
      full_text: p.fullText,
      links: p.links,
      createdAt: p.createdAt,
      tags: p.tags,
      ...postCounts(p.uri),
      langs: p.record.langs,
      facets: p.record.facets ?? [],
      record_tags: p.record.tags ?? [],
    })),
    replies: allPosts
      .filter((p) => p.replyRoot && rootUris.has(p.replyRoot))
      .map((p) => ({
        uri: p.uri,
        parent_uri: p.replyParent,
        root_uri: p.replyRoot,
        author_did: p.author,
        author_handle: byAuthor(p.author).handle,
        text: p.text,
        createdAt: p.createdAt,
      })),
    followers: followerDids.map((did) => ({ did, handle: byAuthor(did).handle, ...actorCounts(did) })),
  }
})

// ---------------------------------------------------------------------------
// 9. Cross-check the truth against the AppView; any difference is fatal.
// ---------------------------------------------------------------------------
const problems = []
// canonical JSON (sorted keys): the AppView returns records in DAG-CBOR key order
const canon = (x) =>
  Array.isArray(x)
    ? x.map(canon)
    : x && typeof x === 'object'
      ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, canon(x[k])]))
      : x
const expectEq = (what, got, want) => {
  const g = JSON.stringify(canon(got))
  const w = JSON.stringify(canon(want))
  if (g !== w) problems.push(`${what}: appview says ${g}, seeded ${w}`)
}
const sortedStr = (a) => [...a].sort()

// profiles (creators, their followers, the crawler), public AppView calls, no token
const profileDids = [...new Set([...creators.map((c) => c.did), ...truthCreators.flatMap((c) => c.followers.map((f) => f.did)), crawler.did])]
const profiles = new Map()
for (let i = 0; i < profileDids.length; i += 25) {
  const res = await call(APPVIEW, 'app.bsky.actor.getProfiles', { params: { actors: profileDids.slice(i, i + 25) } })
  for (const p of res.profiles) profiles.set(p.did, p)
}
for (const did of profileDids) {
  const p = profiles.get(did)
  const acct = accounts.get(did)
  if (!p) {
    problems.push(`getProfiles: ${acct.handle} missing`)
    continue
  }
  const want = actorCounts(did)
  for (const k of ['followersCount', 'followsCount', 'postsCount']) expectEq(`${acct.handle} ${k}`, p[k], want[k])
  expectEq(`${acct.handle} handle`, p.handle, acct.handle)
  expectEq(`${acct.handle} displayName`, p.displayName, acct.displayName)
  expectEq(`${acct.handle} description`, p.description, acct.description)
  expectEq(`${acct.handle} labels`, sortedStr((p.labels ?? []).map((l) => l.val)), sortedStr(acct.selfLabels ?? []))
}

for (const c of truthCreators) {
  // getAuthorFeed: the creator's own top-level posts with their counts
  const feed = await paginate(APPVIEW, 'app.bsky.feed.getAuthorFeed', { actor: c.did, filter: 'posts_no_replies', limit: 100 }, 'feed')
  const feedPosts = feed.filter((it) => !it.reason).map((it) => it.post)
  expectEq(`${c.handle} getAuthorFeed uris`, sortedStr(feedPosts.map((p) => p.uri)), sortedStr(c.posts.map((p) => p.uri)))
  for (const fp of feedPosts) {
    const tp = c.posts.find((p) => p.uri === fp.uri)
    if (!tp) continue
    const seeded = posts.get(fp.uri).record
    expectEq(`${fp.uri} cid`, fp.cid, tp.cid)
    expectEq(`${fp.uri} record`, fp.record, seeded)
    for (const k of ['likeCount', 'repostCount', 'replyCount', 'quoteCount']) expectEq(`${fp.uri} ${k}`, fp[k], tp[k])
  }
  // getFollowers
  const followers = await paginate(APPVIEW, 'app.bsky.graph.getFollowers', { actor: c.did, limit: 100 }, 'followers')
  expectEq(`${c.handle} getFollowers`, sortedStr(followers.map((f) => f.did)), sortedStr(c.followers.map((f) => f.did)))
  // getPostThread: every reply at any depth
  for (const p of c.posts) {
    const res = await call(APPVIEW, 'app.bsky.feed.getPostThread', { params: { uri: p.uri, depth: 20 } })
    const seen = []
    const walk = (node) => {
      for (const r of node.replies ?? []) {
        if (r.post) seen.push(r.post.uri)
        walk(r)
      }
    }
    walk(res.thread)
    expectEq(`${p.uri} thread replies`, sortedStr(seen), sortedStr(c.replies.filter((r) => r.root_uri === p.uri).map((r) => r.uri)))
  }
}

// searchPosts through the PDS (service proxying), logged in with the app password
const session = await call(PDS, 'com.atproto.server.createSession', {
  body: { identifier: crawler.handle, password: appPassword.password },
})
const proxyHeaders = { 'atproto-proxy': `${APPVIEW_DID}#bsky_appview` }
const expectedSearch = sortedStr(truthCreators.flatMap((c) => c.posts.map((p) => p.uri)))
const searchVia = async (base, params, opts) => {
  const out = []
  let cursor
  for (let page = 0; page < 100; page++) {
    const r = await xrpc(base, 'app.bsky.feed.searchPosts', { ...opts, params: { ...params, cursor } })
    if (!r.ok) return { status: r.status, error: r.json?.error ?? null, message: r.json?.message ?? r.text.slice(0, 200), uris: out, pages: page }
    out.push(...r.json.posts.map((p) => p.uri))
    if (!r.json.cursor || r.json.posts.length === 0) return { status: r.status, uris: out, pages: page + 1 }
    cursor = r.json.cursor
  }
  return { status: 'too many pages', uris: out }
}
const viaProxy = await searchVia(PDS, { q: `#${HASHTAG}`, sort: 'latest', limit: 100 }, { token: session.accessJwt, headers: proxyHeaders })
expectEq('searchPosts via PDS proxy (q=#zerowaste)', sortedStr(viaProxy.uris), expectedSearch)
const viaProxyPaged = await searchVia(PDS, { q: `#${HASHTAG}`, sort: 'latest', limit: 7 }, { token: session.accessJwt, headers: proxyHeaders })
expectEq('searchPosts via PDS proxy paged by 7', sortedStr(viaProxyPaged.uris), expectedSearch)
const summarize = (r) => ({ status: r.status, error: r.error ?? null, message: r.message ?? null, results: r.uris.length, pages: r.pages ?? null })
const checks = {
  search_via_pds_proxy: { ...summarize(viaProxy), header: `atproto-proxy: ${APPVIEW_DID}#bsky_appview`, matches_seeded: JSON.stringify(sortedStr(viaProxy.uris)) === JSON.stringify(expectedSearch) },
  search_via_pds_proxy_limit7: summarize(viaProxyPaged),
  search_appview_direct_with_pds_token: summarize(await searchVia(APPVIEW, { q: `#${HASHTAG}`, limit: 100 }, { token: session.accessJwt })),
  search_appview_direct_no_token: summarize(await searchVia(APPVIEW, { q: `#${HASHTAG}`, limit: 100 })),
  search_q_without_hash: summarize(await searchVia(PDS, { q: HASHTAG, limit: 100 }, { token: session.accessJwt, headers: proxyHeaders })),
  search_q_mixed_case: summarize(await searchVia(PDS, { q: '#ZeroWaste', limit: 100 }, { token: session.accessJwt, headers: proxyHeaders })),
  search_tag_param_only: summarize(await searchVia(PDS, { q: '*', tag: HASHTAG, limit: 100 }, { token: session.accessJwt, headers: proxyHeaders })),
}
// service-auth token (com.atproto.server.getServiceAuth) straight to the AppView
const sa = await xrpc(PDS, 'com.atproto.server.getServiceAuth', {
  token: session.accessJwt,
  params: { aud: APPVIEW_DID, lxm: 'app.bsky.feed.searchPosts' },
})
checks.search_appview_direct_with_service_auth = sa.ok
  ? summarize(await searchVia(APPVIEW, { q: `#${HASHTAG}`, limit: 100 }, { token: sa.json.token }))
  : { status: sa.status, error: sa.json?.error ?? null, message: sa.json?.message ?? null, results: 0, step: 'getServiceAuth' }
if (viaProxy.status !== 200) problems.push(`searchPosts via PDS proxy failed: ${JSON.stringify(summarize(viaProxy))}`)

if (problems.length) {
  console.error(`CROSS-CHECK FAILED: the AppView disagrees with the seeded data in ${problems.length} place(s):`)
  for (const p of problems) console.error('  - ' + p)
  await shutdown('cross-check failed', 1)
}
log('cross-check against the appview passed')
for (const [k, v] of Object.entries(checks)) log(`check ${k}: ${JSON.stringify(v)}`)

// ---------------------------------------------------------------------------
// 9b. Edge cases, on accounts of their own (after the cross-check: nothing above
// changes). Crawled by --handle (their posts carry no #zerowaste):
// - edge-extras.test: no profile record; a text post, a post with an image and no
//   text (its tag only in record.tags), a quote post, a post it deleted, a repost of
//   its own post and of a crowd post; below its first post a reply that was deleted
//   (with a reply to it, now orphaned), a reply by an account that then blocked it
//   (hidden from the thread, still in replyCount), a reply by an account with the
//   `!no-unauthenticated` self-label, and one ordinary reply.
// - edge-invalid.test: its DID document names a handle that does not point back
//   (a PLC operation by the PDS's rotation key), so the AppView shows "handle.invalid",
//   as bsky.app does for a handle that no longer verifies; it follows edge-extras and
//   replies under its first post.
// - edge-gone.test: follows edge-extras, then taken down by the PDS's admin.
// ---------------------------------------------------------------------------
log('seeding edge cases ...')
const edgeNow = () => new Date().toISOString()
const extras = await createAccount('edge-extras', { kind: 'edge' })
const invalid = await createAccount('edge-invalid', { kind: 'edge' })
const gone = await createAccount('edge-gone', { kind: 'edge' })
const deleter = await createAccount('edge-deleter', { kind: 'edge' })
const orphan = await createAccount('edge-orphan', { kind: 'edge' })
const blocker = await createAccount('edge-blocker', { kind: 'edge' })
const shy = await createAccount('edge-shy', { kind: 'edge' })
await putProfile(invalid, { displayName: 'Handle gone bad', description: 'My handle no longer verifies.' })
await putProfile(shy, { displayName: 'Shy', description: 'Logged-out users should not see me.', selfLabels: ['!no-unauthenticated'] })
const edgePost = async (acct, record) =>
  createRecord(acct, 'app.bsky.feed.post', { createdAt: edgeNow(), langs: ['en'], ...record })
const mendFacet = (text) => hashtagFacets(text)
const firstText = 'Mending night at the library #mendlab'
const first = await edgePost(extras, { text: firstText, facets: mendFacet(firstText) })
const upload = await fetch(new URL('/xrpc/com.atproto.repo.uploadBlob', PDS), {
  method: 'POST',
  headers: { authorization: `Bearer ${extras.token}`, 'content-type': 'image/png' },
  // a 1x1 PNG
  body: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC', 'base64'),
})
if (!upload.ok) throw new Error(`uploadBlob: HTTP ${upload.status} ${await upload.text()}`)
const { blob } = await upload.json()
const imageOnly = await edgePost(extras, {
  text: '', tags: ['mendlab'], embed: { $type: 'app.bsky.embed.images', images: [{ image: blob, alt: 'a darned sock' }] },
})
const crowdPost = [...posts.values()].find((p) => accounts.get(p.author).kind === 'crowd' && !p.replyParent && !p.quoteOf)
const quoteText = 'This is how we started #mendlab'
const quote = await edgePost(extras, {
  text: quoteText, facets: mendFacet(quoteText), embed: { $type: 'app.bsky.embed.record', record: { uri: crowdPost.uri, cid: crowdPost.cid } },
})
const deleted = await edgePost(extras, { text: 'Posted by mistake #mendlab' })
const rkeyOf = (uri) => uri.split('/').pop()
await call(PDS, 'com.atproto.repo.deleteRecord', { token: extras.token, body: { repo: extras.did, collection: 'app.bsky.feed.post', rkey: rkeyOf(deleted.uri) } })
for (const subject of [first, crowdPost]) {
  await createRecord(extras, 'app.bsky.feed.repost', { subject: { uri: subject.uri, cid: subject.cid }, createdAt: edgeNow() })
}
const firstRef = { uri: first.uri, cid: first.cid }
const replyTo = (parent) => ({ root: firstRef, parent: { uri: parent.uri, cid: parent.cid } })
const gonePost = await edgePost(deleter, { text: 'I will delete this reply.', reply: replyTo(first) })
const orphaned = await edgePost(orphan, { text: 'Replying to a reply that is gone.', reply: replyTo(gonePost) })
await call(PDS, 'com.atproto.repo.deleteRecord', { token: deleter.token, body: { repo: deleter.did, collection: 'app.bsky.feed.post', rkey: rkeyOf(gonePost.uri) } })
const blockedReply = await edgePost(blocker, { text: 'Nice, but I am blocking you now.', reply: replyTo(first) })
await createRecord(blocker, 'app.bsky.graph.block', { subject: extras.did, createdAt: edgeNow() })
const shyReply = await edgePost(shy, { text: 'Quietly agreeing.', reply: replyTo(first) })
const invalidReply = await edgePost(invalid, { text: 'Great evening, thanks!', reply: replyTo(first) })
for (const f of [invalid, gone]) await createRecord(f, 'app.bsky.graph.follow', { subject: extras.did, createdAt: edgeNow() })
// edge-invalid: its DID document now says a handle that nobody serves
const { Client: PlcClient } = requireFromCache('@did-plc/lib')
await new PlcClient(PLC).updateHandle(invalid.did, network.pds.ctx.plcRotationKey, 'edge-invalid-elsewhere.test')
await network.pds.ctx.sequencer.sequenceIdentity(invalid.did)
// edge-gone: taken down by the PDS's admin
await call(PDS, 'com.atproto.admin.updateSubjectStatus', {
  headers: { authorization: `Basic ${Buffer.from('admin:admin-pass').toString('base64')}` },
  body: { subject: { $type: 'com.atproto.admin.defs#repoRef', did: gone.did }, takedown: { applied: true, ref: 'microscout-edge' } },
})
await network.processAll()
const edgeProblems = []
const invalidView = await call(APPVIEW, 'app.bsky.actor.getProfile', { params: { actor: invalid.did } })
if (invalidView.handle !== 'handle.invalid') edgeProblems.push(`edge-invalid: handle ${invalidView.handle}, not handle.invalid`)
const goneView = await xrpc(APPVIEW, 'app.bsky.actor.getProfile', { params: { actor: gone.did } })
if (goneView.status !== 400 || goneView.json?.error !== 'AccountTakedown') edgeProblems.push(`edge-gone: getProfile ${goneView.status} ${goneView.text.slice(0, 200)}`)
const edgeThread = await call(APPVIEW, 'app.bsky.feed.getPostThread', { params: { uri: first.uri, depth: 20 } })
const threadUris = (edgeThread.thread.replies ?? []).map((r) => r.post?.uri).filter(Boolean).sort()
const wantThread = [shyReply.uri, invalidReply.uri].sort()
if (JSON.stringify(threadUris) !== JSON.stringify(wantThread)) edgeProblems.push(`edge thread replies ${JSON.stringify(threadUris)}, expected ${JSON.stringify(wantThread)}`)
if (edgeProblems.length) {
  console.error('EDGE CASES NOT AS EXPECTED:')
  for (const p of edgeProblems) console.error('  - ' + p)
  await shutdown('edge cases', 1)
}
const edge = {
  extras: {
    did: extras.did, handle: extras.handle,
    posts: { text: first.uri, image_only: imageOnly.uri, quote: quote.uri },
    deleted_post: deleted.uri,
    reposted: [first.uri, crowdPost.uri],
    replies: { shown: invalidReply.uri, opted_out: shyReply.uri, blocked: blockedReply.uri, deleted: gonePost.uri, orphaned: orphaned.uri },
    reply_count: 3, // the ordinary, the opted-out and the blocked reply (the deleted one no more)
    followers: [invalid.did, gone.did],
  },
  invalid: { did: invalid.did, handle_on_pds: invalid.handle, did_doc_handle: 'edge-invalid-elsewhere.test', displayName: 'Handle gone bad' },
  gone: { did: gone.did, handle: gone.handle },
  shy: { did: shy.did },
}
log('edge cases seeded and checked')

// ---------------------------------------------------------------------------
// 10. network.json
// ---------------------------------------------------------------------------
const pidFile = path.join(stateDir, 'pids')
const pids = fs.existsSync(pidFile)
  ? fs.readFileSync(pidFile, 'utf8').split(/\s+/).filter(Boolean).map(Number)
  : []
if (!pids.includes(process.pid)) pids.push(process.pid)

const out = {
  pds: PDS,
  appview: APPVIEW,
  plc: PLC,
  appview_did: APPVIEW_DID,
  crawler: { handle: crawler.handle, app_password: appPassword.password, did: crawler.did },
  hashtag: HASHTAG,
  creators: truthCreators,
  pids,
  ozone: network.ozone?.port ? `http://${LOOPBACK}:${network.ozone.port}` : null,
  checks,
  edge,
  seeded: {
    accounts: accounts.size,
    posts: posts.size,
    follows: follows.length,
    likes: likes.length,
    reposts: reposts.length,
  },
  started_at: new Date(started).toISOString(),
  ready_at: new Date().toISOString(),
  expires_at: new Date(started + lifetime * 1000).toISOString(),
  versions: {
    node: process.version,
    '@atproto/dev-env': JSON.parse(fs.readFileSync(path.join(nodeModules, '@atproto/dev-env/package.json'), 'utf8')).version,
    '@atproto/pds': JSON.parse(fs.readFileSync(path.join(nodeModules, '@atproto/pds/package.json'), 'utf8')).version,
    '@atproto/bsky': JSON.parse(fs.readFileSync(path.join(nodeModules, '@atproto/bsky/package.json'), 'utf8')).version,
  },
}
const tmp = path.join(stateDir, `.network.json.${process.pid}`)
fs.writeFileSync(tmp, JSON.stringify(out, null, 2) + '\n', { mode: 0o600 })
fs.renameSync(tmp, path.join(stateDir, 'network.json'))
log(`READY in ${((Date.now() - started) / 1000).toFixed(1)}s: ${path.join(stateDir, 'network.json')} (stops by itself in ${lifetime}s)`)
void lifetimeTimer
