import { getAddress, isAddress, zeroAddress } from 'viem'

/**
 * A participant address typed into the create form, checked: 40 hex digits after 0x; when written in mixed case,
 * its EIP-55 checksum must hold (a typo in a checksummed address is caught here, not in a channel nobody can sign
 * for); and not the zero address, which no key controls. Returns the checksummed address or what is wrong.
 */
export function participantAddress(
  typed: string,
): { ok: true; address: `0x${string}` } | { ok: false; reason: string } {
  const s = typed.trim()
  if (!isAddress(s, { strict: false })) return { ok: false, reason: 'not an address (0x and 40 hex digits)' }
  const lower = s.slice(2) === s.slice(2).toLowerCase() || s.slice(2) === s.slice(2).toUpperCase()
  if (!lower && !isAddress(s, { strict: true }))
    return { ok: false, reason: 'the checksum of this mixed-case address does not match (a typo?)' }
  if (s.toLowerCase() === zeroAddress) return { ok: false, reason: 'the zero address cannot sign for anyone' }
  return { ok: true, address: getAddress(s) }
}
