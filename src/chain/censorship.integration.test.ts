/**
 * Censorship slashing against a real anvil (issue #12): participant C posts an op on chain (forceInclude); once the
 * record is due, a checkpoint that leaves it out is exactly what the core refuses to sign (censorship.ts) and exactly
 * what the contract slashes a signature on (slashCensorship): the two agree on the bound to the millisecond.
 */
import { zeroAddress as eth, type Hex, parseEther } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { toHex } from '../core/bytes.ts'
import { censoredRecord, forcedDueAtMs, forceInclusionDelay } from '../core/censorship.ts'
import { type Checkpoint, checkpointDigest, type SignedCheckpoint } from '../core/checkpoint.ts'
import { OpTag } from '../core/ops.ts'
import { signDigest } from '../core/signature.ts'
import { bondStake } from './actions/bondStake.ts'
import { forceInclude } from './actions/forceInclude.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { slashCensorship } from './actions/slashCensorship.ts'
import { SettlementRevertedError } from './errors.ts'
import {
  type ChainChannel,
  type LocalChain,
  makeChainChannel,
  startLocalChain,
  type TestMember,
  TOKEN,
} from './integration.fixture.ts'
import { getOwed } from './readers/getOwed.ts'
import { getParticipantInfo } from './readers/getParticipantInfo.ts'
import { readForcedRecords } from './readers/readForcedRecords.ts'
import { Watchtower } from './watchtower/watchtower.ts'

let local: LocalChain
let cc: ChainChannel
let target: { address: Hex; channelId: Hex }
const BOND = parseEther('1')

const checkpoint = (time: bigint, forcedCount: bigint, version = 3n): Checkpoint => ({
  version,
  leader: new Uint8Array(32).fill(1),
  time,
  depositCount: 0n,
  forcedCount,
  stateRoot: new Uint8Array(32).fill(2),
  balancesRoot: new Uint8Array(32).fill(3),
})

async function revertOf(p: Promise<unknown>): Promise<SettlementRevertedError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SettlementRevertedError)
  return error as SettlementRevertedError
}

beforeAll(async () => {
  local = await startLocalChain()
  cc = await makeChainChannel(local, {
    wallets: local.wallets.slice(1, 4),
    label: 'censorship-it',
    nonce: 11n,
  })
  target = { address: local.deployment.settlement, channelId: cc.channelId }
  await local.confirm(openChannelOnChain(local.wallets[1]!, { address: target.address, config: cc.config }))
})

afterAll(async () => {
  await local?.anvil.stop()
})

