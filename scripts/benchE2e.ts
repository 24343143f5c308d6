import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs'
import { loadavg, setPriority, tmpdir } from 'node:os'
import { join } from 'node:path'
import { type Browser, chromium, type Page } from '@playwright/test'
import { createWalletClient, http, toHex } from 'viem'
import { foundry } from 'viem/chains'
import { chromiumPath } from '../e2e/support/chromium.ts'
import { hostInfo } from '../e2e/support/hostInfo.ts'
import { depositFromAccounts, mixedChannel } from '../e2e/support/mixed.ts'
import { startPreviewApp } from '../e2e/support/previewApp.ts'
import {
  freePort,
  recordPort,
  startRelayProcess,
  startSignalingProcess,
  stopAllTracked,
  waitFor,
} from '../e2e/support/processes.ts'
import type { Target, Trader } from '../e2e/support/trader.ts'
import { type AgentProcess, spawnAgent } from '../src/agent/agentProcess.ts'
import { openWhenAuthorised } from '../src/agent/openForAgents.ts'
import type { AgentSummary } from '../src/agent/runAgent.ts'
import { devAccounts } from '../src/chain/devAccounts.ts'
import { startAnvil } from '../src/chain/node/startAnvil.ts'
import { encodeInvite, type Invite } from '../src/core/invite.ts'
import { OpTag } from '../src/core/ops.ts'
import { defaultQuorum } from '../src/core/quorum.ts'
import { type LatencyReport, percentile } from '../src/store/latencyProbe.ts'
import { buildAgentBundle } from './agentBundle.ts'
import { parseCli, usageError } from './cli.ts'
import { deployLocal } from './deployLocal.ts'

/**
 * `npm run bench:e2e -- --participants N [--browsers B] --seconds T [--rate R] [--json] [--cpu-prof DIR]`: the whole path —
 * sign, persist, transport, validate, fold, finalize — across N participants on this machine: B browser tabs
 * (Chromium contexts driven by Playwright: WebRTC and the relay) and N − B headless agents (`npm run agent`
 * processes: the relay). Loopback only; anvil, the contracts, the signaling server and the relay are started the
 * way the browser suites start them (e2e/support). Everyone deposits token 0, then at one instant every participant
 * starts submitting 1-unit transfers for T seconds (agents at R ops/s each with --rate, else at full rate; tabs
 * always at full rate); the run ends when every op is final at every participant. The last line is JSON: opsSubmitted, opsPerSecFinal (ops final at every participant / time from the
 * start until they are), sync p50/p95 (a block sealed at its author → joined at another participant), finality
 * p50/p95 (an op submitted → final at its author), cpuPerOpUs per replica (agents: process CPU; tabs: the renderer
 * main thread's task time), rootsMatch and the load average. --cpu-prof DIR profiles the first agent (V8), and with
 * browsers also the first tab's renderer (Chrome DevTools Profiler, start → final everywhere: DIR/tab-0.cpuprofile).
 */
const USAGE =
  'usage: npm run bench:e2e -- --participants N [--browsers B] --seconds T [--rate R|max] [--json] [--cpu-prof DIR]'
const values = parseCli(USAGE, {
  participants: { type: 'string', default: '2' },
  browsers: { type: 'string', default: '0' },
  seconds: { type: 'string', default: '10' },
  rate: { type: 'string', default: 'max' },
  json: { type: 'boolean', default: false },
  'cpu-prof': { type: 'string' },
})
const N = Number(values.participants)
const B = Number(values.browsers)
const T = Number(values.seconds)
if (!(Number.isInteger(N) && N >= 2)) usageError(USAGE, '--participants must be an integer ≥ 2')
if (!(Number.isInteger(B) && B >= 0 && B <= N && B <= 9))
  usageError(USAGE, '--browsers must be 0 … min(N, 9)')
if (!(T > 0)) usageError(USAGE, '--seconds must be > 0')
const rate = values.rate === 'max' ? 'max' : Number(values.rate)
if (rate !== 'max' && !(rate > 0)) usageError(USAGE, "--rate must be 'max' or ops per second > 0 per agent")
/**
 * Agents run at a lower CPU priority than anvil, the relay and this script: N replicas validating everything can
 * keep 2 cores busy, and a starved node times out their deposits and chain reads ('The request took too long').
 */
function yieldToStack(a: AgentProcess): void {
  try {
    if (a.child.pid !== undefined) setPriority(a.child.pid, 10)
  } catch {
    // not permitted here: the run goes on at equal priority
  }
}
const log = (line: string) => console.log(`[bench:e2e ${new Date().toISOString().slice(11, 19)}] ${line}`)

