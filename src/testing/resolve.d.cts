/** understudy/resolve, loaded with `node --require understudy/resolve`: see resolve.cjs. */

/** The host names this process resolves to loopback now: UNDERSTUDY_HOSTS, else the hosts of AUTH0_DOMAIN and the like (read at each lookup). */
export declare const hosts: readonly string[];
