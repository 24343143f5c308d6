import { missingToolMessage, resolveTool } from '../../../scripts/platformTool.mjs'

export type FoundryTool = 'anvil' | 'forge'

/**
 * Path of a Foundry executable (Node only). Order: the `ANVIL` / `FORGE` environment variable, the npm platform
 * package installed for this machine (every platform's is an optional dependency), then the bare name so that an
 * installation on PATH (foundryup, Homebrew) is used.
 */
export function foundryBinary(tool: FoundryTool): string {
  return resolveTool(tool).path
}

/** What to install when `tool` could not be started (no platform package and nothing on PATH). */
export function foundryMissing(tool: FoundryTool): string {
  return missingToolMessage(tool, resolveTool(tool).pkg)
}
