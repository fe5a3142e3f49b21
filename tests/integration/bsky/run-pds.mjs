// Offline Bluesky PDS + in-memory PLC directory, both bound to loopback only.
// Started by scripts/integration/start-bsky.sh; configuration comes from PDS_* env vars.
import { createRequire } from 'node:module'
import { PDS, envToCfg, envToSecrets, readEnv } from '@atproto/pds'

const require = createRequire(import.meta.url)
const plc = require('@did-plc/server')

const HOST = process.env.BIND_HOST || '127.0.0.1'

// PDS and PLC call app.listen(port), which binds every interface; tests must stay on loopback.
const bindLoopback = (app) => {
  const orig = app.listen.bind(app)
  app.listen = (port, ...rest) => orig(port, HOST, ...rest)
}

const t0 = Date.now()
const plcPort = Number(process.env.PLC_PORT || 2582)
// In-memory PLC: the public PLC directory is unreachable offline, and a fresh one per run
// keeps tests independent (the data directory is wiped by the start script for the same reason).
const plcServer = plc.PlcServer.create({ db: plc.Database.mock(), port: plcPort })
bindLoopback(plcServer.app)
await plcServer.start()

const env = readEnv()
// Must be a host NAME: the PDS's safe fetcher rejects IP-literal hosts ("Invalid hostname").
env.didPlcUrl ??= `http://localhost:${plcPort}`
const cfg = envToCfg(env)
const pds = await PDS.create(cfg, envToSecrets(env))
bindLoopback(pds.app)
await pds.start()

console.log(JSON.stringify({
  msg: 'ready',
  plc: `http://${HOST}:${plcPort}`,
  pds: `http://${HOST}:${cfg.service.port}`,
  startup_ms: Date.now() - t0,
}))

let stopping = false
const stop = async () => {
  if (stopping) return
  stopping = true
  try {
    await pds.destroy()
    await plcServer.destroy()
  } finally {
    process.exit(0)
  }
}
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
