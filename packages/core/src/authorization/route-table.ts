/**
 * Every route of the Docker Engine API, from 20.10 (API 1.41) to moby master, in the order the
 * engine registers them: gorilla/mux answers with the first route whose method and path match,
 * so the order is part of the meaning (the checkpoint DELETE masks the container DELETE).
 * Sources: moby v20.10 api/server/router/<router>/<router>.go and cmd/dockerd/daemon.go
 * (initRouter), master daemon/server/router/<router>/<router>.go and daemon/command/daemon.go
 * (buildRouters). The engine registers each route twice, with and without `/v{version:[0-9.]+}`
 * (api/server/server.go createMux); routes.ts adds that prefix, it is not written here.
 *
 * `pattern` is the mux template with swarmgate's variable names, not moby's: `id` for objects the
 * engine finds by ID or name (containers, execs, services, nodes, tasks, secrets, configs,
 * networks), `name` for objects found by name (images, volumes, plugins, distribution, profiles),
 * `checkpoint` and `path` for the rest. `{v}` is `[^/]+`; `{v:.*}` may hold `/` (image names do).
 * `method` is matched exactly (Go's mux is case-sensitive); `*` is any method.
 *
 * Actions are `<object>.<verb>`, one per route, except `build`, `session` and `grpc`, named for
 * the thing itself.
 */

/** One engine route: the method mux matches, the path template, and the action swarmgate names it. */
export interface Route {
  readonly method: string
  readonly pattern: string
  readonly action: string
}

type Row = readonly [method: string, pattern: string, action: string]

