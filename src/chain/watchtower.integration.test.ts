/**
 * The watchtower against a real anvil: a channel of three core replicas certifies v1, then v2 (in which the
 * would-be cheater, participant 0, has given 500 USDC away). The tower holds v2 in its on-disk store. Participant 0
 * proposes the stale v1 (or exits with it); late in the window (anvil time travel) the tower challenges with v2, the
 * channel finalizes at v2 and participant 0 gets its v2 leaf, not the v1 one. The headless command (scripts/
 * watchtower.ts --once) does the same for the exit. A proposal that is already the newest is logged and left alone;
 * one noticed after the deadline is logged as too late.
 */
import { type ChildProcess, spawn } from 'node:child_process'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Hex, parseEther, parseUnits, toHex, zeroAddress } from 'viem'
import { mnemonicToAccount } from 'viem/accounts'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { checkpointDigest, type SignedCheckpoint } from '../core/checkpoint.ts'
import { OpTag } from '../core/ops.ts'
import { Reject } from '../core/reasons.ts'
import { exitProofs } from '../core/roots.ts'
import { signDigest } from '../core/signature.ts'
import { bondStake } from './actions/bondStake.ts'
import { claimExit } from './actions/claimExit.ts'
import { depositToken } from './actions/depositToken.ts'
import { emergencyExit } from './actions/emergencyExit.ts'
import { finalizeChannel } from './actions/finalizeChannel.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { proposeCheckpoint } from './actions/proposeCheckpoint.ts'
import { ANVIL_MNEMONIC } from './devAccounts.ts'
import { SettlementRevertedError } from './errors.ts'
import {
  attestDeposits,
  type ChainChannel,
  type LocalChain,
  makeChainChannel,
  quiet,
  startLocalChain,
  type TestMember,
  TOKEN,
} from './integration.fixture.ts'
import { createStoreReader, saveCheckpoint } from './node/checkpointStore.ts'
import { getChannelInfo } from './readers/getChannelInfo.ts'
import { getDisputeStatus } from './readers/getDisputeStatus.ts'
import { getOwed } from './readers/getOwed.ts'
import { getParticipantInfo } from './readers/getParticipantInfo.ts'
import { readDepositRecords } from './readers/readDepositRecords.ts'
import { type SlashLogEntry, Watchtower, type WatchtowerLogEntry } from './watchtower/watchtower.ts'

const DEPOSIT = parseUnits('1000', 6)
const GIVEN = parseUnits('500', 6)
const WINDOW = 3600n

let local: LocalChain
let settlement: Hex
let storeRoot: string

type Setup = { cc: ChainChannel; v1: SignedCheckpoint; v2: SignedCheckpoint; store: string }

/** Opens a channel of wallets 1..3, everyone deposits 1,000 USDC; v1 certified, then 0 gives 500 to 2, v2 certified. */
async function setup(nonce: bigint): Promise<Setup> {
  const cc = await makeChainChannel(local, {
    wallets: local.wallets.slice(1, 4),
    label: `tower-${nonce}`,
    nonce,
  })
  await local.confirm(openChannelOnChain(cc.members[0]!.wallet, { address: settlement, config: cc.config }))
  for (const m of cc.members)
    await local.confirm(
      depositToken(m.wallet, {
        address: settlement,
        channelId: cc.channelId,
        token: local.deployment.quote.address,
        amount: DEPOSIT,
      }),
    )
  const [a, , c] = cc.members as [TestMember, TestMember, TestMember]
  attestDeposits(
    cc.members,
    await readDepositRecords(local.publicClient, { address: settlement, channelId: cc.channelId }),
  )
  quiet(cc.members)
  a.replica.submit({ tag: OpTag.CheckpointRequest })
  quiet(cc.members)
  const v1 = a.replica.latestCertified()!
  expect(v1.version).toBe(1n)
  expect(a.replica.submit({ tag: OpTag.Transfer, to: 2, token: TOKEN.USDC, amount: GIVEN }).result).toBe(
    Reject.None,
  )
  quiet(cc.members, 100)
  c.replica.submit({ tag: OpTag.CheckpointRequest })
  quiet(cc.members, 200)
  const v2 = c.replica.latestCertified()!
  expect(v2.version).toBe(2n)
  const store = join(storeRoot, `channel-${nonce}`)
  // what the app's exporter does with every certified checkpoint
  await saveCheckpoint(store, cc.channelId, v2)
  return { cc, v1, v2, store }
}

