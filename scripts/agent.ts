// signature recovery and keccak256 in WebAssembly in this process (src/core/wasmCrypto.ts)
import '../src/core/wasmCrypto.ts'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import WebSocket from 'ws'
import { HeadlessParticipant } from '../src/agent/participant.ts'
import { runAgent } from '../src/agent/runAgent.ts'
import type { Role } from '../src/agent/strategy.ts'
import { fromHex, type Hex } from '../src/core/bytes.ts'
import { decodeInvite } from '../src/core/invite.ts'
import { parsePrunePolicy } from '../src/core/snapshot/prunePolicy.ts'
import { parseCli } from './cli.ts'

/**
 * `npm run agent -- --invite LINK --key FILE --role trader|market-maker|liquidator [--rate N] [--json]`: a channel
 * participant without a browser, on the app's core, sync and store code, over the relay (Node has no WebRTC).
 * It authorises a session key with the wallet key in FILE, waits for every participant, attests on-chain deposits
 * (--rpc), trades, and on Ctrl-C (or after --seconds) stops submitting, waits until what it knows is final, and
 * exits. Progress goes to stdout about once a second; --json prints a summary as the last line.
 *
 * Options: --relay URL (repeatable; default ws://127.0.0.1:4445), --rpc URL (default http://127.0.0.1:8545,
 * 'none' to skip chain reads), --data DIR (session key and own blocks; default .chx-agent), --seconds T,
 * --seed N, --price P (start price in ticks while the book is empty; default 2000). Role `transfers` sends one base
 * unit of token 0 to the next participant per op (benchmark load); `--rate max` submits as fast as the batch takes.
 * Benchmarks: --start-file FILE waits for FILE and starts submitting at the epoch ms it holds; --measure FILE adds
 * sync / finality percentiles and CPU per op to the summary and writes the samples to FILE (LatencyProbe).
 * --prune '{"everyCheckpoints":K,"minBlocks":N}' overrides when it prunes (the app's policy by default; needs --rpc).
 */
const USAGE =
  'usage: npm run agent -- --invite LINK --key FILE [--role trader|market-maker|liquidator|transfers] [--rate N|max] [--relay URL]… [--rpc URL|none] [--data DIR] [--seconds T] [--seed N] [--price P] [--prune JSON] [--start-file FILE] [--measure FILE] [--json]'
const values = parseCli(USAGE, {
  invite: { type: 'string' },
  key: { type: 'string' },
  role: { type: 'string', default: 'trader' },
  rate: { type: 'string' },
  json: { type: 'boolean', default: false },
  relay: { type: 'string', multiple: true },
  rpc: { type: 'string', default: 'http://127.0.0.1:8545' },
  data: { type: 'string', default: '.chx-agent' },
  seconds: { type: 'string' },
  seed: { type: 'string', default: '1' },
  price: { type: 'string', default: '2000' },
  'start-file': { type: 'string' },
  measure: { type: 'string' },
  prune: { type: 'string' },
  drain: { type: 'string' },
})

function fail(message: string): never {
  console.error(`agent: ${message}`)
  process.exit(2)
}

if (!values.invite) fail('--invite LINK is required (the link the app shows, or its invite part)')
if (!values.key) fail('--key FILE is required (a file holding the wallet private key, hex)')
const role = values.role as Role
if (!['trader', 'market-maker', 'liquidator', 'transfers'].includes(role))
  fail(`--role must be trader, market-maker, liquidator or transfers, not ${values.role}`)
const rate =
  values.rate === 'max'
    ? Number.POSITIVE_INFINITY
    : Number(values.rate ?? (role === 'trader' || role === 'transfers' ? 5 : role === 'liquidator' ? 10 : 2))
if (!(rate > 0)) fail('--rate must be a positive number or max')
const inviteText = values.invite.includes('/join/') ? values.invite.split('/join/')[1]! : values.invite
let keyText: string
try {
  keyText = readFileSync(values.key, 'utf8').trim()
} catch (e) {
  fail(`cannot read --key ${values.key}: ${e instanceof Error ? e.message : e}`)
}
const walletKey = fromHex((keyText.startsWith('0x') ? keyText : `0x${keyText}`) as Hex, 32)

/** Waits until FILE exists, then until the epoch ms it holds: every participant of a benchmark starts at once. */
function startFile(file: string) {
  return async (signal: AbortSignal) => {
    while (!existsSync(file)) {
      if (signal.aborted) return
      await new Promise((r) => setTimeout(r, 100))
    }
    const at = Number(readFileSync(file, 'utf8').trim())
    if (Number.isFinite(at) && at > Date.now()) await new Promise((r) => setTimeout(r, at - Date.now()))
  }
}

const participant = new HeadlessParticipant({
  invite: decodeInvite(decodeURIComponent(inviteText)),
  walletKey,
  relay: values.relay ?? ['ws://127.0.0.1:4445'],
  dataDir: values.data,
  ...(values.rpc !== 'none' ? { rpcUrl: values.rpc } : {}),
  ...(values.prune ? { prune: parsePrunePolicy(values.prune) } : {}),
  WebSocket,
})
const stop = new AbortController()
let interrupts = 0
const onSignal = () => {
  interrupts++
  if (interrupts > 1) process.exit(130)
  console.log(
    'stopping: no new ops; waiting until what this participant knows is final (Ctrl-C again to quit)',
  )
  stop.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
console.log(
  `participant ${participant.meIndex} (${participant.me}) as ${role}, ${rate}/s, relay ${participant.relays.map((r) => r.url).join(' ')}`,
)
try {
  const summary = await runAgent({
    participant,
    role,
    rate,
    seed: Number(values.seed),
    startPrice: BigInt(values.price),
    ...(values.seconds ? { seconds: Number(values.seconds) } : {}),
    // after submitting: at most this long waiting until what it knows is final (a large channel needs longer)
    ...(values.drain ? { drainMs: Number(values.drain) * 1000 } : {}),
    signal: stop.signal,
    progress: (line) => console.log(line),
    ...(values['start-file'] ? { waitStart: startFile(values['start-file']) } : {}),
    measure: values.measure !== undefined,
  })
  if (values.measure && summary.measurement) {
    // the samples go to the file; the summary keeps the percentiles
    writeFileSync(values.measure, JSON.stringify(summary.measurement.report))
    const { report: _, ...rest } = summary.measurement
    Object.assign(summary, { measurement: rest })
  }
  await participant.stop().catch((e: unknown) => console.error(`agent: while leaving: ${e}`))
  if (values.json) console.log(JSON.stringify(summary))
  process.exit(0)
} catch (e) {
  await participant.stop().catch(() => {})
  fail(e instanceof Error ? e.message : String(e))
}