const runDir = mkdtempSync(join(tmpdir(), 'chx-bench-e2e-'))
process.env.E2E_RUN_DIR = runDir
const dataDir = join(runDir, 'agents')
mkdirSync(dataDir)
const load0 = loadavg()
let browser: Browser | undefined
const agents: AgentProcess[] = []
try {
  // the stack, as e2e/support/globalSetup.ts starts it; accounts 1 … N are the participants
  const accounts = Array.from({ length: N }, (_, i) => i + 1)
  const anvil = await startAnvil({ port: 0, args: ['--accounts', String(N + 1)] })
  appendFileSync(join(runDir, 'pids'), `${anvil.process.pid} anvil\n`)
  recordPort(anvil.port, 'anvil')
  const keys = devAccounts(N + 1)
  const d = await deployLocal({ rpcUrl: anvil.rpcUrl, fund: keys.map((k) => k.address) })
  const target: Target = { app: '', rpc: anvil.rpcUrl, chainId: d.chainId }
  const relayPort = await freePort()
  startRelayProcess(relayPort)
  await waitFor(`http://127.0.0.1:${relayPort}`, 15_000)
  const relayUrl = `ws://127.0.0.1:${relayPort}`
  const startFile = join(runDir, 'start')
  const agentBundle = N - B > 0 ? await buildAgentBundle() : undefined
  const agentArgs = (i: number) => [
    '--role',
    'transfers',
    '--rate',
    String(rate),
    '--seconds',
    String(T),
    '--start-file',
    startFile,
    '--measure',
    join(runDir, `probe-${i}.json`),
    '--seed',
    String(i + 1),
    '--json',
    '--drain',
    String(Math.max(30, 4 * N)),
  ]
  const profileFirst = (i: number) =>
    i === 0 && values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof']] : []
  let traders: Trader[] = []
  let channelId: `0x${string}`
  if (B > 0) {
    const signalingPort = await freePort()
    startSignalingProcess(signalingPort)
    await waitFor(`http://127.0.0.1:${signalingPort}`, 15_000)
    log('building the app')
    const { appUrl } = await startPreviewApp({
      runDir,
      rpcUrl: anvil.rpcUrl,
      wsUrl: anvil.wsUrl,
      deployment: d,
      signalingPort,
      relayPort,
    })
    target.app = appUrl
    browser = await chromium.launch({
      ...(chromiumPath() ? { executablePath: chromiumPath() } : {}),
      args: ['--allow-loopback-in-peer-connection'],
    })
    log(`opening a channel of ${B} browser tabs and ${N - B} agents`)
    const mixed = await mixedChannel({
      browser,
      browserAccounts: accounts.slice(0, B),
      agentAccounts: accounts.slice(B),
      agentArgs: (i) => agentArgs(i),
      ...(agentBundle ? { agentBundle } : {}),
      relayUrl,
      dataDir,
      target,
    })
    traders = mixed.traders
    agents.push(...mixed.agents)
    for (const a of mixed.agents) yieldToStack(a)
    channelId = mixed.channelId
  } else {
    const draft = {
      chainId: BigInt(d.chainId),
      verifyingContract: d.settlement,
      nonce: BigInt(Date.now()),
      threshold: defaultQuorum(N),
      tokens: [d.base.address, d.quote.address],
      markets: [{ base: 0, quote: 1, tickSize: 1n, lotSize: 10n ** 15n }],
      params: {
        minStake: 0n,
        disputeWindow: 3600n,
        maxLeverage: 1,
        makerFeeBps: 2n,
        takerFeeBps: 5n,
        feeRecipient: 0,
        maxOpenOrders: 100,
      },
      participants: accounts.map((a) => ({ address: keys[a]!.address, role: 0 as const })),
    }
    const invite: Invite = { draft, secret: crypto.getRandomValues(new Uint8Array(32)) }
    const link = `http://127.0.0.1/#/join/${encodeInvite(invite)}`
    log(`starting ${N} agents`)
    accounts.forEach((a, i) => {
      const keyFile = join(dataDir, `wallet-${a}.key`)
      writeFileSync(keyFile, toHex(keys[a]!.getHdKey().privateKey!), { mode: 0o600 })
      agents.push(
        spawnAgent({
          nodeArgs: profileFirst(i),
          ...(agentBundle ? { bundle: agentBundle } : {}),
          args: [
            '--invite',
            link,
            '--key',
            keyFile,
            '--relay',
            relayUrl,
            '--rpc',
            anvil.rpcUrl,
            '--data',
            dataDir,
            ...agentArgs(i),
          ],
        }),
      )
      yieldToStack(agents[agents.length - 1]!)
    })
    const chain = { ...foundry, id: d.chainId, rpcUrls: { default: { http: [anvil.rpcUrl] } } }
    // a 100-participant open is ~8 M gas: anvil estimates it slowly on a busy machine
    const opener = createWalletClient({
      account: keys[accounts[0]!]!,
      chain,
      transport: http(anvil.rpcUrl, { timeout: 120_000 }),
    })
    channelId = (await openWhenAuthorised({ invite, relayUrl, opener, timeoutMs: 60_000 + N * 3_000 }))
      .channelId
  }
  log('depositing')
  await depositFromAccounts({
    accounts,
    channelId,
    settlement: d.settlement,
    tokens: [d.base.address],
    amounts: [10n ** 18n],
    target,
  })
  // every participant credited every deposit before the start
  const credited = (a: AgentProcess) => {
    const m = /deposits=(\d+)/.exec([...a.lines].reverse().find((l) => l.includes('deposits=')) ?? '')
    return Number(m?.[1] ?? 0) >= N
  }
  const tabCredited = (p: Page) =>
    p.evaluate(
      (n) =>
        (window as unknown as { __chx: { live: { replica: { state: { depositCount: bigint } } } } }).__chx
          .live.replica.state.depositCount >= BigInt(n),
      N,
    )
  // rounds of a 100-participant channel on this machine take tens of seconds: credits need several
  const end0 = Date.now() + 120_000 + N * 6_000
  while (
    !(agents.every(credited) && (await Promise.all(traders.map((t) => tabCredited(t.page)))).every(Boolean))
  ) {
    if (Date.now() > end0) throw new Error('deposits were not credited everywhere within the time allowed')
    if (agents.some((a) => a.child.exitCode !== null))
      throw new Error(`an agent exited early:\n${agents.map((a) => a.lines.slice(-3).join('\n')).join('\n')}`)
    await new Promise((r) => setTimeout(r, 200))
  }
  log('every deposit credited everywhere')

  // the tabs: a probe and the renderer's task time, then a flood from the start instant for T seconds
  const cdps = await Promise.all(
    traders.map(async (t) => {
      const s = await t.context.newCDPSession(t.page)
      await s.send('Performance.enable')
      return s
    }),
  )
  const taskSeconds = async (i: number) => {
    const { metrics } = await cdps[i]!.send('Performance.getMetrics')
    return metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0
  }
  const startAt = Date.now() + 2_000
  const task0 = await Promise.all(traders.map((_, i) => taskSeconds(i)))
  const profileTab = values['cpu-prof'] !== undefined && cdps.length > 0
  if (profileTab) {
    await cdps[0]!.send('Profiler.enable')
    await cdps[0]!.send('Profiler.start')
  }
  const floods = traders.map((t) =>
    t.page.evaluate(
      async ({ startAt, seconds, tag }) => {
        type Chx = {
          meIndex: number
          live: {
            replica: { state: { P: number } }
            doc: unknown
            session: { submit(op: unknown): { seq: bigint } }
          }
        }
        const w = window as unknown as {
          __chx: Chx
          __chxProbe: new (p: unknown) => { submitted(seq: bigint): void }
          __benchProbe: unknown
        }
        const chx = w.__chx
        await new Promise((r) => setTimeout(r, Math.max(0, startAt - Date.now())))
        const probe = new w.__chxProbe({
          replica: chx.live.replica,
          doc: chx.live.doc,
          me: chx.meIndex,
          tags: [tag],
        })
        w.__benchProbe = probe
        const to = (chx.meIndex + 1) % chx.live.replica.state.P
        let sent = 0
        const end = startAt + seconds * 1000
        while (Date.now() < end) {
          for (let k = 0; k < 4096; k++) {
            try {
              const { seq } = chx.live.session.submit({ tag, to, token: 0, amount: 1n })
              probe.submitted(seq)
              sent++
            } catch {
              break // the batch is full until the next round opens
            }
          }
          await new Promise((r) => setTimeout(r, 1))
        }
        return sent
      },
      { startAt, seconds: T, tag: OpTag.Transfer },
    ),
  )
  writeFileSync(startFile, String(startAt))
  log(
    `start at ${new Date(startAt).toISOString().slice(11, 23)}, ${T} s of transfers at ${rate === 'max' ? 'full rate' : `${rate} ops/s per agent`}`,
  )
  const tabSent = await Promise.all(floods)
  const codes = await Promise.all(agents.map((a) => a.exited))
  const summaries = agents.map((a) => a.summary())
  if (codes.some((c) => c !== 0) || summaries.some((s) => !s?.measurement))
    throw new Error(`an agent failed:\n${agents.map((a) => a.lines.slice(-4).join('\n')).join('\n---\n')}`)
  const opsSubmitted = tabSent.reduce((s, x) => s + x, 0) + summaries.reduce((s, x) => s + x!.opsSubmitted, 0)
  log(`${opsSubmitted} ops submitted; waiting until they are final in every tab`)
  type TabResult = { report: LatencyReport; root: string }
  const tabReport = (p: Page) =>
    p.evaluate(() => {
      const w = window as unknown as {
        __benchProbe: { report(): LatencyReport }
        __chx: { view(): { stateRoot: string } }
      }
      return { report: w.__benchProbe.report(), root: w.__chx.view().stateRoot }
    })
  let tabs: TabResult[] = []
  const end1 = Date.now() + 120_000
  for (;;) {
    tabs = await Promise.all(traders.map((t) => tabReport(t.page)))
    if (tabs.every((x) => x.report.finalOps >= opsSubmitted) || Date.now() > end1) break
    await new Promise((r) => setTimeout(r, 250))
  }
  const task1 = await Promise.all(traders.map((_, i) => taskSeconds(i)))
  if (profileTab) {
    const { profile } = await cdps[0]!.send('Profiler.stop')
    mkdirSync(values['cpu-prof']!, { recursive: true })
    writeFileSync(join(values['cpu-prof']!, 'tab-0.cpuprofile'), JSON.stringify(profile))
  }
  const reports: { kind: 'tab' | 'agent'; report: LatencyReport; root: string; cpuUs: number }[] = [
    ...tabs.map((x, i) => ({
      kind: 'tab' as const,
      report: x.report,
      root: x.root,
      cpuUs: Math.round((task1[i]! - task0[i]!) * 1e6),
    })),
    ...summaries.map((s, i) => ({
      kind: 'agent' as const,
      report: JSON.parse(readFileSync(join(runDir, `probe-${i}.json`), 'utf8')) as LatencyReport,
      root: (s as AgentSummary).stateRoot,
      cpuUs: s!.measurement!.cpuUs,
    })),
  ]
  const sorted = (xs: number[]) => xs.sort((a, b) => a - b)
  const sync = sorted(reports.flatMap((r) => r.report.sync))
  const finality = sorted(reports.flatMap((r) => r.report.finality))
  const opsFinalEverywhere = Math.min(...reports.map((r) => r.report.finalOps))
  const lastFinal = Math.max(...reports.map((r) => r.report.lastFinalAt))
  const round = (x: number) => Math.round(x * 10) / 10
  const result = {
    participants: N,
    browsers: B,
    agents: N - B,
    seconds: T,
    opsSubmitted,
    opsFinalEverywhere,
    opsPerSecFinal: Math.round(opsFinalEverywhere / ((lastFinal - startAt) / 1000)),
    secondsUntilFinal: round((lastFinal - startAt) / 1000),
    syncP50Ms: percentile(sync, 50),
    syncP95Ms: percentile(sync, 95),
    finalityP50Ms: percentile(finality, 50),
    finalityP95Ms: percentile(finality, 95),
    cpuPerOpUs: reports.map((r) => ({
      kind: r.kind,
      us: r.report.finalOps > 0 ? round(r.cpuUs / r.report.finalOps) : 0,
    })),
    rootsMatch: reports.every((r) => r.root === reports[0]!.root),
    loadAverage: { start: load0.map(round), end: loadavg().map(round) },
    host: hostInfo(browser?.version()),
  }
  if (values['cpu-prof'])
    log(`V8 profile of ${B > 0 ? 'tab 0 (tab-0.cpuprofile)' : 'agent 0'} in ${values['cpu-prof']}`)
  if (!values.json) log(JSON.stringify(result, null, 2))
  await browser?.close()
  browser = undefined
  await stopAllTracked()
  rmSync(runDir, { recursive: true, force: true })
  console.log(JSON.stringify(result))
  process.exit(0)
} catch (e) {
  console.error(`bench:e2e: ${e instanceof Error ? e.stack : e}`)
  // what the first agents last said: why they did not authorise, credit or finish
  for (const [i, a] of agents.slice(0, 3).entries())
    console.error(`agent ${i} (exit ${a.child.exitCode}):\n  ${a.lines.slice(-4).join('\n  ')}`)
  for (const a of agents) if (a.child.exitCode === null) a.child.kill('SIGKILL')
  await browser?.close().catch(() => {})
  await stopAllTracked().catch(() => {})
  if (existsSync(runDir)) rmSync(runDir, { recursive: true, force: true })
  process.exit(1)
}