const ROWS: readonly Row[] = [
  // checkpoint: registered before the container router, so that its DELETE wins (experimental only).
  ['GET', '/containers/{id:.*}/checkpoints', 'checkpoint.list'],
  ['POST', '/containers/{id:.*}/checkpoints', 'checkpoint.create'],
  ['DELETE', '/containers/{id}/checkpoints/{checkpoint}', 'checkpoint.delete'],

  // container (exec routes live in the container router)
  ['HEAD', '/containers/{id:.*}/archive', 'container.archive-head'],
  ['GET', '/containers/json', 'container.list'],
  ['GET', '/containers/{id:.*}/export', 'container.export'],
  ['GET', '/containers/{id:.*}/changes', 'container.changes'],
  ['GET', '/containers/{id:.*}/json', 'container.inspect'],
  ['GET', '/containers/{id:.*}/top', 'container.top'],
  ['GET', '/containers/{id:.*}/logs', 'container.logs'],
  ['GET', '/containers/{id:.*}/stats', 'container.stats'],
  ['GET', '/containers/{id:.*}/attach/ws', 'container.attach-ws'],
  ['GET', '/exec/{id:.*}/json', 'exec.inspect'],
  ['GET', '/containers/{id:.*}/archive', 'container.archive-get'],
  ['POST', '/containers/create', 'container.create'],
  ['POST', '/containers/{id:.*}/kill', 'container.kill'],
  ['POST', '/containers/{id:.*}/pause', 'container.pause'],
  ['POST', '/containers/{id:.*}/unpause', 'container.unpause'],
  ['POST', '/containers/{id:.*}/restart', 'container.restart'],
  ['POST', '/containers/{id:.*}/start', 'container.start'],
  ['POST', '/containers/{id:.*}/stop', 'container.stop'],
  ['POST', '/containers/{id:.*}/wait', 'container.wait'],
  ['POST', '/containers/{id:.*}/resize', 'container.resize'],
  ['POST', '/containers/{id:.*}/attach', 'container.attach'],
  // Until 25.0; below API 1.24 it still copies files out of the container (copy.go).
  ['POST', '/containers/{id:.*}/copy', 'container.copy'],
  ['POST', '/containers/{id:.*}/exec', 'container.exec-create'],
  ['POST', '/exec/{id:.*}/start', 'exec.start'],
  ['POST', '/exec/{id:.*}/resize', 'exec.resize'],
  ['POST', '/containers/{id:.*}/rename', 'container.rename'],
  ['POST', '/containers/{id:.*}/update', 'container.update'],
  ['POST', '/containers/prune', 'container.prune'],
  ['POST', '/commit', 'container.commit'],
  ['PUT', '/containers/{id:.*}/archive', 'container.archive-put'],
  ['DELETE', '/containers/{id:.*}', 'container.delete'],

  // image
  ['GET', '/images/json', 'image.list'],
  ['GET', '/images/search', 'image.search'],
  ['GET', '/images/get', 'image.save'],
  ['GET', '/images/{name:.*}/get', 'image.save-one'],
  ['GET', '/images/{name:.*}/history', 'image.history'],
  ['GET', '/images/{name:.*}/json', 'image.inspect'],
  ['GET', '/images/{name:.*}/attestations', 'image.attestations'],
  ['POST', '/images/load', 'image.load'],
  // Pull, and also import (fromSrc: a URL the engine fetches, or the request body).
  ['POST', '/images/create', 'image.pull'],
  ['POST', '/images/{name:.*}/push', 'image.push'],
  ['POST', '/images/{name:.*}/tag', 'image.tag'],
  ['POST', '/images/prune', 'image.prune'],
  ['DELETE', '/images/{name:.*}', 'image.delete'],

  // system: OPTIONS on any path (it answers 200 and nothing else).
  ['OPTIONS', '/{path:.*}', 'system.options'],
  ['GET', '/_ping', 'system.ping'],
  ['HEAD', '/_ping', 'system.ping-head'],
  ['GET', '/events', 'system.events'],
  ['GET', '/info', 'system.info'],
  ['GET', '/version', 'system.version'],
  ['GET', '/system/df', 'system.df'],
  ['POST', '/auth', 'system.auth'],

  // volume (PUT: API 1.42+, cluster volumes)
  ['GET', '/volumes', 'volume.list'],
  ['GET', '/volumes/{name:.*}', 'volume.inspect'],
  ['POST', '/volumes/create', 'volume.create'],
  ['POST', '/volumes/prune', 'volume.prune'],
  ['PUT', '/volumes/{name:.*}', 'volume.update'],
  ['DELETE', '/volumes/{name:.*}', 'volume.delete'],

  // build, session
  ['POST', '/build', 'build'],
  ['POST', '/build/prune', 'build.prune'],
  ['POST', '/build/cancel', 'build.cancel'],
  ['POST', '/session', 'session'],

  // swarm: the cluster, services, nodes, tasks, secrets, configs
  ['POST', '/swarm/init', 'swarm.init'],
  ['POST', '/swarm/join', 'swarm.join'],
  ['POST', '/swarm/leave', 'swarm.leave'],
  ['GET', '/swarm', 'swarm.inspect'],
  ['GET', '/swarm/unlockkey', 'swarm.unlockkey'],
  ['POST', '/swarm/update', 'swarm.update'],
  ['POST', '/swarm/unlock', 'swarm.unlock'],
  ['GET', '/services', 'service.list'],
  ['GET', '/services/{id}', 'service.inspect'],
  ['POST', '/services/create', 'service.create'],
  ['POST', '/services/{id}/update', 'service.update'],
  ['DELETE', '/services/{id}', 'service.delete'],
  ['GET', '/services/{id}/logs', 'service.logs'],
  ['GET', '/nodes', 'node.list'],
  ['GET', '/nodes/{id}', 'node.inspect'],
  ['DELETE', '/nodes/{id}', 'node.delete'],
  ['POST', '/nodes/{id}/update', 'node.update'],
  ['GET', '/tasks', 'task.list'],
  ['GET', '/tasks/{id}', 'task.inspect'],
  ['GET', '/tasks/{id}/logs', 'task.logs'],
  ['GET', '/secrets', 'secret.list'],
  ['POST', '/secrets/create', 'secret.create'],
  ['DELETE', '/secrets/{id}', 'secret.delete'],
  ['GET', '/secrets/{id}', 'secret.inspect'],
  ['POST', '/secrets/{id}/update', 'secret.update'],
  ['GET', '/configs', 'config.list'],
  ['POST', '/configs/create', 'config.create'],
  ['DELETE', '/configs/{id}', 'config.delete'],
  ['GET', '/configs/{id}', 'config.inspect'],
  ['POST', '/configs/{id}/update', 'config.update'],

  // plugin
  ['GET', '/plugins', 'plugin.list'],
  ['GET', '/plugins/{name:.*}/json', 'plugin.inspect'],
  ['GET', '/plugins/privileges', 'plugin.privileges'],
  ['DELETE', '/plugins/{name:.*}', 'plugin.delete'],
  ['POST', '/plugins/{name:.*}/enable', 'plugin.enable'],
  ['POST', '/plugins/{name:.*}/disable', 'plugin.disable'],
  ['POST', '/plugins/pull', 'plugin.pull'],
  ['POST', '/plugins/{name:.*}/push', 'plugin.push'],
  ['POST', '/plugins/{name:.*}/upgrade', 'plugin.upgrade'],
  ['POST', '/plugins/{name:.*}/set', 'plugin.set'],
  ['POST', '/plugins/create', 'plugin.create'],

  // distribution
  ['GET', '/distribution/{name:.*}/json', 'distribution.inspect'],

  // network
  ['GET', '/networks', 'network.list'],
  ['GET', '/networks/', 'network.list'],
  ['GET', '/networks/{id:.+}', 'network.inspect'],
  ['POST', '/networks/create', 'network.create'],
  ['POST', '/networks/{id:.*}/connect', 'network.connect'],
  ['POST', '/networks/{id:.*}/disconnect', 'network.disconnect'],
  ['POST', '/networks/prune', 'network.prune'],
  ['DELETE', '/networks/{id:.*}', 'network.delete'],

  // grpc: BuildKit's control API behind an h2c upgrade
  ['POST', '/grpc', 'grpc'],

  // debug: 20.10 to 27 register these after every router for any method and without the version
  // prefix (api/server/server.go createMux); 28 and master as GET routes of a debug router.
  ['*', '/debug/vars', 'debug.vars'],
  ['*', '/debug/pprof/', 'debug.pprof-index'],
  ['*', '/debug/pprof/cmdline', 'debug.pprof-cmdline'],
  ['*', '/debug/pprof/profile', 'debug.pprof-profile'],
  ['*', '/debug/pprof/symbol', 'debug.pprof-symbol'],
  ['*', '/debug/pprof/trace', 'debug.pprof-trace'],
  ['*', '/debug/pprof/{name}', 'debug.pprof']
]

/** The engine's routes in registration order (first match wins). */
export const ROUTES: readonly Route[] = Object.freeze(ROWS.map(([method, pattern, action]) => Object.freeze({ method, pattern, action })))