describe('censorship slashing against anvil', () => {
  it('a signature on a checkpoint leaving out a due forced record is slashed; core and contract agree on the bound', async () => {
    const [a, b, c] = cc.members as [TestMember, TestMember, TestMember]
    await local.confirm(bondStake(a.wallet, { ...target, amount: BOND }))
    await local.confirm(
      forceInclude(c.wallet, {
        ...target,
        op: { tag: OpTag.Transfer, to: a.index, token: TOKEN.USDC, amount: 1n },
      }),
    )
    const [record] = await readForcedRecords(local.publicClient, target)
    const delay = forceInclusionDelay(cc.config.params.disputeWindow)
    const due = forcedDueAtMs(record!.time, delay)
    const sign = (cp: Checkpoint) =>
      signDigest(checkpointDigest(cc.channel.domainSeparator, cc.channel.channelId, cp), a.sessionKey)

    // 1 ms before the due time: the core would sign it, and it is no evidence
    const early = checkpoint(due - 1n, 0n)
    expect(censoredRecord(early, [record!], delay)).toBeUndefined()
    const notDue = await revertOf(
      slashCensorship(b.wallet, { ...target, checkpoint: early, signature: sign(early), index: 0n }),
    )
    expect(notDue.errorName).toBe('ChannelSettlementForcedOpNotDue')

    // including the record: honest however late
    const honest = checkpoint(due + 60_000n, 1n)
    expect(censoredRecord(honest, [record!], delay)).toBeUndefined()
    const included = await revertOf(
      slashCensorship(b.wallet, { ...target, checkpoint: honest, signature: sign(honest), index: 0n }),
    )
    expect(included.errorName).toBe('ChannelSettlementForcedOpIncluded')

    // exactly at the due time, leaving it out: the core refuses to sign it; a's key did, and loses its bond
    const censoring = checkpoint(due, 0n)
    expect(censoredRecord(censoring, [record!], delay)).toBe(0n)
    const owed = (m: TestMember) =>
      getOwed(local.publicClient, { address: target.address, account: m.wallet.account.address, token: eth })
    const [beforeB, beforeC] = [await owed(b), await owed(c)]
    await local.confirm(
      slashCensorship(b.wallet, { ...target, checkpoint: censoring, signature: sign(censoring), index: 0n }),
    )
    const p = await getParticipantInfo(local.publicClient, {
      address: target.address,
      channelId: target.channelId,
      participant: a.wallet.account.address,
    })
    expect(p.slashed).toBe(true)
    expect(p.bond).toBe(0n)
    // the channel is open (no co-signed checkpoint): the two others share the bond, nothing for being the submitter
    expect((await owed(b)) - beforeB).toBe(BOND / 2n)
    expect((await owed(c)) - beforeC).toBe(BOND / 2n)
    const twice = await revertOf(
      slashCensorship(c.wallet, { ...target, checkpoint: censoring, signature: sign(censoring), index: 0n }),
    )
    expect(twice.errorName).toBe('ChannelSettlementAlreadySlashed')
  })

  it('the watchtower slashes a held signature on a checkpoint leaving out a due record, once; not one made before', async () => {
    const [, b, c] = cc.members as [TestMember, TestMember, TestMember]
    await local.confirm(bondStake(b.wallet, { ...target, amount: BOND }))
    await local.confirm(bondStake(c.wallet, { ...target, amount: BOND }))
    const [record] = await readForcedRecords(local.publicClient, target)
    const delay = forceInclusionDelay(cc.config.params.disputeWindow)
    const due = forcedDueAtMs(record!.time, delay)
    // the chain moves past the due time: the channel's clock (the checkpoint's time) is the present
    await local.travel(delay + 10n)
    const signed = (cp: Checkpoint, by: TestMember): SignedCheckpoint => {
      const digest = checkpointDigest(cc.channel.domainSeparator, cc.channel.channelId, cp)
      return {
        ...cp,
        digest: toHex(digest),
        signatures: new Map([[by.index, signDigest(digest, by.sessionKey)]]),
      }
    }
    const lines: string[] = []
    const tower = new Watchtower({
      publicClient: local.publicClient,
      walletClient: local.wallets[5]!, // anyone funded pays the gas
      address: target.address,
      channelId: target.channelId,
      log: (line) => lines.push(line),
    })
    // b signed one 1 ms before the record was due (honest then); c signed one at the due time + 5 s, leaving it out
    tower.hold(signed(checkpoint(due - 1n, 0n, 4n), b))
    tower.hold(signed(checkpoint(due + 5_000n, 0n, 5n), c))
    const entry = await tower.poll()
    expect(entry.slashes).toHaveLength(1)
    expect(entry.slashes[0]).toMatchObject({
      offence: 'censorship',
      offender: c.index,
      version: 5n,
      against: 0n,
    })
    expect(entry.slashes[0]!.error).toBeUndefined()
    expect(lines.join('\n')).toMatch(
      new RegExp(
        `slash=censorship offender=${c.index} \\(${c.wallet.account.address}\\) evidence=v5 forced=0 tx=0x[0-9a-f]{64}`,
      ),
    )
    const info = (m: TestMember) =>
      getParticipantInfo(local.publicClient, { ...target, participant: m.wallet.account.address })
    expect((await info(c)).slashed).toBe(true)
    expect((await info(c)).bond).toBe(0n)
    expect((await info(b)).slashed).toBe(false)
    expect((await info(b)).bond).toBe(BOND)
    // sent once: the next poll finds nothing new to send
    expect((await tower.poll()).slashes).toHaveLength(0)
  })
})
