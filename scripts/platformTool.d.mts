/** Types of platformTool.mjs (plain Node so that scripts/biome.mjs runs without a TypeScript loader). */
export type PlatformTool = 'biome' | 'anvil' | 'forge'
export function platformPackage(
  tool: PlatformTool,
  platform: string,
  arch: string,
  musl?: boolean,
): string | undefined
export function resolveTool(tool: PlatformTool): { path: string; found: boolean; pkg: string | undefined }
export function missingToolMessage(tool: PlatformTool, pkg: string | undefined): string
