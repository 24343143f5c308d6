import { type HDAccount, mnemonicToAccount } from 'viem/accounts'

/** The mnemonic anvil (and hardhat) derive their default, publicly known dev accounts from. Never for real funds. */
export const ANVIL_MNEMONIC = 'test test test test test test test test test test test junk'

/** anvil's default dev accounts 0 … count − 1, as viem accounts that sign locally. */
export function devAccounts(count = 10): HDAccount[] {
  return Array.from({ length: count }, (_, addressIndex) =>
    mnemonicToAccount(ANVIL_MNEMONIC, { addressIndex }),
  )
}
