/**
 * The single-participant paths against a real anvil: an emergency exit with a core exit proof (a proposal that
 * pays after finalization), and a slash from equivocation evidence that a core Replica detected.
 */
import { zeroAddress as eth, type Hex, parseEther, parseUnits } from 'viem'
import { getContractEvents } from 'viem/actions'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type Checkpoint, checkpointDigest, type SignedCheckpoint } from '../core/checkpoint.ts'
import { OpTag } from '../core/ops.ts'
import type { CheckpointConflict } from '../core/replica.ts'
import { type ExitProof, exitProofs } from '../core/roots.ts'
import { signDigest } from '../core/signature.ts'
import { twinOf } from '../core/testing.ts'
import { bondStake } from './actions/bondStake.ts'
import { depositToken } from './actions/depositToken.ts'
import { emergencyExit } from './actions/emergencyExit.ts'
import { finalizeChannel } from './actions/finalizeChannel.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { slashCheckpointConflict, UnprovableConflictError } from './actions/slashCheckpointConflict.ts'
import { slashEquivocation } from './actions/slashEquivocation.ts'
import { withdraw } from './actions/withdraw.ts'
import { decodeSettlementError, SettlementRevertedError } from './errors.ts'
import { channelSettlementAbi } from './generated/abis.ts'
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
import { getChannelInfo } from './readers/getChannelInfo.ts'
import { getOwed } from './readers/getOwed.ts'
import { getParticipantInfo } from './readers/getParticipantInfo.ts'
import { readDepositRecords } from './readers/readDepositRecords.ts'
import { ChannelStatus } from './types.ts'

let local: LocalChain
let cc: ChainChannel
let settlement: Hex
let exit: Omit<Parameters<typeof emergencyExit>[1], 'proof'>
let exitProof: ExitProof
let firstCheckpoint: SignedCheckpoint

/** decoded settlement events of the test channel, from the start */
async function getChannelEvents(eventName: 'Slashed') {
  return getContractEvents(local.publicClient, {
    address: settlement,
    abi: channelSettlementAbi,
    eventName,
    args: { channelId: cc.channelId },
    fromBlock: 0n,
  })
}
const DEPOSIT = parseUnits('2000', 6)
const BOND = parseEther('1')

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
  settlement = local.deployment.settlement
  cc = await makeChainChannel(local, {
    wallets: local.wallets.slice(4, 7),
    label: 'exit-slash-it',
    nonce: 7n,
  })
  await local.confirm(openChannelOnChain(local.wallets[4]!, { address: settlement, config: cc.config }))
  for (const m of cc.members)
    await local.confirm(
      depositToken(m.wallet, {
        address: settlement,
        channelId: cc.channelId,
        token: local.deployment.quote.address,
        amount: DEPOSIT,
      }),
    )
  const records = await readDepositRecords(local.publicClient, {
    address: settlement,
    channelId: cc.channelId,
  })
  attestDeposits(cc.members, records)
  quiet(cc.members)
})

afterAll(async () => {
  await local?.anvil.stop()
})

