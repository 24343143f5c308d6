import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = fileURLToPath(new URL('..', import.meta.url))

/**
 * Bundles scripts/agent.ts (the `npm run agent` entry point, with its whole import graph) into one ES module under
 * node_modules/.cache, for benchmarks that start many agents: through tsx each agent spends ~4 s of CPU compiling
 * and loading the sources before it joins, so 100 agents starting together swamp two cores for minutes; the bundle
 * starts in ~0.3 s. Same code: only the module loading differs. tiny-secp256k1 stays external (it reads its
 * WebAssembly file next to its own module). Returns the bundle's path.
 */
export async function buildAgentBundle(): Promise<string> {
  const dir = join(root, 'node_modules', '.cache', 'chx-agent')
  mkdirSync(dir, { recursive: true })
  const outfile = join(dir, 'agent.mjs')
  await build({
    entryPoints: [join(root, 'scripts', 'agent.ts')],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    external: ['tiny-secp256k1'],
    // CommonJS dependencies inside an ES module bundle still call require
    banner: {
      js: "import { createRequire as __chxRequire } from 'node:module'; const require = __chxRequire(import.meta.url);",
    },
    logLevel: 'warning',
  })
  return outfile
}