function makeTower(s: Setup, lines: string[], entries: WatchtowerLogEntry[]) {
  return new Watchtower({
    publicClient: local.publicClient,
    walletClient: local.wallets[5]!, // anyone funded pays the gas
    address: settlement,
    channelId: s.cc.channelId,
    marginSeconds: 300n,
    loadCheckpoints: createStoreReader(s.store, s.cc.channelId, (m) => lines.push(m)),
    log: (line, entry) => {
      lines.push(line)
      if (entry && !('kind' in entry)) entries.push(entry)
    },
  })
}

/** Finalizes after the deadline and checks participant 0 is paid its v2 leaf; its v1 leaf no longer verifies. */
async function expectFinalAtV2(s: Setup) {
  const [a] = s.cc.members as [TestMember]
  const target = { address: settlement, channelId: s.cc.channelId }
  const status = await getDisputeStatus(local.publicClient, target)
  await local.travel(status.secondsLeft + 1n)
  await local.confirm(finalizeChannel(local.wallets[6]!, target))
  const info = await getChannelInfo(local.publicClient, target)
  expect(info.checkpoint.version).toBe(2n)
  expect(info.checkpoint.digest).toBe(s.v2.digest)

  const quote = local.deployment.quote.address
  const owed = () =>
    getOwed(local.publicClient, { address: settlement, account: a.wallet.account.address, token: quote })
  const before = await owed()
  const [stale] = exitProofs(a.replica.stateOfCheckpoint(1n), 1n, a.index).filter(
    (p) => p.leaf.token === quote,
  )
  expect(stale!.leaf.amount).toBe(DEPOSIT)
  const refused = await claimExit(a.wallet, { ...target, proof: stale! }).catch((e: unknown) => e)
  expect(refused).toBeInstanceOf(SettlementRevertedError)
  expect((refused as SettlementRevertedError).errorName).toBe('ChannelSettlementInvalidProof')
  const [leaf] = exitProofs(a.replica.stateOfCheckpoint(2n), 2n, a.index).filter(
    (p) => p.leaf.token === quote,
  )
  expect(leaf!.leaf.amount).toBe(DEPOSIT - GIVEN)
  await local.confirm(claimExit(a.wallet, { ...target, proof: leaf! }))
  expect((await owed()) - before).toBe(DEPOSIT - GIVEN)
}

beforeAll(async () => {
  local = await startLocalChain()
  settlement = local.deployment.settlement
  storeRoot = await mkdtemp(join(tmpdir(), 'watchtower-it-'))
})

afterAll(async () => {
  await local?.anvil.stop()
  if (storeRoot) await rm(storeRoot, { recursive: true, force: true })
})

