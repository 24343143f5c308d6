import { type Block, blockHeader } from '../block.ts'
import { bytesEqual, fromHex, toHex } from '../bytes.ts'
import type { Channel } from '../channel.ts'
import { blockStructHash, typedDataDigest } from '../eip712.ts'
import { recoverAddress } from '../signature.ts'
import type { PrunedRef } from './frontier.ts'

/**
 * What a stub keeps of its block besides the fields the round rules read (frontier.ts): the rest of the header and
 * the author's signature. With the stub's author, seq, round and time they hash to its id (the EIP-712 digest the
 * author signed), so a base's stub is a block its author really signed, not the offering peer's word (CONTEXT.md,
 * "Rejoin after everyone pruned"). ~160 bytes per stub.
 */
export type StubSeal = {
  prev: Uint8Array
  parentsHash: Uint8Array
  opsHash: Uint8Array
  signature: Uint8Array
}

/** The seal of a full block (before it becomes a stub). */
export function sealOf(block: Block): StubSeal {
  const h = blockHeader(block)
  return { prev: h.prev, parentsHash: h.parentsHash, opsHash: h.opsHash, signature: block.signature }
}

/** The id `ref` with `seal` hashes to in `channel` (what its author signed). */
export function sealedId(channel: Channel, ref: PrunedRef, seal: Omit<StubSeal, 'signature'>): Uint8Array {
  return typedDataDigest(
    channel.domainSeparator,
    blockStructHash({
      channelId: channel.channelId,
      author: fromHex(channel.config.participants[ref.author]!.address, 20),
      seq: BigInt(ref.seq),
      round: BigInt(ref.round),
      time: ref.time,
      prev: seal.prev,
      parentsHash: seal.parentsHash,
      opsHash: seal.opsHash,
    }),
  )
}

const is = (x: unknown, length: number) => x instanceof Uint8Array && x.length === length

/**
 * Why a stub of an offered base is not a block its author signed under the channel's configured session key, or
 * undefined: no seal, a header that does not hash to the stub's id, a first block naming another genesis, or a signature
 * that does not recover to the author's key (an offered base carries no key rotation: offeredBase.ts). One keccak
 * pair and one recovery per stub; the offered base's byte cap bounds the stubs (~400 bytes each as JSON).
 */
export function stubSealProblem(channel: Channel, ref: PrunedRef): string | undefined {
  const s = ref.seal
  if (!s || !is(s.prev, 32) || !is(s.parentsHash, 32) || !is(s.opsHash, 32) || !is(s.signature, 65))
    return `stub ${ref.id} carries no header and signature`
  if (ref.seq === 1 && !bytesEqual(s.prev, channel.genesis))
    return `stub ${ref.id}: a first block of another genesis`
  const id = sealedId(channel, ref, s)
  if (toHex(id) !== ref.id) return `stub ${ref.id}: header does not hash to its id`
  if (recoverAddress(id, s.signature) !== channel.sessionKeys[ref.author])
    return `stub ${ref.id}: not signed by participant ${ref.author}'s session key`
  return undefined
}
