import { readFileSync } from 'node:fs'
import react from '@vitejs/plugin-react'
import { type Connect, defineConfig, type Plugin } from 'vite'
import wasm from 'vite-plugin-wasm'

/**
 * `CHX_APP_CONFIG=<file>` serves that file as /app-config.json (dev server and preview), so a stack started for
 * a test run (scripts/start.ts with APP_CONFIG_FILE) never writes into public/, which another run or a developer
 * may be serving. Without it, public/app-config.json is served as usual.
 */
function appConfigFile(file: string | undefined): Plugin {
  const serve = (middlewares: Connect.Server) => {
    if (!file) return
    middlewares.use('/app-config.json', (_req, res) => {
      res.setHeader('content-type', 'application/json')
      res.setHeader('cache-control', 'no-store')
      res.end(readFileSync(file))
    })
  }
  return {
    name: 'chx-app-config',
    configureServer: (server) => serve(server.middlewares),
    configurePreviewServer: (server) => serve(server.middlewares),
  }
}

export default defineConfig({
  // wasm(): libsecp256k1 as WebAssembly for signature recovery (src/core/signature.ts)
  plugins: [wasm(), react(), appConfigFile(process.env.CHX_APP_CONFIG)],
  server: { host: '127.0.0.1', port: Number(process.env.APP_PORT ?? 5173), strictPort: true },
  preview: { host: '127.0.0.1', port: Number(process.env.APP_PORT ?? 5173), strictPort: true },
  // BENCH_PROFILE=1 (bench:sync's CPU profile): keep function names readable in the production build
  build: { target: 'es2022', minify: process.env.BENCH_PROFILE === '1' ? false : 'esbuild' },
})
