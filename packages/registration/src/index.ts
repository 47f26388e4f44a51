// @swarmgate/registration as a library: what other packages' tests need. The program is main.js.
export * from './identity/index.js'