describe('emergency exit and slashing against anvil', () => {
  it('an emergency exit starts settlement and pays only after finalization, once', async () => {
    const [a, b, c] = cc.members as [TestMember, TestMember, TestMember]
    b.replica.submit({ tag: OpTag.Transfer, to: 0, token: TOKEN.USDC, amount: parseUnits('250', 6) })
    a.replica.submit({ tag: OpTag.CheckpointRequest })
    quiet(cc.members)
    // every honest replica computes and signs the same checkpoint: all three signatures arrive
    const cp = a.replica.latestFullySigned()!
    expect(cp.signatures.size).toBe(3)
    const tally = cp
    firstCheckpoint = cp

    const [proof] = exitProofs(a.replica.stateOfCheckpoint(cp.version), cp.version, a.index)
    expect(proof!.leaf.amount).toBe(DEPOSIT + parseUnits('250', 6))

    // one signature is below the threshold (2 of 3)
    const few = await revertOf(
      emergencyExit(a.wallet, {
        address: settlement,
        channelId: cc.channelId,
        checkpoint: cp,
        signatures: new Map([...tally.signatures].slice(0, 1)),
        proof: proof!,
      }),
    )
    expect(few.errorName).toBe('ChannelSettlementInsufficientSignatures')
    expect(few.args).toEqual([1n, 2n])

    exit = {
      address: settlement,
      channelId: cc.channelId,
      checkpoint: cp,
      signatures: tally.signatures,
    }
    await local.confirm(emergencyExit(a.wallet, { ...exit, proof: proof! }))
    const token = local.deployment.quote.address
    const owedA = () =>
      getOwed(local.publicClient, { address: settlement, account: a.wallet.account.address, token })
    expect(await owedA()).toBe(0n) // nothing is paid before the dispute ends
    const info = await getChannelInfo(local.publicClient, { address: settlement, channelId: cc.channelId })
    expect(info.status).toBe(ChannelStatus.Closing) // the exit's checkpoint counts as the proposal
    expect(info.checkpoint.version).toBe(cp.version)

    exitProof = proof!
    // a second exit with the same checkpoint joins it
    await local.confirm(emergencyExit(a.wallet, { ...exit, proof: proof! }))
    // someone else's leaf does not verify for the caller
    const [bProof] = exitProofs(a.replica.stateOfCheckpoint(cp.version), cp.version, b.index)
    const stolen = await revertOf(emergencyExit(c.wallet, { ...exit, proof: bProof! }))
    expect(stolen.errorName).toBe('ChannelSettlementInvalidProof')
  })

  it('slashes the bond once with equivocation evidence from a core Replica', async () => {
    const [a, b, c] = cc.members as [TestMember, TestMember, TestMember]
    await local.confirm(bondStake(c.wallet, { address: settlement, channelId: cc.channelId, amount: BOND }))

    // c's key writes two different blocks at its next seq and round (a crashed tab that reused its seq): one goes
    // to a, the other to b
    c.replica.submit({ tag: OpTag.Transfer, to: 0, token: TOKEN.USDC, amount: 1n })
    const forkA = c.replica.tick(10_000)!
    const forkB = twinOf(
      cc.channel,
      forkA,
      [{ tag: OpTag.Transfer, to: 1, token: TOKEN.USDC, amount: 2n }],
      c.sessionKey,
    )
    a.replica.receive(forkA)
    b.replica.receive(forkB)
    // the honest peers exchange what they saw: both now hold the evidence
    a.replica.receive(forkB)
    b.replica.receive(forkA)
    for (const r of [a.replica, b.replica]) expect(r.equivocators()).toEqual([c.index])
    const evidence = b.replica.equivocations[0]!
    expect(evidence.author).toBe(c.index)

    const before = {
      a: await getOwed(local.publicClient, {
        address: settlement,
        account: a.wallet.account.address,
        token: eth,
      }),
      b: await getOwed(local.publicClient, {
        address: settlement,
        account: b.wallet.account.address,
        token: eth,
      }),
    }
    await local.confirm(slashEquivocation(b.wallet, { address: settlement, equivocation: evidence }))
    const p = await getParticipantInfo(local.publicClient, {
      address: settlement,
      channelId: cc.channelId,
      participant: c.wallet.account.address,
    })
    expect(p.slashed).toBe(true)
    expect(p.bond).toBe(0n)
    // split between the two other participants; the submitter (b) earns nothing for submitting
    const owedB = await getOwed(local.publicClient, {
      address: settlement,
      account: b.wallet.account.address,
      token: eth,
    })
    const owedA = await getOwed(local.publicClient, {
      address: settlement,
      account: a.wallet.account.address,
      token: eth,
    })
    expect(owedB - before.b).toBe(BOND / 2n)
    expect(owedA - before.a).toBe(BOND / 2n)
    const slashed = await getChannelEvents('Slashed')
    expect(slashed.at(-1)?.args.offence).toBe(0) // DoubleSpending

    // the same evidence, or the other replica's copy of it, slashes nothing more
    for (const ev of [evidence, a.replica.equivocations[0]!]) {
      const again = await revertOf(slashEquivocation(a.wallet, { address: settlement, equivocation: ev }))
      expect(again.errorName).toBe('ChannelSettlementAlreadySlashed')
      expect(again.args).toEqual([cc.channelId, c.wallet.account.address])
      expect(again.message).toMatch(/^ChannelSettlementAlreadySlashed\(channelId: 0x[0-9a-f]{64}, author: 0x/)
    }
    // a slashed participant may not bond again
    const rebond = await revertOf(
      bondStake(c.wallet, { address: settlement, channelId: cc.channelId, amount: 1n }),
    )
    expect(rebond.errorName).toBe('ChannelSettlementParticipantSlashed')
  })

  it('slashes a key that signed two checkpoints at one version (InvalidStateSubmission)', async () => {
    const [a, b] = cc.members as [TestMember, TestMember, TestMember]
    await local.confirm(bondStake(a.wallet, { address: settlement, channelId: cc.channelId, amount: BOND }))
    // a's key signs a second checkpoint at the version it already signed: the evidence a replica would record
    const rival = { ...firstCheckpoint, stateRoot: new Uint8Array(32).fill(7) }
    const sign = (cp: Checkpoint) =>
      signDigest(checkpointDigest(cc.channel.domainSeparator, cc.channel.channelId, cp), a.sessionKey)
    const conflict: CheckpointConflict = {
      author: a.index,
      version: firstCheckpoint.version,
      a: { checkpoint: firstCheckpoint, signature: firstCheckpoint.signatures.get(a.index)! },
      b: { checkpoint: rival, signature: sign(rival) },
    }
    // a lone signature is no on-chain evidence
    await expect(
      slashCheckpointConflict(b.wallet, {
        address: settlement,
        channelId: cc.channelId,
        conflict: { ...conflict, b: undefined },
      }),
    ).rejects.toBeInstanceOf(UnprovableConflictError)
    const owedB = () =>
      getOwed(local.publicClient, { address: settlement, account: b.wallet.account.address, token: eth })
    const before = await owedB()
    await local.confirm(
      slashCheckpointConflict(b.wallet, { address: settlement, channelId: cc.channelId, conflict }),
    )
    const p = await getParticipantInfo(local.publicClient, {
      address: settlement,
      channelId: cc.channelId,
      participant: a.wallet.account.address,
    })
    expect(p.slashed).toBe(true)
    // c was slashed before: a slashed participant earns no share, so b (the only honest one left) takes it all
    expect((await owedB()) - before).toBe(BOND)
    const slashed = await getChannelEvents('Slashed')
    expect(slashed.at(-1)?.args.offence).toBe(1) // InvalidStateSubmission
    const again = await revertOf(
      slashCheckpointConflict(b.wallet, { address: settlement, channelId: cc.channelId, conflict }),
    )
    expect(again.errorName).toBe('ChannelSettlementAlreadySlashed')
  })

  it('after the window the exit claims from the finalized checkpoint, once', async () => {
    const a = cc.members[0]!
    const token = local.deployment.quote.address
    const owedA = () =>
      getOwed(local.publicClient, { address: settlement, account: a.wallet.account.address, token })
    const info = await getChannelInfo(local.publicClient, { address: settlement, channelId: cc.channelId })
    await local.travel(info.disputeWindow)
    await local.confirm(finalizeChannel(a.wallet, { address: settlement, channelId: cc.channelId }))
    await local.confirm(emergencyExit(a.wallet, { ...exit, proof: exitProof }))
    expect(await owedA()).toBe(exitProof.leaf.amount)
    const twice = await revertOf(emergencyExit(a.wallet, { ...exit, proof: exitProof }))
    expect(twice.errorName).toBe('ChannelSettlementAlreadySettled')
    await local.confirm(withdraw(a.wallet, { address: settlement, token }))
  })

  it('leaves non-revert failures alone', () => {
    expect(decodeSettlementError(new Error('network down'))).toBeUndefined()
  })
})
