import fc from 'fast-check'
import { concat, hashDomain, hashTypedData, recoverTypedDataAddress, keccak256 as viemKeccak } from 'viem'
import { privateKeyToAccount } from 'viem/accounts'
import { describe, expect, it } from 'vitest'
import { blockHeader, blockId, createBlock } from './block.ts'
import { fromHex, type Hex, toHex, ZERO32 } from './bytes.ts'
import { sessionKeyDigest } from './channel.ts'
import { checkpointDigest } from './checkpoint.ts'
import {
  blockStructHash,
  checkpointStructHash,
  domainSeparator,
  EIP712_NAME,
  EIP712_VERSION,
  sessionKeyStructHash,
  TYPED_DATA_TYPES,
  typedDataDigest,
} from './eip712.ts'
import { OpTag } from './ops.ts'
import { addressFromPrivateKey, recoverAddress, signDigest } from './signature.ts'
import { keyFromLabel, makeTestChannel } from './testing.ts'

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 })
const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => toHex(b))
const u64 = fc.bigInt({ min: 0n, max: (1n << 64n) - 1n })
const domainArb = fc.record({
  chainId: fc.oneof(fc.constantFrom(1n, 31337n, 11155111n), fc.bigInt({ min: 1n, max: (1n << 64n) - 1n })),
  verifyingContract: address,
})
const viemDomain = (d: { chainId: bigint; verifyingContract: Hex }) => ({
  name: EIP712_NAME,
  version: EIP712_VERSION,
  chainId: d.chainId,
  verifyingContract: d.verifyingContract,
})
const DOMAIN_TYPES = {
  EIP712Domain: [
    { name: 'name', type: 'string' },
    { name: 'version', type: 'string' },
    { name: 'chainId', type: 'uint256' },
    { name: 'verifyingContract', type: 'address' },
  ],
} as const