describe('watchtower against anvil', () => {
  it('challenges a stale proposal with the newer checkpoint from its store before the deadline', async () => {
    const s = await setup(101n)
    const [a] = s.cc.members as [TestMember]
    const lines: string[] = []
    const entries: WatchtowerLogEntry[] = []
    const tower = makeTower(s, lines, entries)

    // nothing proposed yet: the tower watches
    expect((await tower.poll()).decision).toEqual({ action: 'none', reason: 'no-proposal' })
    await local.confirm(
      proposeCheckpoint(a.wallet, {
        address: settlement,
        channelId: s.cc.channelId,
        checkpoint: s.v1,
        signatures: s.v1.signatures,
      }),
    )
    // most of the window passes on the chain's clock before the tower looks again
    await local.travel(WINDOW - 600n)
    const entry = await tower.poll()
    expect(entry.decision).toMatchObject({ action: 'challenge', version: 2n, urgent: false })
    expect(entry.chainVersion).toBe(1n)
    expect(entry.tx).toMatch(/^0x[0-9a-f]{64}$/)
    expect(entry.error).toBeUndefined()
    expect(lines.at(-1)).toMatch(
      new RegExp(
        `channel=${s.cc.channelId} chain=v1 closing deadline=\\d+ \\(\\d+ s left\\) held=v2 \\(3 valid sigs\\) action=challenge v2 tx=${entry.tx}`,
      ),
    )
    const status = await getDisputeStatus(local.publicClient, {
      address: settlement,
      channelId: s.cc.channelId,
    })
    expect(status.version).toBe(2n)
    expect(status.phase).toBe('disputing')
    // the next poll finds the chain up to date and sends nothing
    const after = await tower.poll()
    expect(after.decision).toEqual({ action: 'none', reason: 'up-to-date' })
    expect(after.tx).toBeUndefined()
    expect(entries.filter((e) => e.tx !== undefined)).toHaveLength(1)
    await expectFinalAtV2(s)
    expect((await tower.poll()).decision).toEqual({ action: 'none', reason: 'finalized' })
  })

  it('the headless command answers a stale emergency exit with v2 (--once)', async () => {
    const s = await setup(102n)
    const [a] = s.cc.members as [TestMember]
    const [proof] = exitProofs(a.replica.stateOfCheckpoint(1n), 1n, a.index).filter(
      (p) => p.leaf.token === local.deployment.quote.address,
    )
    await local.confirm(
      emergencyExit(a.wallet, {
        address: settlement,
        channelId: s.cc.channelId,
        checkpoint: s.v1,
        signatures: s.v1.signatures,
        proof: proof!,
      }),
    )
    await local.travel(WINDOW - 120n)
    // the gas payer's key in a file: anvil's dev account 5
    const keyFile = join(storeRoot, 'gas.key')
    const hd = mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex: 5 }).getHdKey()
    await writeFile(keyFile, `${toHex(hd.privateKey!)}\n`)
    const run = await runCli([
      '--rpc',
      local.anvil.rpcUrl,
      '--channel',
      s.cc.channelId,
      '--store',
      s.store,
      '--key',
      keyFile,
      '--contract',
      settlement,
      '--once',
    ])
    expect(run.code, run.stderr).toBe(0)
    const out = run.stdout.trim().split('\n')
    expect(out).toHaveLength(1)
    expect(out[0]).toMatch(
      /chain=v1 closing .* held=v2 \(3 valid sigs\) action=challenge v2 \(urgent\) tx=0x[0-9a-f]{64}$/,
    )
    await expectFinalAtV2(s)
  })

  it('logs and does nothing when the proposal already is the newest; too late once the deadline passed', async () => {
    const s = await setup(103n)
    const [a] = s.cc.members as [TestMember]
    const target = { address: settlement, channelId: s.cc.channelId }
    await local.confirm(
      proposeCheckpoint(a.wallet, { ...target, checkpoint: s.v2, signatures: s.v2.signatures }),
    )
    const lines: string[] = []
    const entries: WatchtowerLogEntry[] = []
    const tower = makeTower(s, lines, entries)
    const entry = await tower.poll()
    expect(entry.decision).toEqual({ action: 'none', reason: 'up-to-date' })
    expect(entry.tx).toBeUndefined()
    expect(lines).toHaveLength(1)
    expect(lines[0]).toMatch(/chain=v2 closing .* held=v2 \(3 valid sigs\) action=none \(up-to-date\) tx=-$/)
    // the same decision is not logged again
    await tower.poll()
    expect(lines).toHaveLength(1)

    // the command, polling until Ctrl-C: prints the decision once and stops cleanly on SIGINT
    const child = startCli([
      '--rpc',
      local.anvil.rpcUrl,
      '--channel',
      s.cc.channelId,
      '--store',
      s.store,
      '--contract',
      settlement,
      '--interval',
      '100',
    ])
    await child.waitFor(/action=none \(up-to-date\)/)
    child.process.kill('SIGINT')
    const stopped = await child.exited
    expect(stopped.code, stopped.stderr).toBe(0)
    expect(stopped.stdout.trim().split('\n')).toHaveLength(1) // one decision, logged once
    expect(stopped.stderr).toMatch(/SIGINT, stopping/)

    // a channel where v1 was proposed and the tower only looked after the deadline
    const late = await setup(104n)
    const lateTarget = { address: settlement, channelId: late.cc.channelId }
    await local.confirm(
      proposeCheckpoint(late.cc.members[0]!.wallet, {
        ...lateTarget,
        checkpoint: late.v1,
        signatures: late.v1.signatures,
      }),
    )
    await local.travel(WINDOW + 1n)
    const lateLines: string[] = []
    const lateTower = makeTower(late, lateLines, [])
    const tooLate = await lateTower.poll()
    expect(tooLate.decision).toEqual({ action: 'too-late', version: 2n })
    expect(tooLate.tx).toBeUndefined()
    // too late to challenge, not to slash: evidence counts until one dispute window after the deadline
    expect(tooLate.slashes.map((x) => [x.offence, x.offender, x.error])).toEqual([
      ['stale-proposal', 0, undefined],
    ])
    expect(lateLines[0]).toMatch(
      /slash=stale-proposal offender=0 .* evidence=v2 against=v1 tx=0x[0-9a-f]{64}$/,
    )
    expect(lateLines[1]).toMatch(
      /chain=v1 closing deadline=\d+ \(passed\) held=v2 .* action=too-late v2 tx=-$/,
    )
    expect((await getChannelInfo(local.publicClient, lateTarget)).checkpoint.version).toBe(1n)
  })

  it('never proposes a checkpoint without a quorum of valid signatures', async () => {
    const s = await setup(105n)
    const [a] = s.cc.members as [TestMember]
    await local.confirm(
      proposeCheckpoint(a.wallet, {
        address: settlement,
        channelId: s.cc.channelId,
        checkpoint: s.v1,
        signatures: s.v1.signatures,
      }),
    )
    const lines: string[] = []
    const tower = new Watchtower({
      publicClient: local.publicClient,
      walletClient: local.wallets[5]!,
      address: settlement,
      channelId: s.cc.channelId,
      log: (line) => lines.push(line),
    })
    // one genuine signature, and participant 0's signature filed under participant 1 (does not verify there)
    const sig0 = s.v2.signatures.get(0)!
    tower.hold({
      ...s.v2,
      signatures: new Map([
        [0, sig0],
        [1, sig0],
      ]),
    })
    const entry = await tower.poll()
    expect(entry.decision).toEqual({ action: 'none', reason: 'held-lacks-quorum' })
    expect(entry.held?.validSignatures).toBeLessThan(2)
    // given the real signatures (e.g. from the replica) it challenges
    tower.hold(s.v2)
    expect((await tower.poll()).decision).toMatchObject({ action: 'challenge', version: 2n })
  })

  // audit: what a tower is offered first must not block what it is offered later (an untrusted store or exporter)
  it('is not blinded by junk offered first: junk signatures at every index, or other fields under the same digest', async () => {
    const s = await setup(108n)
    const [a] = s.cc.members as [TestMember]
    await local.confirm(
      proposeCheckpoint(a.wallet, {
        address: settlement,
        channelId: s.cc.channelId,
        checkpoint: s.v1,
        signatures: s.v1.signatures,
      }),
    )
    const lines: string[] = []
    const tower = new Watchtower({
      publicClient: local.publicClient,
      walletClient: local.wallets[5]!,
      address: settlement,
      channelId: s.cc.channelId,
      log: (line) => lines.push(line),
    })
    // v2's own fields and digest with a junk signature at every index (here: v1's signatures, valid elsewhere)
    tower.hold({ ...s.v2, signatures: new Map(s.v1.signatures) })
    // and a checkpoint naming v2's digest whose fields are not v2's (they hash to something else)
    tower.hold({ ...s.v2, stateRoot: new Uint8Array(32).fill(7), signatures: new Map(s.v2.signatures) })
    expect((await tower.poll()).decision).toEqual({ action: 'none', reason: 'held-lacks-quorum' })
    // the genuine v2 arrives: the tower challenges with it
    tower.hold(s.v2)
    const entry = await tower.poll()
    expect(entry.decision).toMatchObject({ action: 'challenge', version: 2n })
    expect(entry.held?.validSignatures).toBe(s.v2.signatures.size)
    expect(entry.error).toBeUndefined()
    const info = await getChannelInfo(local.publicClient, { address: settlement, channelId: s.cc.channelId })
    expect(info.checkpoint.digest).toBe(s.v2.digest)
  })
  it('slashes a stale proposer before challenging it: its whole bond goes to the co-signers of the stale checkpoint', async () => {
    const s = await setup(106n)
    const [a, b, c] = s.cc.members as [TestMember, TestMember, TestMember]
    const target = { address: settlement, channelId: s.cc.channelId }
    const BOND = parseEther('1')
    await local.confirm(bondStake(a.wallet, { ...target, amount: BOND }))
    const ethOwed = (m: TestMember | string) =>
      getOwed(local.publicClient, {
        address: settlement,
        account: typeof m === 'string' ? (m as Hex) : m.wallet.account.address,
        token: zeroAddress,
      })
    const tower = local.wallets[5]!.account.address
    const before = await Promise.all([ethOwed(b), ethOwed(c), ethOwed(tower)])
    // participant 0 signed v2 (channel time ~0 ms, long before the force-inclusion delay) and proposes v1 anyway
    expect(s.v2.signatures.has(0)).toBe(true)
    await local.confirm(
      proposeCheckpoint(a.wallet, { ...target, checkpoint: s.v1, signatures: s.v1.signatures }),
    )
    await local.travel(600n)
    const lines: string[] = []
    const all: (WatchtowerLogEntry | SlashLogEntry)[] = []
    const t = new Watchtower({
      publicClient: local.publicClient,
      walletClient: local.wallets[5]!,
      address: settlement,
      channelId: s.cc.channelId,
      loadCheckpoints: createStoreReader(s.store, s.cc.channelId, (m) => lines.push(m)),
      log: (line, entry) => {
        lines.push(line)
        if (entry) all.push(entry)
      },
    })
    const entry = await t.poll()
    // one slash, mined, then the challenge
    expect(entry.slashes).toHaveLength(1)
    const slash = entry.slashes[0]!
    expect(slash).toMatchObject({ offence: 'stale-proposal', offender: 0, version: 2n, against: 1n })
    expect(slash.error).toBeUndefined()
    expect(slash.tx).toMatch(/^0x[0-9a-f]{64}$/)
    expect(entry.decision).toMatchObject({ action: 'challenge', version: 2n, urgent: false })
    expect(entry.error).toBeUndefined()
    const logged = lines.filter((l) => l.includes(`channel=${s.cc.channelId} `))
    expect(logged.at(-2)).toMatch(
      new RegExp(
        `slash=stale-proposal offender=0 \\(${a.wallet.account.address}\\) evidence=v2 against=v1 tx=${slash.tx}$`,
      ),
    )
    expect(logged.at(-1)).toMatch(/chain=v1 closing .* action=challenge v2 tx=0x[0-9a-f]{64}$/)
    expect(all.map((e) => ('kind' in e ? 'slash' : e.decision.action))).toEqual(['slash', 'challenge'])

    // the contract's rule: the whole bond, split evenly among the stale checkpoint's other signers; none to the tower
    const p0 = await getParticipantInfo(local.publicClient, {
      ...target,
      participant: a.wallet.account.address,
    })
    expect(p0.slashed).toBe(true)
    expect(p0.bond).toBe(0n)
    const after = await Promise.all([ethOwed(b), ethOwed(c), ethOwed(tower)])
    expect(after[0] - before[0]).toBe(BOND / 2n)
    expect(after[1] - before[1]).toBe(BOND / 2n)
    expect(after[2]).toBe(before[2])
    // nothing is sent twice
    const again = await t.poll()
    expect(again.slashes).toHaveLength(0)
    expect(again.decision).toEqual({ action: 'none', reason: 'up-to-date' })
    await expectFinalAtV2(s)
  })

  it('slashes a key it holds signing two checkpoints at one version; the bond goes to the other participants', async () => {
    const s = await setup(107n)
    const [a, b, c] = s.cc.members as [TestMember, TestMember, TestMember]
    const target = { address: settlement, channelId: s.cc.channelId }
    const BOND = parseEther('0.6')
    await local.confirm(bondStake(b.wallet, { ...target, amount: BOND }))
    const ethOwed = (m: TestMember) =>
      getOwed(local.publicClient, {
        address: settlement,
        account: m.wallet.account.address,
        token: zeroAddress,
      })
    const before = await Promise.all([ethOwed(a), ethOwed(c)])
    // participant 1's key also signs a v2 with another balances root
    const forged = { ...s.v2, balancesRoot: new Uint8Array(32).fill(7) }
    const digest = checkpointDigest(s.cc.channel.domainSeparator, s.cc.channel.channelId, forged)
    const lines: string[] = []
    const t = new Watchtower({
      publicClient: local.publicClient,
      walletClient: local.wallets[5]!,
      address: settlement,
      channelId: s.cc.channelId,
      log: (line) => lines.push(line),
    })
    t.hold(s.v2)
    t.hold({ ...forged, digest: toHex(digest), signatures: new Map([[1, signDigest(digest, b.sessionKey)]]) })
    // nothing is proposed: no challenge, but the evidence counts while the channel is open
    const entry = await t.poll()
    expect(entry.decision).toEqual({ action: 'none', reason: 'no-proposal' })
    expect(entry.slashes).toHaveLength(1)
    expect(entry.slashes[0]).toMatchObject({ offence: 'checkpoint-conflict', offender: 1, version: 2n })
    expect(entry.slashes[0]!.error).toBeUndefined()
    expect(lines.join('\n')).toMatch(
      new RegExp(
        `slash=checkpoint-conflict offender=1 \\(${b.wallet.account.address}\\) evidence=v2 against=v2 tx=0x[0-9a-f]{64}`,
      ),
    )
    const p1 = await getParticipantInfo(local.publicClient, {
      ...target,
      participant: b.wallet.account.address,
    })
    expect(p1.slashed).toBe(true)
    // no checkpoint pending: every participant but the offender shares it
    const after = await Promise.all([ethOwed(a), ethOwed(c)])
    expect(after[0] - before[0]).toBe(BOND / 2n)
    expect(after[1] - before[1]).toBe(BOND / 2n)
    expect((await t.poll()).slashes).toHaveLength(0)
  })
})

type Cli = {
  process: ChildProcess
  /** resolves once stdout matches */
  waitFor: (re: RegExp, ms?: number) => Promise<void>
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>
}

function startCli(args: string[]): Cli {
  const root = fileURLToPath(new URL('../..', import.meta.url))
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/watchtower.ts', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (d) => {
    stdout += d
  })
  child.stderr.on('data', (d) => {
    stderr += d
  })
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    child.on('error', reject)
    child.on('exit', (code) => resolve({ code, stdout, stderr }))
  })
  const waitFor = (re: RegExp, ms = 30_000) =>
    new Promise<void>((resolve, reject) => {
      const start = performance.now()
      const tick = () => {
        if (re.test(stdout)) resolve()
        else if (child.exitCode !== null || performance.now() - start > ms)
          reject(new Error(`no ${re} in the watchtower's output: ${stdout}${stderr}`))
        else setTimeout(tick, 25)
      }
      tick()
    })
  return { process: child, waitFor, exited }
}

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return startCli(args).exited
}
