/** understudy/resolve, loaded with `node --require understudy/resolve`: see resolve.cjs. */

/** The host names this process now resolves to loopback: UNDERSTUDY_HOSTS, else the hosts of AUTH0_DOMAIN and the like. */
export declare const hosts: readonly string[];
