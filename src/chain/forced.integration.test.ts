/**
 * Forced inclusion against a real anvil (issue #12): two honest replicas never see participant C's blocks (C is
 * censored), so C posts its transfer on chain with forceInclude; the replicas read the record (log bytes checked
 * against the stored hash), attest it, and the core applies it at one final position on every replica. After the
 * force-inclusion delay the replicas' older checkpoint (without it) can no longer be proposed; the newer one (with
 * it) settles and the claims pay the transfer.
 */
import { type Hex, parseUnits } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import { type Op, OpTag } from '../core/ops.ts'
import { exitProofs } from '../core/roots.ts'
import { claimExit } from './actions/claimExit.ts'
import { depositToken } from './actions/depositToken.ts'
import { finalizeChannel } from './actions/finalizeChannel.ts'
import { forceInclude } from './actions/forceInclude.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { proposeCheckpoint } from './actions/proposeCheckpoint.ts'
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
import { getDisputeStatus } from './readers/getDisputeStatus.ts'
import { getOwed } from './readers/getOwed.ts'
import { readDepositRecords } from './readers/readDepositRecords.ts'
import { readForcedRecords } from './readers/readForcedRecords.ts'

let local: LocalChain
let cc: ChainChannel
let settlement: Hex
let target: { address: Hex; channelId: Hex }
const USDC = parseUnits('100', 6)
const FORCED = parseUnits('42', 6)

async function revertOf(p: Promise<unknown>): Promise<SettlementRevertedError> {
  const error = await p.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(SettlementRevertedError)
  return error as SettlementRevertedError
}

/** What the store's syncForced does for each member: read the records, attest each one not yet included. */
async function attestForced(members: readonly TestMember[]): Promise<void> {
  for (const m of members) {
    const records = await readForcedRecords(local.publicClient, {
      ...target,
      fromIndex: m.replica.state.forcedCount,
    })
    for (const r of records)
      m.replica.submit({
        tag: OpTag.ForcedAttest,
        forcedIndex: r.index,
        participant: r.participant,
        op: r.op,
      })
  }
}

beforeAll(async () => {
  local = await startLocalChain()
  settlement = local.deployment.settlement
  cc = await makeChainChannel(local, { wallets: local.wallets.slice(4, 7), label: 'forced-it', nonce: 4n })
  target = { address: settlement, channelId: cc.channelId }
  await local.confirm(openChannelOnChain(cc.members[0]!.wallet, { address: settlement, config: cc.config }))
})

afterAll(async () => {
  await local?.anvil.stop()
})

describe('forced inclusion against anvil', () => {
  it('a censored participant’s forced transfer executes on every replica, and only a checkpoint with it settles', async () => {
    const [a, b, c] = cc.members as [TestMember, TestMember, TestMember]
    const honest = [a, b]
    const quote = local.deployment.quote.address
    for (const m of cc.members) {
      await local.confirm(depositToken(m.wallet, { ...target, token: quote, amount: USDC }))
    }
    attestDeposits(cc.members, await readDepositRecords(local.publicClient, target))
    quiet(cc.members)
    for (const m of cc.members) expect(m.replica.finalState().holdings(c.index, TOKEN.USDC)).toBe(USDC)

    // from here on the honest two never receive C's blocks; they checkpoint without it (v1)
    a.replica.submit({ tag: OpTag.CheckpointRequest })
    const seen = quiet(honest)
    const v1 = a.replica.latestCertified() as SignedCheckpoint
    expect(v1.forcedCount).toBe(0n)
    expect(v1.signatures.size).toBeGreaterThanOrEqual(2)

    // C's transfer in a block: sealed, but nobody delivers it
    const transfer: Op = { tag: OpTag.Transfer, to: a.index, token: TOKEN.USDC, amount: FORCED }
    c.replica.receiveMany(seen)
    c.replica.submit(transfer)
    expect(c.replica.seal()).toBeDefined()
    quiet(honest)
    expect(a.replica.finalState().holdings(a.index, TOKEN.USDC)).toBe(USDC)

    // so C forces it on chain; an outsider cannot
    const outsider = await revertOf(forceInclude(local.wallets[0]!, { ...target, op: transfer }))
    expect(outsider.errorName).toBe('ChannelSettlementNotParticipant')
    await local.confirm(forceInclude(c.wallet, { ...target, op: transfer }))
    const records = await readForcedRecords(local.publicClient, target)
    expect(records).toHaveLength(1)
    expect(records[0]!.participant).toBe(c.index)

    // the honest replicas read and attest it; q = 2 attestations include it and apply it as C's op
    await attestForced(honest)
    const blocks = quiet(honest)
    c.replica.receiveMany(blocks)
    for (const m of cc.members) {
      const s = m.replica.finalState()
      expect(s.forcedCount).toBe(1n)
      expect(s.holdings(c.index, TOKEN.USDC)).toBe(USDC - FORCED)
      expect(s.holdings(a.index, TOKEN.USDC)).toBe(USDC + FORCED)
    }
    // attesting again changes nothing: it executed once
    await attestForced(honest)
    expect(a.replica.batchedOps()).toHaveLength(0)

    a.replica.submit({ tag: OpTag.CheckpointRequest })
    quiet(honest)
    const v2 = a.replica.latestCertified() as SignedCheckpoint
    expect(v2.version).toBeGreaterThan(v1.version)
    expect(v2.forcedCount).toBe(1n)

    // after the delay the checkpoint without the record cannot be proposed; the one with it can
    await local.travel(3600n)
    const stale = await revertOf(
      proposeCheckpoint(b.wallet, { ...target, checkpoint: v1, signatures: v1.signatures }),
    )
    expect(stale.errorName).toBe('ChannelSettlementForcedOpExcluded')
    expect(stale.argsByName.forcedCount).toBe(0n)
    await local.confirm(proposeCheckpoint(b.wallet, { ...target, checkpoint: v2, signatures: v2.signatures }))
    // the queue is frozen once settling
    const late = await revertOf(forceInclude(c.wallet, { ...target, op: transfer }))
    expect(late.errorName).toBe('ChannelSettlementChannelNotOpen')

    const status = await getDisputeStatus(local.publicClient, target)
    await local.travel(status.secondsLeft + 1n)
    await local.confirm(finalizeChannel(a.wallet, target))
    const final = a.replica.stateOfCheckpoint(v2.version)
    for (const m of [a, c]) {
      const [proof] = exitProofs(final, v2.version, m.index).filter(
        (p) => p.leaf.token.toLowerCase() === quote.toLowerCase(),
      )
      await local.confirm(claimExit(m.wallet, { ...target, proof: proof! }))
    }
    const owed = (m: TestMember) =>
      getOwed(local.publicClient, { address: settlement, account: m.wallet.account.address, token: quote })
    expect(await owed(a)).toBe(USDC + FORCED)
    expect(await owed(c)).toBe(USDC - FORCED)
  })
})
