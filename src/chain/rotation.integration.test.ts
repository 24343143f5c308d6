/**
 * Session-key rotation against a real anvil (issue #12). C's session key leaks; C's wallet signs a
 * SessionKeyRotation through viem (eth_signTypedData_v4, the app's path), C's replica rotates and keeps signing with
 * the new key, and A — not C — applies the rotation on chain with C's wallet signature. The checkpoint certified
 * after the rotation settles with C's new-key signature; the same checkpoint with the leaked key's signature is
 * refused (RevokedKey). (Evidence is not bound by key ranges: contracts/CONTEXT.md, Session keys.)
 */
import { type Hex, parseUnits, toHex } from 'viem'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromHex } from '../core/bytes.ts'
import type { SignedCheckpoint } from '../core/checkpoint.ts'
import { checkpointDigest } from '../core/checkpoint.ts'
import { rotationOp } from '../core/keys.ts'
import { OpTag } from '../core/ops.ts'
import { addressFromPrivateKey, signDigest } from '../core/signature.ts'
import { keyFromLabel } from '../core/testing.ts'
import { depositToken } from './actions/depositToken.ts'
import { openChannelOnChain } from './actions/openChannelOnChain.ts'
import { proposeCheckpoint } from './actions/proposeCheckpoint.ts'
import { rotateSessionKey } from './actions/rotateSessionKey.ts'
import { signKeyRotation } from './actions/signKeyRotation.ts'
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
import { getChannelInfo } from './readers/getChannelInfo.ts'
import { getParticipantInfo } from './readers/getParticipantInfo.ts'
import { readDepositRecords } from './readers/readDepositRecords.ts'

let local: LocalChain
let cc: ChainChannel
let target: { address: Hex; channelId: Hex }
const USDC = parseUnits('100', 6)

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
  cc = await makeChainChannel(local, { wallets: local.wallets.slice(4, 7), label: 'rotation-it', nonce: 12n })
  target = { address: local.deployment.settlement, channelId: cc.channelId }
  await local.confirm(
    openChannelOnChain(cc.members[0]!.wallet, { address: target.address, config: cc.config }),
  )
})

afterAll(async () => {
  await local?.anvil.stop()
})

describe('session-key rotation against anvil', () => {
  it('a leaked key signs nothing the contract accepts after the rotation; the new key settles', async () => {
    const [a, b, c] = cc.members as [TestMember, TestMember, TestMember]
    const quote = local.deployment.quote.address
    for (const m of cc.members)
      await local.confirm(depositToken(m.wallet, { ...target, token: quote, amount: USDC }))
    attestDeposits(cc.members, await readDepositRecords(local.publicClient, target))
    quiet(cc.members)
    const leaked = c.sessionKey

    // C's wallet signs the rotation (viem typed data); C's replica rotates; A applies it on chain
    const fresh = keyFromLabel('rotation-it/fresh')
    const point = c.replica.rotationPoint()
    const newKey = addressFromPrivateKey(fresh)
    const walletSignature = await signKeyRotation(c.wallet, { channel: cc.channel, newKey, ...point })
    c.replica.rotateKey(fresh, rotationOp({ newKey, ...point }, fromHex(walletSignature)))
    await local.confirm(
      rotateSessionKey(a.wallet, {
        ...target,
        participant: c.wallet.account.address,
        newKey,
        ...point,
        walletSignature,
      }),
    )
    expect(
      (
        await getParticipantInfo(local.publicClient, { ...target, participant: c.wallet.account.address })
      ).sessionKey.toLowerCase(),
    ).toBe(newKey)

    // trading goes on; the next checkpoint carries C's new-key signature on every replica
    c.replica.submit({ tag: OpTag.Transfer, to: b.index, token: TOKEN.USDC, amount: 5n })
    a.replica.submit({ tag: OpTag.CheckpointRequest })
    quiet(cc.members)
    const cp = a.replica.latestCertified() as SignedCheckpoint
    expect(cp.version).toBeGreaterThanOrEqual(point.fromVersion)
    expect(cp.signatures.has(c.index)).toBe(true)

    // the thief signs the same checkpoint with the leaked key: refused
    const { digest: _d, signatures: _s, ...fields } = cp
    const stolen = new Map(cp.signatures)
    stolen.set(
      c.index,
      signDigest(checkpointDigest(cc.channel.domainSeparator, cc.channel.channelId, fields), leaked),
    )
    const refused = await revertOf(
      proposeCheckpoint(b.wallet, { ...target, checkpoint: cp, signatures: stolen }),
    )
    expect(refused.errorName).toBe('ChannelSettlementRevokedKey')
    expect(String(refused.argsByName.key).toLowerCase()).toBe(addressFromPrivateKey(leaked))

    // the honest signatures settle it
    await local.confirm(proposeCheckpoint(b.wallet, { ...target, checkpoint: cp, signatures: cp.signatures }))
    const info = await getChannelInfo(local.publicClient, target)
    expect(info.checkpoint.balancesRoot).toBe(toHex(cp.balancesRoot))
  })
})