describe('EIP-712 digests agree with viem (so Solidity agrees) — THREATS rows 3, 6', () => {
  it('domain separator', () => {
    fc.assert(
      fc.property(domainArb, (d) => {
        expect(toHex(domainSeparator(d))).toBe(hashDomain({ domain: viemDomain(d), types: DOMAIN_TYPES }))
      }),
      { numRuns: 100 },
    )
  })

  it('SessionKey', () => {
    fc.assert(
      fc.property(domainArb, bytes32, address, address, (d, channelId, participant, sessionKey) => {
        const ours = sessionKeyDigest(d, channelId, participant, sessionKey)
        const viem = hashTypedData({
          domain: viemDomain(d),
          types: TYPED_DATA_TYPES,
          primaryType: 'SessionKey',
          message: { channelId: toHex(channelId), participant, sessionKey },
        })
        expect(toHex(ours)).toBe(viem)
        expect(
          toHex(
            typedDataDigest(domainSeparator(d), sessionKeyStructHash(channelId, participant, sessionKey)),
          ),
        ).toBe(viem)
      }),
      { numRuns: 100 },
    )
  })

  it('Block header', () => {
    fc.assert(
      fc.property(
        domainArb,
        fc.record({
          channelId: bytes32,
          author: fc.uint8Array({ minLength: 20, maxLength: 20 }),
          seq: u64,
          prev: bytes32,
          parentsHash: bytes32,
          opsHash: bytes32,
        }),
        (d, h) => {
          const viem = hashTypedData({
            domain: viemDomain(d),
            types: TYPED_DATA_TYPES,
            primaryType: 'Block',
            message: {
              channelId: toHex(h.channelId),
              author: toHex(h.author),
              seq: h.seq,
              prev: toHex(h.prev),
              parentsHash: toHex(h.parentsHash),
              opsHash: toHex(h.opsHash),
            },
          })
          expect(toHex(typedDataDigest(domainSeparator(d), blockStructHash(h)))).toBe(viem)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('block ids: parentsHash = keccak(concat parents), opsHash = keccak(ops bytes)', () => {
    const { channel, members } = makeTestChannel({ participants: 2, label: 'eip712-block' })
    const m = members[1]!
    const parents = [new Uint8Array(32).fill(3), new Uint8Array(32).fill(1)]
    for (const [seq, ps] of [
      [1n, []],
      [2n, parents],
    ] as const) {
      const { block, id } = createBlock({
        channelId: channel.channelId,
        author: fromHex(m.address, 20),
        seq,
        prev: seq === 1n ? ZERO32 : new Uint8Array(32).fill(9),
        parents: [...ps],
        ops: [{ tag: OpTag.Transfer, to: 0, token: 1, amount: 12345n }],
        sessionKey: m.sessionKey,
        domainSeparator: channel.domainSeparator,
      })
      const viem = hashTypedData({
        domain: viemDomain(channel.config),
        types: TYPED_DATA_TYPES,
        primaryType: 'Block',
        message: {
          channelId: toHex(channel.channelId),
          author: m.address,
          seq,
          prev: toHex(block.prev),
          parentsHash: viemKeccak(block.parents.length === 0 ? '0x' : concat(block.parents.map(toHex))),
          opsHash: viemKeccak(toHex(block.opsBytes)),
        },
      })
      expect(toHex(id)).toBe(viem)
      expect(toHex(blockId(block, channel.domainSeparator))).toBe(viem)
      expect(toHex(blockHeader(block).opsHash)).toBe(viemKeccak(toHex(block.opsBytes)))
    }
  })

  it('Checkpoint', () => {
    fc.assert(
      fc.property(
        domainArb,
        bytes32,
        u64,
        fc.array(bytes32, { minLength: 1, maxLength: 4 }),
        bytes32,
        bytes32,
        (d, channelId, version, heads, stateRoot, balancesRoot) => {
          const viem = hashTypedData({
            domain: viemDomain(d),
            types: TYPED_DATA_TYPES,
            primaryType: 'Checkpoint',
            message: {
              channelId: toHex(channelId),
              version,
              headsHash: viemKeccak(concat(heads.map(toHex))),
              stateRoot: toHex(stateRoot),
              balancesRoot: toHex(balancesRoot),
            },
          })
          const sep = domainSeparator(d)
          expect(toHex(checkpointDigest(sep, channelId, { version, heads, stateRoot, balancesRoot }))).toBe(
            viem,
          )
          const fields = {
            channelId,
            version,
            headsHash: fromHex(viemKeccak(concat(heads.map(toHex)))),
            stateRoot,
            balancesRoot,
          }
          expect(toHex(typedDataDigest(sep, checkpointStructHash(fields)))).toBe(viem)
        },
      ),
      { numRuns: 100 },
    )
  })

  it('a digest changes with the domain: chain, contract', () => {
    const d = { chainId: 1n, verifyingContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3' as Hex }
    const id = new Uint8Array(32).fill(1)
    const a = '0x00000000000000000000000000000000000000a1' as Hex
    const base = toHex(sessionKeyDigest(d, id, a, a))
    expect(toHex(sessionKeyDigest({ ...d, chainId: 2n }, id, a, a))).not.toBe(base)
    expect(toHex(sessionKeyDigest({ ...d, verifyingContract: a }, id, a, a))).not.toBe(base)
  })
})

describe('EIP-712 signatures interoperate with viem wallets', () => {
  const walletKey = keyFromLabel('eip712/wallet')
  const account = privateKeyToAccount(toHex(walletKey))
  const domain = { chainId: 31337n, verifyingContract: '0x5fbdb2315678afecb367f032d93f642f64180aa3' as Hex }
  const channelId = new Uint8Array(32).fill(0x42)
  const sessionKey = addressFromPrivateKey(keyFromLabel('eip712/session'))
  const typed = {
    domain: viemDomain(domain),
    types: TYPED_DATA_TYPES,
    primaryType: 'SessionKey' as const,
    message: { channelId: toHex(channelId), participant: account.address, sessionKey },
  }

  it('a wallet signature (viem signTypedData) recovers with our recoverAddress', async () => {
    const sig = await account.signTypedData(typed)
    const digest = sessionKeyDigest(domain, channelId, account.address, sessionKey)
    expect(recoverAddress(digest, fromHex(sig))).toBe(account.address.toLowerCase())
    // ...but not under another chain: the domain is bound
    const other = sessionKeyDigest({ ...domain, chainId: 1n }, channelId, account.address, sessionKey)
    expect(recoverAddress(other, fromHex(sig))).not.toBe(account.address.toLowerCase())
  })

  it('our signDigest recovers with viem recoverTypedDataAddress', async () => {
    const digest = sessionKeyDigest(domain, channelId, account.address, sessionKey)
    const sig = signDigest(digest, walletKey)
    const recovered = await recoverTypedDataAddress({ ...typed, signature: toHex(sig) })
    expect(recovered).toBe(account.address)
  })

  it('the test channel authorisations verify in viem', async () => {
    const { channel } = makeTestChannel({ participants: 3, label: 'eip712-auth' })
    for (const p of channel.config.participants) {
      const recovered = await recoverTypedDataAddress({
        domain: viemDomain(channel.config),
        types: TYPED_DATA_TYPES,
        primaryType: 'SessionKey',
        message: { channelId: toHex(channel.channelId), participant: p.address, sessionKey: p.sessionKey },
        signature: p.authSignature,
      })
      expect(recovered.toLowerCase()).toBe(p.address.toLowerCase())
    }
  })
})
