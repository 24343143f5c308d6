import { hashTypedData, type Hex as ViemHex } from 'viem'
import { describe, expect, it } from 'vitest'
import { fromHex, type Hex, toHex } from './bytes.ts'
import type { Checkpoint } from './checkpoint.ts'
import { checkpointDigest } from './checkpoint.ts'
import { closeDigest, closeLeaves, closeRefusal, closeSigner, signClose } from './close.ts'
import { EIP712_NAME, EIP712_VERSION, TYPED_DATA_TYPES } from './eip712.ts'
import { balanceLeafHash, MerkleTree } from './merkle.ts'
import { addressFromPrivateKey } from './signature.ts'
import { makeTestChannel, TEST_TOKENS } from './testing.ts'

const { channel, members } = makeTestChannel({ participants: 3 })

function checkpoint(version: bigint, stateByte = 'cd'): Checkpoint {
  return {
    version,
    leader: fromHex(`0x${'ab'.repeat(32)}`),
    time: 1_764_000_000_123n,
    depositCount: 2n,
    forcedCount: 0n,
    stateRoot: fromHex(`0x${stateByte.repeat(32)}`),
    balancesRoot: fromHex(`0x${'ef'.repeat(32)}`),
  }
}

describe('Close digest (settlement v2)', () => {
  it('is the EIP-712 digest of Close(channelId, version, checkpointDigest), as viem computes it', () => {
    const cp = checkpoint(7n)
    const viem = hashTypedData({
      domain: {
        name: EIP712_NAME,
        version: EIP712_VERSION,
        chainId: channel.config.chainId,
        verifyingContract: channel.config.verifyingContract as ViemHex,
      },
      types: TYPED_DATA_TYPES,
      primaryType: 'Close',
      message: {
        channelId: toHex(channel.channelId),
        version: 7n,
        checkpointDigest: toHex(checkpointDigest(channel.domainSeparator, channel.channelId, cp)),
      },
    })
    expect(toHex(closeDigest(channel, cp))).toBe(viem)
  })

  it('differs from the checkpoint digest, and binds every field of the checkpoint', () => {
    const cp = checkpoint(7n)
    const digest = toHex(closeDigest(channel, cp))
    expect(digest).not.toBe(toHex(checkpointDigest(channel.domainSeparator, channel.channelId, cp)))
    expect(toHex(closeDigest(channel, checkpoint(7n, 'ce')))).not.toBe(digest)
    expect(toHex(closeDigest(channel, { ...cp, depositCount: 3n }))).not.toBe(digest)
    expect(toHex(closeDigest(channel, { ...cp, version: 8n }))).not.toBe(digest)
  })

  it('a session key signs and the signer is recovered', () => {
    const cp = checkpoint(7n)
    const sig = signClose(channel, cp, members[1]!.sessionKey)
    expect(closeSigner(channel, cp, sig)).toBe(addressFromPrivateKey(members[1]!.sessionKey))
    expect(closeSigner(channel, checkpoint(7n, 'ce'), sig)).not.toBe(
      addressFromPrivateKey(members[1]!.sessionKey),
    )
  })
})

describe('closeRefusal: an honest key signs one close per version, only for its own checkpoint', () => {
  const own = checkpoint(7n)
  it('signs the checkpoint its replica computed', () => {
    expect(closeRefusal(channel, own, checkpoint(7n), undefined)).toBeUndefined()
    // signing the same close again (a reload) is allowed
    expect(closeRefusal(channel, own, own, toHex(closeDigest(channel, own)))).toBeUndefined()
  })
  it('refuses a checkpoint it has not computed', () => {
    expect(closeRefusal(channel, undefined, own, undefined)).toBe('not-computed')
    expect(closeRefusal(channel, checkpoint(6n), own, undefined)).toBe('not-computed')
  })
  it('refuses another state at the same version', () => {
    expect(closeRefusal(channel, own, checkpoint(7n, 'ce'), undefined)).toBe('differs')
  })
  it('refuses a second, different close at one version', () => {
    const other = toHex(closeDigest(channel, checkpoint(7n, 'ce')))
    expect(closeRefusal(channel, own, own, other)).toBe('signed-other')
  })
})

describe('closeLeaves', () => {
  it('orders leaves by leaf hash, so the Merkle tree built from them in that order has the same root', () => {
    const leaves = members.flatMap((m, i) =>
      TEST_TOKENS.slice(0, 2).map((token, t) => ({
        participant: m.address.toLowerCase() as Hex,
        token,
        amount: BigInt(1000 * (i + 1) + t),
      })),
    )
    const ordered = closeLeaves(channel.channelId, 4n, leaves)
    const hashes = ordered.map((l) => toHex(balanceLeafHash(channel.channelId, 4n, l)))
    expect([...hashes].sort()).toEqual(hashes)
    expect(new Set(ordered)).toEqual(new Set(leaves))
    const tree = new MerkleTree(leaves.map((l) => balanceLeafHash(channel.channelId, 4n, l)))
    expect(toHex(new MerkleTree(hashes.map((h) => fromHex(h))).root)).toBe(toHex(tree.root))
  })
})
